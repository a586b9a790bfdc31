"""Modules 04 and 05 widgets: jurisdiction choice, process explorer, cases, ordering, draft, charts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.model.exercises import OrderingExercise
from therapy_workshop.model.process import (
    Body,
    Case,
    Chart,
    DraftFile,
    Jurisdiction,
    ProcessFile,
    case_findings,
    process_findings,
)
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.cases import CaseError, FollowCase
from therapy_workshop.widgets.draft import ComplaintDraft
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.jurisdiction import JurisdictionGuide, JurisdictionPicker, SharedState
from therapy_workshop.widgets.ordering import OrderingError, OrderingWidget, starting_order
from therapy_workshop.widgets.process import ProcessExplorer, chart_html

from .expected import sources_text


def stage(stage_id: str, title: str, after: list[str]) -> dict[str, Any]:
    return {
        "id": stage_id,
        "title": title,
        "summary": f"{title}.",
        "who": ["You"],
        "you_do": "Write it down.",
        "details": f"About {title.lower()}.",
        "next": after,
        "sources": ["asppb-filing-complaint"],
    }


PROCESS = ProcessFile.model_validate(
    {
        "title": "How a complaint moves",
        "stages": [
            stage("choose-body", "Finding the right body", ["intake"]),
            stage("intake", "Intake and screening", ["investigation", "referred-or-closed"]),
            stage("investigation", "Investigation", ["hearing", "dismissed"]),
            stage("referred-or-closed", "Referred or closed", []),
            stage("dismissed", "Dismissed", []),
            stage("hearing", "Hearing", []),
        ],
        "outcomes": [
            {"id": "no-action", "title": "No action", "description": "Nothing further."},
            {"id": "revocation", "title": "Revocation", "description": "Licence taken away."},
        ],
    }
)

PLACE: dict[str, Any] = {
    "id": "uk",
    "name": "United Kingdom",
    "last_checked": "2026-11-26",
    "summary": "Who regulates whom.",
    "bodies": [
        {
            "name": "HCPC",
            "covers": "Practitioner psychologists",
            "how": "Form by post or email",
            "url": "https://www.hcpc-uk.org",
            "sources": ["hcpc-standards"],
        }
    ],
    "anonymous": "Not normally acted on.",
    "time_limits": "No fixed limit is published.",
    "stage_names": {"hearing": "Final hearing before a panel"},
    "stage_notes": {"investigation": "The HCPC can require documents."},
    "outcomes": ["Caution", "Striking off"],
    "appeal": "Judicial review.",
    "register": "HCPC online register",
    "register_url": "https://www.hcpc-uk.org/check",
    "cannot_do": "It cannot award compensation.",
    "sources": ["hcpc-standards"],
}


@pytest.fixture
def places() -> dict[str, Jurisdiction]:
    return {"uk": Jurisdiction.model_validate(PLACE)}


def test_picker_and_guide_share_one_choice(workshop: Workshop, places: dict[str, Jurisdiction]) -> None:
    state = SharedState()
    picker = JurisdictionPicker(places, workshop.ui, state)
    guide = JurisdictionGuide(places, workshop.ui, workshop.sources, state)
    assert picker.dropdown.description == "Where does your therapist work?"
    assert "choose where your therapist works" in guide.body.value
    picker.dropdown.value = "uk"
    assert state.jurisdiction == "uk"
    assert "<h3>United Kingdom</h3>" in guide.body.value
    assert "It cannot award compensation." in guide.body.value
    assert "Last checked: 2026-11-26." in guide.body.value


def test_explorer_follows_the_jurisdiction(workshop: Workshop, places: dict[str, Jurisdiction]) -> None:
    state = SharedState()
    explorer = ProcessExplorer(PROCESS, places, workshop.ui, workshop.sources, state)
    explorer.select("hearing")
    assert explorer.details_text.startswith("Hearing Hearing.")
    assert "Choose where your therapist works" in explorer.details_text
    state.jurisdiction = "uk"
    assert explorer.details_text.startswith("Final hearing before a panel")
    assert explorer.stage_buttons[5].description == "Final hearing before a panel"
    explorer.select("investigation")
    assert "In United Kingdom The HCPC can require documents." in explorer.details_text
    assert "What can come next Final hearing before a panel, Dismissed" in explorer.details_text


def test_explorer_highlights_the_selected_stage_and_has_a_text_alternative(
    workshop: Workshop, places: dict[str, Jurisdiction]
) -> None:
    explorer = ProcessExplorer(PROCESS, places, workshop.ui, workshop.sources, SharedState())
    explorer.select("intake")
    svg = explorer.diagram.value
    assert svg.count('class="tw-stage tw-current"') == 1
    assert 'role="img" aria-labelledby="tw-process-text"' in svg
    assert "<li>Intake and screening → Investigation, Referred or closed</li>" in svg
    assert explorer.stage_buttons[1].button_style == "info"


def test_explorer_refuses_an_unknown_stage(workshop: Workshop, places: dict[str, Jurisdiction]) -> None:
    explorer = ProcessExplorer(PROCESS, places, workshop.ui, workshop.sources, SharedState())
    with pytest.raises(KeyError, match="no stage 'verdict'"):
        explorer.select("verdict")


def test_process_findings_catch_unknown_and_unreachable_stages() -> None:
    data = PROCESS.model_dump()
    data["stages"][0]["next"] = ["intake", "appeal"]
    data["stages"].append(stage("orphan", "Orphan", []))
    findings = list(process_findings(ProcessFile.model_validate(data)))
    assert findings == [
        (("stages", 0, "next", 1), "'appeal' is not a stage id in this file"),
        (("stages", 6, "id"), "no stage's 'next' leads here"),
    ]


CASE: dict[str, Any] = {
    "id": "fee-dispute",
    "title": "A fee dispute",
    "jurisdiction": "uk",
    "summary": "You disagree about a bill.",
    "steps": [
        {
            "stage": "choose-body",
            "question": "Where do you go?",
            "options": [{"text": "The regulator", "correct": True}, {"text": "The police"}],
            "what_happens": "You write to the regulator.",
            "why": "It covers your therapist.",
            "sources": ["asppb-filing-complaint"],
        },
        {
            "stage": "intake",
            "question": "What happens next?",
            "options": [{"text": "It investigates"}, {"text": "It says fees are outside its remit", "correct": True}],
            "what_happens": "The regulator closes it.",
            "why": "Fee disputes are out of remit.",
            "sources": ["ca-bop-complaint"],
        },
        {
            "stage": "referred-or-closed",
            "question": "Where else could you go?",
            "options": [{"text": "Small claims court", "correct": True}, {"text": "Nowhere"}],
            "what_happens": "You are pointed to other routes.",
            "why": "Regulators award no money.",
            "sources": ["ca-bop-complaint"],
        },
    ],
}


def test_case_path_must_follow_the_process() -> None:
    broken = copy.deepcopy(CASE)
    broken["steps"][1]["stage"] = "hearing"
    assert list(case_findings(Case.model_validate(broken), PROCESS, {"uk"})) == [
        (
            ("steps", 1, "stage"),
            "a complaint cannot go from 'choose-body' to 'hearing': after 'choose-body' come intake",
        ),
        (
            ("steps", 2, "stage"),
            "a complaint cannot go from 'hearing' to 'referred-or-closed': after 'hearing' come no further stages",
        ),
    ]
    assert list(case_findings(Case.model_validate(CASE), PROCESS, {"us"})) == [
        (("jurisdiction",), "unknown jurisdiction 'uk': use one of us")
    ]


@pytest.fixture
def follow(workshop: Workshop, places: dict[str, Jurisdiction]) -> FollowCase:
    return FollowCase({"fee-dispute": Case.model_validate(CASE)}, PROCESS, places, workshop.ui, workshop.sources)


def test_following_a_case_predict_then_see_what_happens(follow: FollowCase, workshop: Workshop) -> None:
    assert follow.stage_text == "Stage 1 of 3: Finding the right body"
    follow.predict(1)
    follow.reveal()
    assert follow.choices.marks == ["answer", "wrong"]
    assert follow.outcome_text == (
        "What happens You write to the regulator. Why It covers your therapist. "
        + sources_text(workshop, ["asppb-filing-complaint"])
    )
    follow.next_step()
    assert follow.stage_text == "Stage 2 of 3: Intake and screening"
    follow.predict(1)
    follow.reveal()
    follow.next_step()
    follow.predict(0)
    follow.reveal()
    assert follow.finished
    assert (
        "The case ends here. The path this case took: Finding the right body → Intake and screening → "
        "Referred or closed"
    ) in follow.outcome_text
    assert follow.predictions == {("fee-dispute", 0): False, ("fee-dispute", 1): True, ("fee-dispute", 2): True}


def test_case_asks_for_a_prediction_before_revealing(follow: FollowCase) -> None:
    follow.reveal()
    assert not follow.revealed
    assert follow.outcome_text == "Choose what you think happens next, then press Check my prediction."
    with pytest.raises(CaseError, match="check your prediction first"):
        follow.next_step()


ORDERING = OrderingExercise.model_validate(
    {
        "id": "steps",
        "kind": "ordering",
        "title": "Order the steps",
        "instructions": "Use the buttons.",
        "items": [
            {
                "id": "find",
                "text": "Find the body",
                "explanation": "Start here.",
                "sources": ["asppb-filing-complaint"],
            },
            {
                "id": "gather",
                "text": "Gather what you hold",
                "explanation": "Then collect.",
                "sources": ["ca-bop-complaint"],
            },
            {"id": "write", "text": "Write it down", "explanation": "In writing.", "sources": ["ca-bop-complaint"]},
            {"id": "send", "text": "Send it", "explanation": "Finally.", "sources": ["ca-bop-complaint"]},
        ],
    }
)


@pytest.fixture
def order(workshop: Workshop) -> OrderingWidget:
    return OrderingWidget(ORDERING, workshop.ui, workshop.sources)


def test_ordering_starts_shuffled_the_same_way_every_time(order: OrderingWidget) -> None:
    assert starting_order(ORDERING) == starting_order(ORDERING)
    assert order.order != ["find", "gather", "write", "send"]


def all_in_place(workshop: Workshop) -> str:
    """The feedback when every step of ORDERING is in place: each step with its explanation and source."""
    steps = " ".join(
        f"{item.text}: in the right place. {item.explanation} {sources_text(workshop, item.sources)}"
        for item in ORDERING.items
    )
    return f"4 of 4 steps are in the right place. {steps}"


def test_move_buttons_and_per_step_feedback(order: OrderingWidget, workshop: Workshop) -> None:
    order.set_order(["gather", "find", "write", "send"])
    order.check()
    assert order.feedback_text == (
        "2 of 4 steps are in the right place. Gather what you hold: This step belongs later. "
        "Find the body: This step belongs earlier. "
        f"Write it down: in the right place. In writing. {sources_text(workshop, ['ca-bop-complaint'])} "
        f"Send it: in the right place. Finally. {sources_text(workshop, ['ca-bop-complaint'])}"
    )
    assert order.list.marks == ["wrong", "wrong", "right", "right"]
    order.retry()
    order.move_up("find")
    assert order.order == ["find", "gather", "write", "send"]
    order.check()
    assert order.feedback_text == all_in_place(workshop)
    assert order.first_score == 2


def test_moving_past_the_ends_does_nothing_and_locked_lists_refuse(order: OrderingWidget) -> None:
    order.set_order(["find", "gather", "write", "send"])
    order.move_up("find")
    order.move_down("send")
    assert order.order == ["find", "gather", "write", "send"]
    order.check()
    with pytest.raises(OrderingError, match="call retry"):
        order.move_up("send")
    with pytest.raises(OrderingError, match="unknown item 'nope'"):
        order.retry()
        order.move_up("nope")


def test_show_answer_puts_everything_in_place(order: OrderingWidget, workshop: Workshop) -> None:
    order.show_answer()
    assert order.order == ["find", "gather", "write", "send"]
    assert order.feedback_text == all_in_place(workshop)


def test_order_list_never_holds_the_answer_key(order: OrderingWidget) -> None:
    state = repr(order.list.get_state())
    for item in ORDERING.items:
        assert item.explanation not in state


DRAFT = DraftFile.model_validate(
    {
        "title": "Draft your complaint",
        "instructions": "Nothing is saved or sent.",
        "filename": "my-complaint-draft.txt",
        "fields": [
            {"id": "what", "label": "What happened", "hint": "In order.", "lines": 5},
            {"id": "when", "label": "When", "hint": "Dates.", "lines": 1},
        ],
    }
)


def test_draft_escapes_script_and_image_tags(workshop: Workshop) -> None:
    draft = ComplaintDraft(DRAFT, workshop.ui)
    draft.fill("what", "<script>alert(1)</script>\n<img src=x onerror=alert(2)>")
    draft.fill("when", "March 2026")
    assert "<script>" not in draft.preview.value and "<img" not in draft.preview.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in draft.preview.value
    assert "&lt;img src=x onerror=alert(2)&gt;" in draft.preview.value
    assert draft.text == (
        "What happened\n-------------\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n\n"
        "When\n----\nMarch 2026\n"
    )
    assert draft.download.filename == "my-complaint-draft.txt"


def test_empty_draft_offers_nothing_to_save(workshop: Workshop) -> None:
    draft = ComplaintDraft(DRAFT, workshop.ui)
    assert draft.text == ""
    assert draft.preview_text.startswith("Your draft will appear here")
    assert draft.boxes["what"].description == "What happened"


def test_chart_is_a_labelled_table_with_source_and_year(workshop: Workshop) -> None:
    chart = Chart.model_validate(
        {
            "id": "reasons",
            "title": "Reasons for discipline",
            "jurisdiction": "US and Canada",
            "year": "1983–2005",
            "unit": "percent",
            "sources": ["asppb-filing-complaint"],
            "bars": [
                {"label": "Sexual or dual relationship", "value": 30.5},
                {"label": "Negligent practice", "value": 29.8},
            ],
        }
    )
    html = chart_html(chart, workshop.ui, workshop.sources)
    assert "<caption>Reasons for discipline (US and Canada, 1983–2005)</caption>" in html
    assert '<th scope="row">Sexual or dual relationship</th><td class="tw-value">30.5%</td>' in html
    assert 'style="width:100.0%"' in html
    assert "Sources:" in html


def test_explorer_renders_every_stage_for_every_real_jurisdiction(workshop: Workshop) -> None:
    process = workshop.activities.process
    assert process is not None
    state = SharedState()
    explorer = ProcessExplorer(process, workshop.activities.jurisdictions, workshop.ui, workshop.sources, state)
    for place in ["", *workshop.activities.jurisdictions]:
        state.jurisdiction = place
        names = {stage.id: stage.title for stage in process.stages}
        if place:
            names.update(workshop.activities.jurisdictions[place].stage_names)
        for stage in process.stages:
            explorer.select(stage.id)
            assert explorer.details_text.startswith(names[stage.id]), (place, stage.id)
            assert explorer.diagram.value.count('class="tw-stage tw-current"') == 1


def test_every_real_case_follows_the_process_to_its_end(workshop: Workshop) -> None:
    activities = workshop.activities
    assert activities.process is not None and len(activities.cases) >= 5
    follow = FollowCase(activities.cases, activities.process, activities.jurisdictions, workshop.ui, workshop.sources)
    for case_id, case in activities.cases.items():
        follow.choose_case(case_id)
        for step in case.steps:
            follow.predict(0)
            follow.reveal()
            what, why = plain_text(render_markdown(step.what_happens)), plain_text(render_markdown(step.why))
            assert f"What happens {what} Why {why}" in follow.outcome_text
            if not follow.finished:
                follow.next_step()
        assert follow.finished
        assert "The case ends here." in follow.outcome_text


@pytest.mark.parametrize("url", ["http://example.org", "javascript:alert(1)"])
def test_a_complaints_body_link_must_be_https(url: str) -> None:
    # The body's link is shown as a live link in the jurisdiction guide, like sources and support lines.
    with pytest.raises(ValidationError) as error:
        Body.model_validate({"name": "Board", "covers": "Everyone", "how": "In writing", "url": url, "sources": ["x"]})
    assert [item["msg"] for item in error.value.errors()] == ["Value error, a link must start with https://"]
