"""Exercises by id: the file's ``kind`` picks the widget that shows it, its answer key and its paper version."""

from __future__ import annotations

from typing import Any

from therapy_workshop.widgets.categorise import CategoriseWidget
from therapy_workshop.widgets.checkable import ExerciseWidget
from therapy_workshop.widgets.ordering import OrderingWidget
from therapy_workshop.widgets.place import remember
from therapy_workshop.widgets.progress import track

#: Each exercise kind's widget, by the ``kind`` its files declare (the model is in model/exercises.py).
EXERCISE_WIDGETS: dict[str, type[ExerciseWidget]] = {
    "categorise": CategoriseWidget,
    "ordering": OrderingWidget,
}


def exercise_widget_class(exercise: Any) -> type[ExerciseWidget]:
    """The widget class for ``exercise``'s kind; an unknown kind is named, never guessed."""
    widget_class = EXERCISE_WIDGETS.get(exercise.kind)  # validated models and snapshot records alike carry it
    if widget_class is None:
        raise KeyError(f"exercise {exercise.id!r} is of kind {exercise.kind!r}, which has no widget")
    return widget_class


def build_exercise(workshop: Any, exercise_id: str) -> ExerciseWidget:
    """A fresh widget for the exercise called ``exercise_id``."""
    exercise = workshop.exercises.get(exercise_id)
    if exercise is None:
        known = ", ".join(sorted(workshop.exercises)) or "none"
        raise KeyError(f"no exercise {exercise_id!r} (exercises: {known})")
    widget = exercise_widget_class(exercise)(exercise, workshop.ui, workshop.sources)
    module_id = workshop.activities.module_of.get(exercise_id, "")
    track(widget, module_id, exercise_id, "status", lambda status: status in ("checked", "revealed"))
    remember(widget, f"exercise:{exercise_id}")
    return widget
