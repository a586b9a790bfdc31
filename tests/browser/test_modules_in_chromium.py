"""Modules 02 and 03 in Chromium through Voilà: the exercise, the quiz, scenarios and the ending script."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.model.scenario import paths_to_endings
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import plain_text

from ..expected import folded, shown, sources_text
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


def test_module_02_exercise_and_quiz(page: Any, voila_server: VoilaServer, recorder: PageRecorder) -> None:
    assert "02-conduct" in WORKSHOP.quizzes, "module 02 must have its quiz"
    assert WORKSHOP.exercises, "module 02 must have its sorting exercise"
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
    item = exercise.items[first_wrong]
    feedback = folded(widget.locator(".tw-sort-item").nth(first_wrong).locator(".tw-feedback").inner_text())
    assert feedback == f"Not quite. Here is why. {shown(item.explanation)} {sources_text(WORKSHOP, item.sources)}"
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


def test_module_03_scenario_good_and_poor_endings_and_script(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    assert "wont-let-me-leave" in WORKSHOP.scenarios, "module 03 must have its scenario"
    assert "03-ending" in WORKSHOP.scripts, "module 03 must have its script builder"
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


def test_modules_04_and_05_jurisdiction_explorer_case_ordering_and_draft(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    assert len(WORKSHOP.activities.cases) >= 2, "module 05 must have cases to follow (the test follows the second)"
    assert "uk" in WORKSHOP.activities.jurisdictions, "modules 04 and 05 must cover the UK"
    open_app(page, voila_server, "?module=05-process")
    place = WORKSHOP.activities.jurisdictions["uk"]
    page.get_by_label("Where does your therapist work?").select_option(label=place.name)
    explorer = page.locator(".tw-explorer")
    process = WORKSHOP.activities.process
    assert process is not None
    hearing = next(stage for stage in process.stages if "hearing" in stage.id)
    name = place.stage_names.get(hearing.id, hearing.title)
    explorer.get_by_role("button", name=name, exact=True).click()
    expect(explorer.locator(".tw-stage-details h4")).to_have_text(name)
    # The diagram writes a stage's name on at most two lines of 22 characters: the selected stage shows them.
    expect(explorer.locator(".tw-current text tspan")).to_have_text(textwrap.wrap(name, width=22)[:2])

    follow = page.locator(".tw-case")
    case = list(WORKSHOP.activities.cases.values())[1]  # the second case: choosing it proves switching works
    follow.get_by_label("Choose a case to follow").select_option(index=1)
    for number, step in enumerate(case.steps, 1):
        expect(follow.locator(".tw-counter")).to_contain_text(f"Stage {number} of {len(case.steps)}")
        follow.locator(".tw-choices input").first.check()
        follow.get_by_role("button", name="Check my prediction").click()
        expect(follow.locator(".tw-feedback")).to_contain_text(
            f"{shown(step.what_happens)} {WORKSHOP.ui.why_heading} {shown(step.why)}", use_inner_text=True
        )
        if number < len(case.steps):
            follow.get_by_role("button", name="Next stage").click()
    expect(follow.locator(".tw-feedback")).to_contain_text("The case ends here.")

    page.locator(".tw-menu").get_by_role("link", name=WORKSHOP.module("04-reporting").title, exact=True).click()
    page.wait_for_selector('.tw-module-title[data-module="04-reporting"]')
    expect(page.locator(".tw-jurisdiction h3")).to_have_text(place.name)  # the choice carried across modules
    ordering = page.locator(".tw-ordering")
    first_down = ordering.locator(".tw-order-down").first
    first_down.focus()
    page.keyboard.press("Enter")  # buttons work from the keyboard; focus follows the moved item
    expect(page.locator(":focus")).to_have_class(re.compile(r"(^|\s)tw-order-down(\s|$)"))
    ordering.get_by_role("button", name="Check", exact=True).click()
    expect(ordering.locator(".tw-score")).to_contain_text("steps are in the right place.")

    draft = page.locator(".tw-draft")
    box = draft.get_by_role("textbox").first
    box.fill("<script>alert(1)</script> He shared my notes.")
    expect(draft.locator(".tw-script-preview")).to_contain_text("<script>alert(1)</script> He shared my notes.")
    with page.expect_download() as download_info:
        draft.get_by_role("button", name="Save my draft as a text file").click()
    saved = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "<script>alert(1)</script> He shared my notes." in saved
    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []


def test_progress_survives_a_reload_reset_clears_it_and_the_certificate_downloads(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    assert WORKSHOP.activities.assessment is not None, "the last module must have its assessment bank"
    open_app(page, voila_server, "?module=01-rights")
    quiz = page.locator(".tw-quiz")
    total = len(WORKSHOP.quizzes["01-rights"].questions)
    for number in range(1, total + 1):
        quiz.get_by_role("button", name="See my results" if number == total else "Next question").click()
    quiz.locator(".tw-score").wait_for()
    expect(page.locator(".tw-progress-line")).to_contain_text("1 of")
    page.reload()
    page.wait_for_selector(".tw-module-title")
    expect(page.locator(".tw-progress-line")).to_contain_text("1 of")  # kept in this browser
    page.locator(".tw-menu").get_by_role("link", name=WORKSHOP.modules[0].title, exact=True).click()
    overview = page.locator(".tw-progress-summary")
    expect(overview).to_contain_text(f"{WORKSHOP.module('01-rights').title}: done")
    page.get_by_role("button", name="Reset my progress").click()
    expect(page.locator(".tw-progress-line")).to_contain_text("0 of")
    page.reload()
    page.wait_for_selector(".tw-module-title")
    expect(page.locator(".tw-progress-line")).to_contain_text("0 of")

    page.locator(".tw-menu").get_by_role("link", name=WORKSHOP.modules[-1].title, exact=True).click()
    page.get_by_label("Name to print on the certificate").fill("Sam Lee")
    page.get_by_role("button", name="Make my certificate (PDF)").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Save my certificate").click()
    download = download_info.value
    assert download.suggested_filename == "certificate-sam-lee.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert recorder.console_errors == []


def answer_quiz_wrong_then_right(page: Any, module_id: str) -> None:
    """The first question wrongly, then rightly after Try again; every other question rightly."""
    quiz = WORKSHOP.quizzes[module_id]
    widget = page.locator(".tw-quiz")
    total = len(quiz.questions)
    for number, question in enumerate(quiz.questions, 1):
        expect(widget.locator(".tw-counter")).to_contain_text(f"Question {number} of {total}")
        inputs = widget.locator(".tw-choices input")
        right = [index for index, option in enumerate(question.options) if option.correct]
        if number == 1:
            wrong = next(index for index, option in enumerate(question.options) if not option.correct)
            inputs.nth(wrong).check()
            widget.get_by_role("button", name="Check", exact=True).click()
            feedback = plain_text(render_markdown(question.options[wrong].feedback))
            expect(widget.locator(".tw-feedback")).to_contain_text(
                f"{shown(question.options[wrong].text)} {feedback}", use_inner_text=True
            )
            widget.get_by_role("button", name="Try again").click()
            widget.locator(".tw-feedback").wait_for(state="detached")
        for index in right:
            inputs.nth(index).check()
        widget.get_by_role("button", name="Check", exact=True).click()
        widget.locator('.tw-feedback[data-tone="right"]').wait_for()
        widget.get_by_role("button", name="See my results" if number == total else "Next question").click()
    expect(widget.locator(".tw-score")).to_have_text(f"You got {total - 1} of {total} right on the first try.")


def expected_downloads(module_id: str) -> tuple[int, int]:
    """Download buttons the module's page holds, and how many of them are ready at once (shown, with a file).

    Counted in the app's Python twin, which builds the same widgets the kernel sends to the page. The others are
    made on request (the script, the draft, the certificate) and are covered by their own tests.
    """
    app = WorkshopApp(WORKSHOP)
    app.go(module_id)

    def walk(widget: Any, hidden: bool) -> list[tuple[DownloadButton, bool]]:
        layout = getattr(widget, "layout", None)
        hidden = hidden or getattr(layout, "display", None) == "none"
        found = [(widget, hidden)] if isinstance(widget, DownloadButton) else []
        for child in getattr(widget, "children", ()):
            found.extend(walk(child, hidden))
        return found

    buttons = walk(app, False)
    return len(buttons), sum(not hidden and bool(button.text or button.data_base64) for button, hidden in buttons)


@pytest.mark.parametrize("module_id", [module.id for module in WORKSHOP.modules])
def test_every_activity_of_every_module(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder, module_id: str
) -> None:
    """Every quiz wrongly then rightly, every scenario to two endings, every download produced."""
    open_app(page, voila_server, f"?module={module_id}")
    expect(page.locator(".tw-quiz")).to_have_count(1 if module_id in WORKSHOP.quizzes else 0)
    if module_id in WORKSHOP.quizzes:
        answer_quiz_wrong_then_right(page, module_id)
    scenario_ids = [
        scenario_id
        for scenario_id, owner in WORKSHOP.activities.module_of.items()
        if owner == module_id and scenario_id in WORKSHOP.scenarios
    ]
    expect(page.locator(".tw-scenario")).to_have_count(len(scenario_ids))
    for scenario_id in scenario_ids:
        scenario = WORKSHOP.scenarios[scenario_id]
        reachable = list(paths_to_endings(scenario))
        assert len(reachable) >= 2, f"{scenario_id}: fewer than two endings can be reached"
        widget = page.locator(".tw-scenario", has=page.get_by_role("heading", name=scenario.title))
        for ending in reachable[:2]:
            play_to(page, scenario_id, ending)
            expect(widget.locator(".tw-situation")).to_contain_text(scenario.nodes[ending].title)
            widget.get_by_role("button", name="Start again").click()
    total, ready = expected_downloads(module_id)
    expect(page.locator(".tw-download")).to_have_count(total)
    downloads = page.locator(".tw-download:enabled").locator("visible=true")
    expect(downloads).to_have_count(ready)
    for index in range(ready):
        with page.expect_download() as download_info:
            downloads.nth(index).click()
        assert Path(download_info.value.path()).stat().st_size > 0
    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []
