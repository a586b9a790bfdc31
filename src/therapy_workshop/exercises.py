"""Exercises by id: the file's ``kind`` picks the widget (categorise or ordering)."""

from __future__ import annotations

from typing import Any

from .categorise import CategoriseWidget
from .content import CategoriseExercise
from .ordering import OrderingWidget


def build_exercise(workshop: Any, exercise_id: str) -> CategoriseWidget | OrderingWidget:
    """A fresh widget for the exercise called ``exercise_id``."""
    exercise = workshop.exercises.get(exercise_id)
    if exercise is None:
        known = ", ".join(sorted(workshop.exercises)) or "none"
        raise KeyError(f"no exercise {exercise_id!r} (exercises: {known})")
    if isinstance(exercise, CategoriseExercise):
        return CategoriseWidget(exercise, workshop.ui, workshop.sources)
    return OrderingWidget(exercise, workshop.ui, workshop.sources)
