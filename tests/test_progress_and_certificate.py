"""Progress kept in the learner's browser, the assessment by topic, the checklist and the certificate."""

from __future__ import annotations

import base64
import datetime
import io
import json

import pytest
from pypdf import PdfReader

from therapy_workshop.model.content import AssessmentFile, ChecklistFile
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.assessment import AssessmentWidget, comparison_html
from therapy_workshop.widgets.certificate import CertificateWidget, certificate_pdf
from therapy_workshop.widgets.checklist import ChecklistWidget
from therapy_workshop.widgets.progress import (
    Progress,
    ProgressError,
    ProgressStore,
    completed_modules,
    module_status,
    parse,
    serialise,
)
from therapy_workshop.widgets.quiz import build_quiz


def test_progress_round_trips_through_its_stored_form() -> None:
    text = serialise({"01-rights": ["quiz", "visited"]}, {"pre": {"rights": [1, 2]}}, "02-conduct")
    assert json.loads(text)["version"] == 2
    stored = parse(text)
    assert (stored.completed, stored.assessment, stored.last_module) == (
        {"01-rights": ["quiz", "visited"]},
        {"pre": {"rights": [1, 2]}},
        "02-conduct",
    )


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("{not json", "it could not be read"),
        ("[1, 2]", "it is not in the expected form"),
        ('{"version": 0, "completed": {}}', "it was saved by another version of the workshop (0)"),
        ('{"version": 1, "completed": {"01-rights": "quiz"}}', "its list of completed activities is damaged"),
        (
            '{"version": 1, "completed": {}, "assessment": {"pre": {"rights": [1]}}}',
            "its assessment results are damaged",
        ),
        ('{"version": 1, "last_module": 3}', "its last module is damaged"),
    ],
)
def test_old_or_damaged_progress_is_refused_with_a_reason(stored: str, reason: str) -> None:
    with pytest.raises(ProgressError) as caught:
        parse(stored)
    assert str(caught.value) == reason


def test_damaged_progress_is_discarded_with_a_notice_not_a_crash() -> None:
    tracker = Progress()
    tracker.record("01-rights", "quiz")
    store = ProgressStore(tracker)
    store.ready = True
    store.loaded = '{"version": 99}'
    assert tracker.completed == {}
    assert tracker.notice == (
        "Your saved progress was cleared because it was saved by another version of the workshop (99). "
        "You can carry on as normal."
    )
    assert store.to_store == ""


def test_store_writes_progress_back_to_the_browser() -> None:
    tracker = Progress()
    store = ProgressStore(tracker)
    store.loaded = serialise({"01-rights": ["visited"]}, {}, "01-rights")
    store.ready = True
    tracker.record("01-rights", "quiz")
    assert json.loads(store.to_store)["completed"] == {"01-rights": ["quiz", "visited"]}
    tracker.reset()
    assert store.to_store == ""


def test_finishing_a_quiz_completes_the_module(workshop: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = Progress()
    monkeypatch.setattr("therapy_workshop.widgets.progress._PROGRESS", tracker)
    quiz = build_quiz(workshop, "01-rights")
    for _ in quiz.quiz.questions:
        quiz.next()
    assert tracker.completed == {"01-rights": ["quiz"]}
    assert module_status(workshop, tracker)["01-rights"] == (1, 1)
    assert "01-rights" in completed_modules(workshop, tracker)


CHECKLIST = ChecklistFile.model_validate(
    {
        "title": "My checklist",
        "instructions": "Tick what you want to do.",
        "filename": "my-checklist.txt",
        "sections": [{"id": "before", "label": "Before you book", "items": ["Check the register", "Ask about fees"]}],
        "notes_label": "Your own notes",
    }
)


def test_checklist_download_marks_what_was_ticked(workshop: Workshop) -> None:
    widget = ChecklistWidget(CHECKLIST, workshop.ui)
    widget.tick("before", 1)
    widget.notes_box.value = "Ask about <evening> sessions"
    assert widget.text == (
        "My checklist\n============\n\nBefore you book\n[ ] Check the register\n[x] Ask about fees\n\n"
        "Your own notes\nAsk about <evening> sessions\n"
    )


BANK = AssessmentFile.model_validate(
    {
        "title": "What do you know already?",
        "intro": "Not a test.",
        "topics": [{"id": "rights", "label": "Your rights"}, {"id": "ending", "label": "Ending therapy"}],
        "items": [
            {
                "id": "assess-a",
                "topic": "rights",
                "kind": "true_false",
                "prompt": "You may stop at any time.",
                "options": [
                    {"text": "True", "correct": True, "feedback": "Yes."},
                    {"text": "False", "feedback": "No."},
                ],
                "explanation": "Consent is ongoing.",
                "sources": ["aca-a.2.a"],
            },
            {
                "id": "assess-b",
                "topic": "ending",
                "kind": "true_false",
                "prompt": "You need a reason to stop.",
                "options": [
                    {"text": "True", "feedback": "No."},
                    {"text": "False", "correct": True, "feedback": "Yes."},
                ],
                "explanation": "No reason is needed.",
                "sources": ["aca-a.2.a"],
            },
        ],
    }
)


def test_post_assessment_compares_with_the_pre_assessment_by_topic(workshop: Workshop) -> None:
    tracker = Progress()
    pre = AssessmentWidget(BANK, "pre", workshop.ui, workshop.sources, tracker)
    assert pre.quiz is None  # questions appear only when the learner asks for them
    quiz = pre.start()
    quiz.choose(1)
    quiz.check()
    quiz.next()
    quiz.next()
    assert tracker.assessment == {"pre": {"rights": [0, 1], "ending": [0, 1]}}
    post = AssessmentWidget(BANK, "post", workshop.ui, workshop.sources, tracker)
    quiz = post.start()
    for answer in (0, 1):
        quiz.choose(answer)
        quiz.check()
        quiz.next()
    assert tracker.assessment["post"] == {"rights": [1, 1], "ending": [1, 1]}
    html = post.comparison.value
    assert '<th scope="row">Your rights</th><td class="tw-value">0 / 1</td>' in html
    assert '<td class="tw-value">1 / 1</td>' in html


def test_comparison_says_when_the_pre_assessment_was_not_taken(workshop: Workshop) -> None:
    html = comparison_html(BANK, {}, {"rights": [1, 1]}, workshop.ui)
    assert '<td class="tw-value">not taken</td>' in html


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_certificate_pdf_carries_name_modules_and_date(workshop: Workshop) -> None:
    data = certificate_pdf(
        "Zoë Nguyễn", ["Your rights in therapy", "Ending therapy"], workshop.ui, datetime.date(2026, 11, 26)
    )
    assert data.startswith(b"%PDF")
    text = " ".join(_pdf_text(data).split())
    assert "Certificate of completion" in text
    assert "Zoë Nguyễn" in text
    assert "Your rights in therapy" in text and "Ending therapy" in text
    assert "Date: 2026-11-26" in text


def test_certificate_widget_needs_a_name_and_keeps_nothing(workshop: Workshop) -> None:
    tracker = Progress()
    tracker.record("01-rights", "quiz")
    widget = CertificateWidget(workshop, tracker)
    assert widget.make() is None
    assert "Type the name to print first." in widget.message.value
    widget.name_box.value = "  Sam   Lee "
    data = widget.make()
    assert data is not None
    assert widget.download.filename == "certificate-sam-lee.pdf"
    assert base64.b64decode(widget.download.data_base64) == data
    assert "Your rights in therapy" in _pdf_text(data)
    assert "Recognising unethical conduct" not in _pdf_text(data)
