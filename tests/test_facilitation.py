"""Facilitator view, guide and handouts: answer keys only where a facilitator asked for them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from therapy_workshop.cli import main
from therapy_workshop.facilitator.documents import (
    guide_body,
    handout_body,
    paper_scenario_html,
    scenario_numbers,
    write_handouts,
)
from therapy_workshop.html.safe import html
from therapy_workshop.model.facilitation import AgendasFile, agenda_findings
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.quiz import QuizSet

from .expected import shown


def probe(markdown: str) -> str:
    """An answer text as the page would show it (rendered, plain text), to look for in plain text.

    The whole text, not its start: compared like with like, the first 60 characters of one explanation (01-rights,
    "A regulator is an official body...") are also the module's own teaching text, which is no leak.
    """
    return shown(markdown)


def answer_texts(workshop: Workshop) -> list[str]:
    """Text that only an answer key contains (explanations, per-option feedback, debriefs), as probes."""
    texts = []
    for quiz in workshop.quizzes.values():
        for question in quiz.questions:
            texts.append(question.explanation)
            texts.extend(option.feedback for option in question.options)
    for exercise in workshop.exercises.values():
        texts.extend(item.explanation for item in exercise.items)
    for scenario in workshop.scenarios.values():
        texts.extend(node.debrief for node in scenario.nodes.values() if node.debrief)
    return [probe(text) for text in texts]


def visible_text(app: WorkshopApp) -> str:
    """Everything the app's widgets hold for the page, as plain text (the same form as the probes)."""
    found = []

    def walk(widget: Any) -> None:
        for name in ("value", "html", "legend_html"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                found.append(value)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(app)
    return plain_text(" ".join(found))


def test_every_answer_probe_is_found_where_the_product_shows_that_answer(
    workshop: Workshop, facilitator_key: str
) -> None:
    """The probes would catch a leak: each is found in the page text of the place meant to show it.

    Explanations and debriefs are in the facilitator's answer keys; each option's feedback is what a learner
    reads after choosing that option. A probe that could never match (raw Markdown against rendered text) fails.
    """
    facilitator = WorkshopApp(workshop)
    facilitator.location.query = f"?view=facilitator&key={facilitator_key}"

    def answer_keys(module_id: str) -> str:
        facilitator.go(module_id)
        return plain_text(facilitator.facilitator_panel.value)

    checked = 0
    for module_id, quiz in workshop.quizzes.items():
        keys = answer_keys(module_id)
        quiz_set = QuizSet(quiz, workshop.ui, workshop.sources)
        for index, question in enumerate(quiz.questions):
            assert probe(question.explanation) in keys, (module_id, question.id)
            widget = quiz_set.question_at(index)
            for option_index, option in enumerate(question.options):
                widget.choose(option_index)
                widget.check()
                assert probe(option.feedback) in widget.feedback_text, (module_id, question.id, option_index)
                widget.retry()
            checked += 1 + len(question.options)
    for activity_id, module_id in workshop.activities.module_of.items():
        keys = answer_keys(module_id)
        if activity_id in workshop.exercises:
            for item in workshop.exercises[activity_id].items:
                assert probe(item.explanation) in keys, (activity_id, item.id)
                checked += 1
        elif activity_id in workshop.scenarios:
            for node_id, node in workshop.scenarios[activity_id].nodes.items():
                if node.debrief:
                    assert probe(node.debrief) in keys, (activity_id, node_id)
                    checked += 1
    assert checked == len(answer_texts(workshop)) > 0  # every probe, none left out


def test_learner_view_holds_no_answer_key(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    probes = answer_texts(workshop)
    assert probes
    for module in workshop.modules:
        app.go(module.id)
        page = visible_text(app)
        for text in probes:
            assert text not in page, f"answer text on {module.id}: {text}"
        assert "Facilitator view" not in page


def test_facilitator_view_without_the_right_key_is_the_participant_view(
    workshop: Workshop, facilitator_key: str
) -> None:
    participant = WorkshopApp(workshop)
    participant.location.query = "?module=02-conduct"
    for query in ("?view=facilitator", "?view=facilitator&key=", f"?view=facilitator&key={facilitator_key[:-1]}x"):
        app = WorkshopApp(workshop)
        app.location.query = query + "&module=02-conduct"
        assert not app.facilitator
        assert app.facilitator_panel.value == ""
        assert visible_text(app) == visible_text(participant)


def test_facilitator_view_shows_notes_and_keys_on_every_module(workshop: Workshop, facilitator_key: str) -> None:
    app = WorkshopApp(workshop)
    app.location.query = f"?view=facilitator&key={facilitator_key}"
    assert app.facilitator
    app.go("01-rights")
    panel = app.facilitator_panel.value
    assert "Facilitator view: notes and answer keys. Do not project this." in panel
    first = workshop.quizzes["01-rights"].questions[0]
    right = next(option for option in first.options if option.correct)
    assert f'<li id="key-{first.id}">' in panel
    assert right.text in panel
    app.go("03-ending")
    assert "A path to a good ending:" in app.facilitator_panel.value


def test_guide_holds_every_answer_and_every_agenda(workshop: Workshop) -> None:
    body = guide_body(workshop)
    for quiz in workshop.quizzes.values():
        for question in quiz.questions:
            assert f'id="key-{question.id}"' in body
    if workshop.activities.agendas is not None:
        for agenda in workshop.activities.agendas.agendas:
            assert f"{agenda.title} ({agenda.minutes} minutes)" in body


def feedback_texts(workshop: Workshop) -> list[tuple[str, str, str]]:
    """Every explanation and every piece of feedback in the content: (where from, which text, the text as a probe).

    What a learner reads only after answering: quiz explanations, each option's feedback and ``missed`` text and
    the score bands; each exercise item's explanation; each scenario choice's feedback; the assessment's
    explanations and feedback. Endings' debriefs are left out on purpose: a paper scenario prints each ending with
    its debrief, as the app shows it when a group reaches that ending.
    """
    texts: list[tuple[str, str, str]] = []
    for module_id, quiz in workshop.quizzes.items():
        texts += [("quiz", f"{module_id} score from {band.from_percent}%", band.text) for band in quiz.score_feedback]
        for question in quiz.questions:
            texts.append(("quiz", f"{question.id} explanation", question.explanation))
            for index, option in enumerate(question.options):
                texts.append(("quiz", f"{question.id} option {index} feedback", option.feedback))
                if option.missed:
                    texts.append(("quiz", f"{question.id} option {index} missed", option.missed))
    for exercise in workshop.exercises.values():
        texts += [("exercise", f"{exercise.id} {item.id} explanation", item.explanation) for item in exercise.items]
    for scenario in workshop.scenarios.values():
        for node_id, node in scenario.nodes.items():
            for index, choice in enumerate(node.choices):
                texts.append(("scenario", f"{scenario.id} {node_id} choice {index} feedback", choice.feedback))
    if workshop.activities.assessment is not None:
        for item in workshop.activities.assessment.items:
            texts.append(("assessment", f"{item.id} explanation", item.explanation))
            for index, option in enumerate(item.options):
                texts.append(("assessment", f"{item.id} option {index} feedback", option.feedback))
    return [(source, where, probe(text)) for source, where, text in texts]


def held_texts(workshop: Workshop, module_id: str) -> list[str]:
    """What a module's handout is meant to hold, as probes: prompts and options, exercise items, scenario choices."""
    texts = []
    if module_id in workshop.quizzes:
        for question in workshop.quizzes[module_id].questions:
            texts += [question.prompt, *(option.text for option in question.options)]
    for activity_id, owner in workshop.activities.module_of.items():
        if owner == module_id and activity_id in workshop.exercises:
            texts += [item.text for item in workshop.exercises[activity_id].items]
        elif owner == module_id and activity_id in workshop.scenarios:
            texts += [
                choice.label for node in workshop.scenarios[activity_id].nodes.values() for choice in node.choices
            ]
    return [probe(text) for text in texts]


@pytest.fixture(scope="module")
def written_handouts(workshop: Workshop, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every HTML page ``therapy-workshop handouts`` writes, by file name: the text a reader sees in its body."""
    written = write_handouts(workshop, tmp_path_factory.mktemp("handouts"))
    pages = {path.name: path.read_text(encoding="utf-8") for path in written if path.suffix == ".html"}
    return {name: plain_text(page.split("<body", 1)[1]) for name, page in pages.items()}


def test_handouts_show_no_explanation_and_no_feedback(workshop: Workshop, written_handouts: dict[str, str]) -> None:
    """No participant's handout shows any explanation or feedback from anywhere in the content.

    Every such text is looked for in every handout, not only its own module's. The same comparison finds what each
    handout does hold, and finds every quiz and exercise explanation in the facilitator's answer sheet written
    beside the handouts, so a probe that could never match fails here instead of passing.
    """
    handouts = dict(written_handouts)
    answer_sheet = handouts.pop("answer-sheet.html")
    assert sorted(handouts) == sorted(f"handout-{module.id}.html" for module in workshop.modules[1:])
    hidden = feedback_texts(workshop)
    assert {source for source, _where, _text in hidden} == {"quiz", "exercise", "scenario", "assessment"}
    for name, body in handouts.items():
        held = held_texts(workshop, name.removeprefix("handout-").removesuffix(".html"))
        assert held, name
        assert [text for text in held if text not in body] == [], name
        assert [where for _source, where, text in hidden if text in body] == [], f"{name} shows answers"
    keys = [
        (where, text) for source, where, text in hidden if source in {"quiz", "exercise"} and "explanation" in where
    ]
    assert keys and [where for where, text in keys if text not in answer_sheet] == []


def test_every_handout_says_how_to_leave_quickly_and_what_the_device_keeps(
    workshop: Workshop, written_handouts: dict[str, str]
) -> None:
    line = plain_text(str(html("<p>{}</p>", workshop.ui.safety_handout)))  # as text, as the handouts are read
    handouts = {name: body for name, body in written_handouts.items() if name.startswith("handout-")}
    assert handouts and [name for name, body in handouts.items() if line not in body] == []


def test_handouts_hold_the_questions_with_a_box_to_tick(workshop: Workshop) -> None:
    assert workshop.quizzes
    for module_id, quiz in workshop.quizzes.items():
        page = handout_body(workshop, module_id)
        body = plain_text(page)
        for question in quiz.questions:
            assert shown(question.prompt) in body
        # each option has a box to tick: round for one answer, square for several (drawn, not a character)
        kinds = {question.kind for question in quiz.questions}
        assert ('class="tw-tick-one"' in page) == bool(kinds - {"multiple"})
        assert ('class="tw-tick-many"' in page) == ("multiple" in kinds)


def test_paper_scenario_has_every_node_and_its_links_resolve(workshop: Workshop) -> None:
    for scenario in workshop.scenarios.values():
        html = paper_scenario_html(scenario)
        numbers = scenario_numbers(scenario)
        assert sorted(numbers) == sorted(scenario.nodes)
        sections = set(re.findall(r'<h4 id="s(\d+)">§\1\.', html))
        assert sections == {str(number) for number in numbers.values()}
        for target in re.findall(r"turn to §(\d+)", html):
            assert target in sections


def test_agenda_checks_catch_wrong_sums_and_unknown_modules() -> None:
    agendas = AgendasFile.model_validate(
        {
            "agendas": [
                {
                    "id": "short",
                    "title": "Short",
                    "minutes": 60,
                    "parts": [
                        {"module": "01-rights", "minutes": 30},
                        {"break": 10},
                        {"module": "09-nothing", "minutes": 10},
                    ],
                }
            ]
        }
    )
    assert list(agenda_findings(agendas, {"01-rights"})) == [
        (("agendas", 0, "minutes"), "the parts add up to 50 minutes, not 60"),
        (("agendas", 0, "parts", 2, "module"), "'09-nothing' is not a module id"),
    ]


def test_agenda_part_must_be_a_module_or_a_break() -> None:
    with pytest.raises(ValueError, match="either 'module: <id>' with 'minutes', or 'break: <minutes>'"):
        AgendasFile.model_validate(
            {"agendas": [{"id": "x", "title": "X", "minutes": 10, "parts": [{"module": "01-rights", "break": 10}]}]}
        )


def test_guide_and_handouts_are_written_as_html_and_pdf(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "documents"  # never the repository's build/
    assert main(["guide", "--out", str(out / "guide"), "--root", str(repo_root)]) == 0
    assert main(["handouts", "--out", str(out / "handouts"), "--root", str(repo_root)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(out / "guide" / "facilitator-guide.pdf") in printed
    assert str(out / "handouts" / "answer-sheet.html") in printed
    guide_pdf = PdfReader(out / "guide" / "facilitator-guide.pdf")
    assert len(guide_pdf.pages) > 3
    assert "Facilitator guide" in guide_pdf.pages[0].extract_text()
    handout = (out / "handouts" / "handout-01-rights.html").read_text(encoding="utf-8")
    assert handout.startswith('<!DOCTYPE html><html lang="en">')
    assert "http" not in re.sub(r'href="https://[^"]*"', "", handout.split("<body>")[0])  # no external requests
