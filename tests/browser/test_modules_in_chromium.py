"""Modules 02 and 03 in Chromium through Voilà: the exercise, the quiz, scenarios and the ending script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from therapy_workshop.scenario_model import paths_to_endings
from therapy_workshop.workshop import load_workshop

from .conftest import REPO, PageRecorder, VoilaServer
from .test_app_in_chromium import open_app, other_hosts

WORKSHOP = load_workshop(REPO)


def finish_quiz(page: Any, module_id: str) -> None:
    quiz = WORKSHOP.quizzes[module_id]
    total = len(quiz.questions)
    for number in range(1, total + 1):
        page.get_by_text(f"Question {number} of {total}").wait_for()
        question = quiz.questions[number - 1]
        right = [index for index, option in enumerate(question.options) if option.correct]
        group = page.locator(".tw-quiz .tw-choices").first
        for index in right:
            group.locator("input").nth(index).check()
        page.locator(".tw-quiz").get_by_role("button", name="Check").click()
        page.locator('.tw-quiz .tw-feedback[data-tone="right"]').wait_for()
        page.locator(".tw-quiz").get_by_role(
            "button", name="See my results" if number == total else "Next question"
        ).click()
    score = page.locator(".tw-quiz .tw-score")
    score.wait_for()
    assert score.inner_text() == f"You got {total} of {total} right on the first try."


@pytest.mark.skipif("02-conduct" not in WORKSHOP.quizzes, reason="module 02 has no quiz yet")
def test_module_02_exercise_and_quiz(page: Any, voila_server: VoilaServer, recorder: PageRecorder) -> None:
    open_app(page, voila_server, "?module=02-conduct")
    exercise = next(iter(WORKSHOP.exercises.values()))
    widget = page.locator(".tw-exercise")
    first_category = exercise.categories[0].label
    for index in range(len(exercise.items)):
        widget.locator(".tw-sort-item").nth(index).get_by_label(first_category, exact=True).check()
    widget.get_by_role("button", name="Check").click()
    widget.locator(".tw-score").wait_for()
    right = sum(item.category == exercise.categories[0].id for item in exercise.items)
    assert (
        widget.locator(".tw-score").inner_text()
        == f"You sorted {right} of {len(exercise.items)} the way the sources do."
    )
    first_wrong = next(index for index, item in enumerate(exercise.items) if item.category != exercise.categories[0].id)
    feedback = widget.locator(".tw-sort-item").nth(first_wrong).locator(".tw-feedback").inner_text()
    assert feedback.startswith("Not quite. Here is why.")
    assert exercise.items[first_wrong].explanation.split()[0] in feedback
    widget.get_by_role("button", name="Show answers").click()
    page.wait_for_selector(".tw-exercise .tw-feedback[data-tone='revealed']")

    finish_quiz(page, "02-conduct")
    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []


def play_to(page: Any, scenario_id: str, ending_id: str) -> str:
    scenario = WORKSHOP.scenarios[scenario_id]
    steps = paths_to_endings(scenario)[ending_id]
    widget = page.locator(".tw-scenario", has=page.get_by_role("heading", name=scenario.title))
    for node_id, choice_index in steps:
        label = scenario.nodes[node_id].choices[choice_index].label
        widget.get_by_role("button", name=label, exact=True).click()
        widget.get_by_role("button", name="Continue").click()
    review = widget.locator(".tw-review-block")
    review.wait_for()
    text = review.inner_text()
    for node_id, choice_index in steps:
        assert scenario.nodes[node_id].choices[choice_index].label in text
    return text


@pytest.mark.skipif("wont-let-me-leave" not in WORKSHOP.scenarios, reason="module 03 has no scenario yet")
def test_module_03_scenario_good_and_poor_endings_and_script(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    open_app(page, voila_server, "?module=03-ending")
    scenario = WORKSHOP.scenarios["wont-let-me-leave"]
    good = next(node_id for node_id, node in scenario.endings.items() if node.ending == "good")
    poor = next(node_id for node_id, node in scenario.endings.items() if node.ending == "poor")
    text = play_to(page, scenario.id, good)
    assert "What you decided, and what followed" in text
    widget = page.locator(".tw-scenario", has=page.get_by_role("heading", name=scenario.title))
    widget.get_by_role("button", name="Start again").click()
    play_to(page, scenario.id, poor)
    assert "Ending: a hard outcome" in widget.locator(".tw-situation").inner_text()

    builder = page.locator(".tw-script-builder")
    script = WORKSHOP.scripts["03-ending"]
    first_block = script.sections[0].blocks[0]
    builder.get_by_label(first_block, exact=True).check()
    builder.get_by_role("textbox").fill("Thank you <for> everything.")
    expect(builder.locator(".tw-script-preview")).to_contain_text("Thank you <for> everything.")
    with page.expect_download() as download_info:
        builder.get_by_role("button", name="Save my script as a text file").click()
    download = download_info.value
    assert download.suggested_filename == script.filename
    saved = Path(download.path()).read_text(encoding="utf-8")
    assert saved == f"{first_block}\n\nThank you <for> everything.\n"
    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []
