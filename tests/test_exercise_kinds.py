"""Every exercise kind that check accepts has a widget and an answer key; an unknown kind is never guessed."""

from __future__ import annotations

import dataclasses

import pytest

from therapy_workshop.facilitator.view import exercise_key_html
from therapy_workshop.model.exercises import EXERCISE_KINDS
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.exercises import EXERCISE_WIDGETS, build_exercise


def test_every_kind_check_accepts_has_a_widget_an_answer_key_and_a_paper_version(workshop: Workshop) -> None:
    assert sorted(EXERCISE_WIDGETS) == sorted(EXERCISE_KINDS)
    for exercise in workshop.exercises.values():
        widget_class = EXERCISE_WIDGETS[exercise.kind]
        assert isinstance(build_exercise(workshop, exercise.id), widget_class)
        assert "<ol>" in widget_class.answer_key_html(exercise)
        assert exercise.title in widget_class.paper_html(exercise)


def test_the_workshop_uses_every_kind(workshop: Workshop) -> None:
    assert {exercise.kind for exercise in workshop.exercises.values()} == set(EXERCISE_KINDS)


def test_an_exercise_of_a_kind_without_a_widget_is_refused_by_name(workshop: Workshop) -> None:
    exercise = next(iter(workshop.exercises.values())).model_copy(update={"kind": "matching"})
    exercises = {**workshop.exercises, exercise.id: exercise}
    activities = dataclasses.replace(workshop.activities, exercises=exercises)
    odd = dataclasses.replace(workshop, activities=activities)

    with pytest.raises(KeyError) as widget_error:
        build_exercise(odd, exercise.id)
    with pytest.raises(KeyError) as key_error:
        exercise_key_html(exercise)

    assert widget_error.value.args[0] == f"exercise {exercise.id!r} is of kind 'matching', which has no widget"
    assert key_error.value.args[0] == f"exercise {exercise.id!r} is of kind 'matching', which has no widget"


def test_the_printed_ordering_lists_the_steps_shuffled_as_the_page_does_never_in_the_answers_order(
    workshop: Workshop,
) -> None:
    import re

    from therapy_workshop.widgets.ordering import OrderingWidget, starting_order

    exercise = next(item for item in workshop.exercises.values() if item.kind == "ordering")
    printed = re.findall(r"<li>(.*?)</li>", str(OrderingWidget.paper_html(exercise)))
    answer = [item.text for item in exercise.items]
    assert sorted(printed) == sorted(answer)
    assert printed == [answer[index] for index in starting_order(exercise)]
    assert printed != answer
