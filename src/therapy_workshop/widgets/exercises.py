"""Exercises by id: the file's ``kind`` picks the widget (categorise or ordering)."""

from __future__ import annotations

from typing import Any

from therapy_workshop.widgets.categorise import CategoriseWidget
from therapy_workshop.widgets.ordering import OrderingWidget
from therapy_workshop.widgets.progress import track

#: Each exercise kind's widget.
EXERCISE_WIDGETS: dict[str, type[CategoriseWidget] | type[OrderingWidget]] = {
    "categorise": CategoriseWidget,
    "ordering": OrderingWidget,
}


def build_exercise(workshop: Any, exercise_id: str) -> CategoriseWidget | OrderingWidget:
    """A fresh widget for the exercise called ``exercise_id``."""
    exercise = workshop.exercises.get(exercise_id)
    if exercise is None:
        known = ", ".join(sorted(workshop.exercises)) or "none"
        raise KeyError(f"no exercise {exercise_id!r} (exercises: {known})")
    widget_class = EXERCISE_WIDGETS.get(exercise.kind)  # models and snapshot records alike carry their kind
    if widget_class is None:
        raise KeyError(f"exercise {exercise_id!r} is of kind {exercise.kind!r}, which has no widget")
    widget = widget_class(exercise, workshop.ui, workshop.sources)
    module_id = workshop.activities.module_of.get(exercise_id, "")
    track(widget, module_id, exercise_id, "status", lambda status: status in ("checked", "revealed"))
    return widget
