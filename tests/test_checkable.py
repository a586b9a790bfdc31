"""Quiz questions, categorise and ordering share one Check / Try again / Show answer state machine.

Each activity is driven through the same path with real content; the buttons a learner is offered at each
step and the first-attempt score must agree across all three.
"""

from __future__ import annotations

from typing import Any

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.checkable import Checkable
from therapy_workshop.widgets.exercises import build_exercise
from therapy_workshop.widgets.quiz import QuestionWidget, build_quiz


def offered(activity: Checkable) -> list[str]:
    """The buttons a learner can see, by their labels."""
    buttons = (activity.check_button, activity.retry_button, activity.show_answer_button)
    return [button.description for button in buttons if button.layout.display != "none"]


def answer_wrongly(activity: Any) -> None:
    if isinstance(activity, QuestionWidget):
        right = activity.question.correct_indexes
        activity.choose(next(index for index in range(len(activity.question.options)) if index not in right))
    elif hasattr(activity, "sort"):
        item = activity.exercise.items[0]
        activity.sort(0, next(c for c in activity.exercise.category_ids if c != item.category))
    # An ordering exercise always starts out of order: it is already a wrong answer.


def answer_rightly(activity: Any) -> None:
    if isinstance(activity, QuestionWidget):
        activity.choose(*sorted(activity.question.correct_indexes))
    elif hasattr(activity, "sort"):
        for index, item in enumerate(activity.exercise.items):
            activity.sort(index, item.category)
    else:
        activity.set_order([item.id for item in activity.exercise.items])


def first_attempt(activity: Any) -> object:
    return activity.first_result if isinstance(activity, QuestionWidget) else activity.first_score


@pytest.fixture(params=["quiz question", "categorise", "ordering"])
def activity(request: pytest.FixtureRequest, workshop: Workshop) -> Checkable:
    if request.param == "quiz question":
        return build_quiz(workshop, "01-rights").question_at(0)
    kind = request.param
    exercise_id = next(e.id for e in workshop.exercises.values() if e.kind == kind)
    widget = build_exercise(workshop, exercise_id)
    assert isinstance(widget, Checkable)
    return widget


def test_a_wrong_check_offers_try_again_and_show_answer(activity: Checkable, workshop: Workshop) -> None:
    ui = workshop.ui
    assert activity.status == "answering"
    assert offered(activity)[0] == ui.check

    answer_wrongly(activity)
    activity.check()

    assert activity.status == "checked"
    assert offered(activity)[0] == ui.try_again
    assert len(offered(activity)) == 2  # Try again and Show answer(s), never Check while feedback shows


def expected_first_attempt(activity: Any) -> object:
    """What a wrong first attempt scores, worked out before it is made."""
    if isinstance(activity, QuestionWidget):
        return "wrong"
    return activity.in_place if hasattr(activity, "in_place") else 0  # ordering: steps already in place


def test_try_again_returns_to_answering_and_keeps_the_first_attempt(activity: Checkable, workshop: Workshop) -> None:
    answer_wrongly(activity)
    expected = expected_first_attempt(activity)
    activity.check()

    activity.retry()
    assert activity.status == "answering"
    assert offered(activity)[0] == workshop.ui.check
    assert len(offered(activity)) == 2  # Check and Show answer(s)
    answer_rightly(activity)
    activity.check()  # right the second time: the first attempt's score stays what it was

    assert activity.status == "checked"
    assert offered(activity) == []
    assert first_attempt(activity) == expected


def test_show_answer_first_counts_as_a_first_attempt_not_right(activity: Checkable) -> None:
    expected = expected_first_attempt(activity)  # nothing chosen yet: quiz wrong, categorise 0 sorted
    activity.show_answer()

    assert activity.status == "revealed"
    assert offered(activity) == []
    assert first_attempt(activity) == expected
