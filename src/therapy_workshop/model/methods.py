"""What content objects can tell you beyond their fields, written once for both of their forms.

Content is validated into pydantic models (:mod:`therapy_workshop.model.content` and friends). A participant's
kernel instead reads the already-validated snapshot into light records (:mod:`therapy_workshop.store.snapshot`)
so it never imports pydantic. Both forms get these functions: the models through one-line wrappers, the records
through :data:`RECORD_METHODS`. A test checks that every model method or property has its record twin and that
both give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

# The functions below describe what they read as protocols rather than by importing the models, so this module
# imports no other: the models import it at run time, and an import back (even for type checking) would make a
# cycle. mypy checks that each model satisfies its protocol where the model's wrapper calls the function.


class _Option(Protocol):
    @property
    def correct(self) -> bool: ...


class _Question(Protocol):
    @property
    def options(self) -> Sequence[_Option]: ...


class _ScoreBand(Protocol):
    @property
    def from_percent(self) -> int: ...
    @property
    def text(self) -> str: ...


class _Quiz(Protocol):
    @property
    def score_feedback(self) -> Sequence[_ScoreBand]: ...


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class _Categorised(Protocol):
    @property
    def categories(self) -> Sequence[_Identified]: ...


class _Node(Protocol):
    @property
    def ending(self) -> str | None: ...


NodeT = TypeVar("NodeT", bound=_Node, covariant=True)
StageT = TypeVar("StageT", bound=_Identified, covariant=True)


class _Story(Protocol[NodeT]):
    @property
    def nodes(self) -> Mapping[str, NodeT]: ...


class _Process(Protocol[StageT]):
    @property
    def stages(self) -> Sequence[StageT]: ...


N = TypeVar("N", bound=_Node)
S = TypeVar("S", bound=_Identified)


class _AgendaPart(Protocol):
    @property
    def break_minutes(self) -> int | None: ...
    @property
    def minutes(self) -> int | None: ...


def correct_indexes(question: _Question) -> frozenset[int]:
    """Indexes of the options that make up the right answer."""
    return frozenset(index for index, option in enumerate(question.options) if option.correct)


def feedback_for(quiz: _Quiz, percent: float) -> str:
    """The text of the highest score band whose ``from`` the score reaches."""
    chosen = quiz.score_feedback[0]
    for band in quiz.score_feedback:
        if percent >= band.from_percent:
            chosen = band
    return chosen.text


def category_ids(exercise: _Categorised) -> list[str]:
    """Category ids in the order they are offered."""
    return [category.id for category in exercise.categories]


def format_ui(ui: object, name: str, **values: Any) -> str:
    """Fill ``{placeholders}`` in the interface string called ``name``."""
    text: str = getattr(ui, name)
    return text.format(**values)


def is_ending(node: _Node) -> bool:
    """Whether the story stops at this node."""
    return node.ending is not None


def endings(scenario: _Story[N]) -> dict[str, N]:
    """A scenario's ending nodes by id."""
    return {node_id: node for node_id, node in scenario.nodes.items() if is_ending(node)}


def stage(process: _Process[S], stage_id: str) -> S:
    """The complaint-process stage called ``stage_id``."""
    for candidate in process.stages:
        if candidate.id == stage_id:
            return candidate
    raise KeyError(f"no stage {stage_id!r} in content/process/complaint.yaml")


def agenda_part_length(part: _AgendaPart) -> int:
    """Minutes an agenda part takes."""
    return part.break_minutes if part.break_minutes is not None else part.minutes or 0


#: Record class name -> its methods and properties, named as on the models.
RECORD_METHODS: dict[str, dict[str, Any]] = {
    "Question": {"correct_indexes": property(correct_indexes)},
    "AssessmentItem": {"correct_indexes": property(correct_indexes)},
    "QuizFile": {"feedback_for": feedback_for},
    "CategoriseExercise": {"category_ids": property(category_ids)},
    "UIStrings": {"format": format_ui},
    "ScenarioNode": {"is_ending": property(is_ending)},
    "Scenario": {"endings": property(endings)},
    "ProcessFile": {"stage": stage},
    "AgendaPart": {"length": property(agenda_part_length)},
}
