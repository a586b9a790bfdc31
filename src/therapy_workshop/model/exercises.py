"""Exercises: every kind in one place, with the rules each kind's file must follow.

An exercise file's ``kind:`` picks its model here (:data:`EXERCISE_KINDS`); the widget that shows it is picked
by the same word in :data:`therapy_workshop.widgets.exercises.EXERCISE_WIDGETS`. Adding a kind means a model and
its entry here, a widget, and its entry there (see the README, "For maintainers").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from therapy_workshop.model.content import QUESTION_ID, Strict, _check_pattern
from therapy_workshop.model.methods import CategoriseMethods
from therapy_workshop.model.problems import KeyPath


# ---------------------------------------------------------------------------------------------- categorise
class Category(Strict):
    """One box a learner can sort items into, e.g. "Red flag"."""

    id: str
    label: str = Field(min_length=1)
    description: str | None = None

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "category id"))


class CategoriseItem(Strict):
    """A short vignette with the category it belongs in and why."""

    id: str
    text: str = Field(min_length=1)
    category: str
    explanation: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "item id"))


class CategoriseExercise(Strict, CategoriseMethods):
    """``content/<module>/exercises/<id>.yaml`` with ``kind: categorise``: sort items into categories."""

    id: str
    kind: Literal["categorise"]
    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    categories: list[Category] = Field(min_length=2, max_length=6)
    items: list[CategoriseItem] = Field(min_length=1)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "exercise id"))


def categorise_findings(exercise: Any) -> Iterator[tuple[KeyPath, str]]:
    """Categories named twice, and items sorted into a category the exercise does not have."""
    category_ids = exercise.category_ids
    seen: set[str] = set()
    for index, category_id in enumerate(category_ids):
        if category_id in seen:
            yield ("categories", index, "id"), f"category id {category_id!r} is used twice"
        seen.add(category_id)
    for index, item in enumerate(exercise.items):
        if item.category not in category_ids:
            yield (
                ("items", index, "category"),
                f"unknown category {item.category!r}: use one of {', '.join(category_ids)}",
            )


# ---------------------------------------------------------------------------------------------- ordering
class OrderingItem(Strict):
    """A step in an ordering exercise; the file lists them in the right order."""

    id: str
    text: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "item id"))


class OrderingExercise(Strict):
    """``content/<module>/exercises/<id>.yaml`` with ``kind: ordering``."""

    id: str
    kind: Literal["ordering"]
    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    items: list[OrderingItem] = Field(min_length=3, max_length=10)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "exercise id"))


# ---------------------------------------------------------------------------------------------- every kind
#: Any exercise, whatever its kind, and any of its items (each has an ``id`` and ``sources``).
Exercise = CategoriseExercise | OrderingExercise
ExerciseItem = CategoriseItem | OrderingItem


@dataclass(frozen=True)
class ExerciseKind:
    """What ``check`` needs to know about one kind: its model, and any rule that needs the whole file.

    Rules every kind shares (item ids used once, cited sources exist) are checked for all kinds alike.
    """

    model: type[BaseModel]
    findings: Callable[[Any], Iterator[tuple[KeyPath, str]]] | None = None


EXERCISE_KINDS: dict[str, ExerciseKind] = {
    "categorise": ExerciseKind(CategoriseExercise, categorise_findings),
    "ordering": ExerciseKind(OrderingExercise),
}
