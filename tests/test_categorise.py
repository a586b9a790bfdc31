"""The categorise exercise, driven through its Python twins."""

from __future__ import annotations

from typing import Any

import pytest

from therapy_workshop.model.exercises import CategoriseExercise
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.categorise import CategoriseWidget, ExerciseError

from .expected import sources_text

EXERCISE: dict[str, Any] = {
    "id": "practice-sort",
    "kind": "categorise",
    "title": "Practice sort",
    "instructions": "Sort each one. There is no penalty.",
    "categories": [
        {"id": "red-flag", "label": "Red flag", "description": "A serious breach."},
        {"id": "grey-area", "label": "Grey area"},
        {"id": "fine", "label": "Fine"},
    ],
    "items": [
        {
            "id": "sexual-advance",
            "text": "Your therapist asks you on a date.",
            "category": "red-flag",
            "explanation": "Codes forbid sexual relationships with clients.",
            "sources": ["apa-code"],
        },
        {
            "id": "small-gift",
            "text": "You give a card at the last session.",
            "category": "grey-area",
            "explanation": "Small gifts can be fine; it depends on context.",
            "sources": ["apa-3.05"],
        },
        {
            "id": "explains-limits",
            "text": "Your therapist explains confidentiality limits.",
            "category": "fine",
            "explanation": "This is part of informed consent.",
            "sources": ["apa-10.01"],
        },
    ],
}


@pytest.fixture
def sort(workshop: Workshop) -> CategoriseWidget:
    return CategoriseWidget(CategoriseExercise.model_validate(EXERCISE), workshop.ui, workshop.sources)


def test_each_item_is_a_labelled_group_of_category_choices(sort: CategoriseWidget) -> None:
    first = sort.items[0].choices
    assert first.legend_html == "<p>Your therapist asks you on a date.</p>\n"
    assert first.option_html == ["Red flag", "Grey area", "Fine"]
    assert not first.multiple


def test_check_marks_each_item_with_its_own_explanation(sort: CategoriseWidget, workshop: Workshop) -> None:
    sort.sort("sexual-advance", "red-flag")
    sort.sort("small-gift", "fine")
    sort.check()
    assert sort.item_feedback_text("sexual-advance") == (
        f"That's right. Codes forbid sexual relationships with clients. {sources_text(workshop, ['apa-code'])}"
    )
    assert sort.item_feedback_text("small-gift") == (
        "Not quite. Here is why. Small gifts can be fine; it depends on context. "
        + sources_text(workshop, ["apa-3.05"])
    )
    assert sort.item_feedback_text("explains-limits") == (
        "You left this one out. That's fine. Show answers if you want to see where it belongs."
    )
    assert sort.items[1].choices.marks == ["", "", "wrong"]
    assert sort.result_text == "You sorted 1 of 3 the way the sources do."


def test_try_again_keeps_right_items_and_clears_the_rest(sort: CategoriseWidget) -> None:
    sort.sort(0, "red-flag")
    sort.sort(1, "fine")
    sort.check()
    sort.retry()
    assert sort.items[0].chosen == 0
    assert sort.items[1].chosen is None
    assert sort.item_feedback_text(0) == ""
    sort.sort(1, "grey-area")
    sort.sort(2, "fine")
    sort.check()
    assert sort.result_text == "You sorted 3 of 3 the way the sources do."
    assert sort.first_score == 1
    assert sort.retry_button.layout.display == "none"


def test_show_answers_marks_where_each_item_belongs(sort: CategoriseWidget, workshop: Workshop) -> None:
    sort.sort(1, "fine")
    sort.show_answers()
    assert sort.items[1].choices.marks == ["", "answer", "wrong"]
    assert sort.item_feedback_text(1) == (
        "This one belongs in: Grey area. Small gifts can be fine; it depends on context. "
        + sources_text(workshop, ["apa-3.05"])
    )
    assert sort.item_feedback_text(2) == (
        f"This one belongs in: Fine. This is part of informed consent. {sources_text(workshop, ['apa-10.01'])}"
    )


def test_check_with_nothing_sorted_asks_for_a_choice(sort: CategoriseWidget) -> None:
    sort.check()
    assert sort.status == "answering"
    assert sort.result_text == "Choose a category for at least one item, then press Check. You can leave any item out."


@pytest.mark.parametrize(
    ("item", "category", "message"),
    [
        ("no-such-item", "fine", "no item 'no-such-item' in exercise practice-sort"),
        (7, "fine", "item 7 does not exist (there are 3 items)"),
        (0, "maybe", "unknown category 'maybe'; choose one of red-flag, grey-area, fine"),
    ],
)
def test_sorting_into_something_unknown_is_refused(
    sort: CategoriseWidget, item: int | str, category: str, message: str
) -> None:
    with pytest.raises(ExerciseError) as caught:
        sort.sort(item, category)
    assert str(caught.value) == message


def test_items_are_locked_while_feedback_shows(sort: CategoriseWidget) -> None:
    sort.sort(0, "fine")
    sort.check()
    assert all(item.choices.disabled for item in sort.items)
    with pytest.raises(ExerciseError, match="call retry"):
        sort.sort(0, "red-flag")


def test_answer_key_is_not_sent_before_checking(sort: CategoriseWidget) -> None:
    state = repr([item.choices.get_state() for item in sort.items]) + repr(
        [item.feedback.get_state() for item in sort.items]
    )
    for item in EXERCISE["items"]:
        assert item["explanation"] not in state
    assert "red-flag" not in state and "grey-area" not in state
