"""Facilitator view, guide and handouts: answer keys only where a facilitator asked for them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from therapy_workshop.cli import main
from therapy_workshop.facilitator.documents import guide_body, handout_body, paper_scenario_html, scenario_numbers
from therapy_workshop.model.facilitation import AgendasFile, agenda_findings
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import WorkshopApp


def answer_texts(workshop: Workshop) -> list[str]:
    """Text that only an answer key contains: explanations and per-option feedback."""
    texts = []
    for quiz in workshop.quizzes.values():
        for question in quiz.questions:
            texts.append(question.explanation)
            texts.extend(option.feedback for option in question.options)
    for exercise in workshop.exercises.values():
        texts.extend(item.explanation for item in exercise.items)
    for scenario in workshop.scenarios.values():
        texts.extend(node.debrief for node in scenario.nodes.values() if node.debrief)
    return [" ".join(text.split())[:60] for text in texts]


def visible_html(app: WorkshopApp) -> str:
    found = []

    def walk(widget: Any) -> None:
        for name in ("value", "html", "legend_html"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                found.append(value)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(app)
    return re.sub(r"\s+", " ", " ".join(found))


def test_learner_view_holds_no_answer_key(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    for module in workshop.modules:
        app.go(module.id)
        page = visible_html(app)
        for text in answer_texts(workshop):
            assert text not in page, f"answer text on {module.id}: {text}"
        assert "Facilitator view" not in page


def test_facilitator_view_shows_notes_and_keys_on_every_module(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    app.location.query = "?view=facilitator"
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


def test_handouts_hold_the_questions_but_not_the_answers(workshop: Workshop) -> None:
    for module_id, quiz in workshop.quizzes.items():
        body = " ".join(handout_body(workshop, module_id).split())
        for question in quiz.questions:
            assert " ".join(question.explanation.split())[:60] not in body
            for option in question.options:
                assert " ".join(option.feedback.split())[:60] not in body
        assert "☐" in body


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


def test_guide_and_handouts_are_written_as_html_and_pdf(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo_root / "build" / "test-documents"
    assert main(["guide", "--out", str(out / "guide"), "--root", str(repo_root)]) == 0
    assert main(["handouts", "--out", str(out / "handouts"), "--root", str(repo_root)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(out / "guide" / "facilitator-guide.pdf") in printed
    assert str(out / "handouts" / "answer-sheet.html") in printed
    guide_pdf = PdfReader(out / "guide" / "facilitator-guide.pdf")
    assert len(guide_pdf.pages) > 3
    assert "facilitator guide" in guide_pdf.pages[0].extract_text()
    handout = (out / "handouts" / "handout-01-rights.html").read_text(encoding="utf-8")
    assert handout.startswith('<!DOCTYPE html><html lang="en">')
    assert "http" not in re.sub(r'href="https://[^"]*"', "", handout.split("<body>")[0])  # no external requests
