"""What content objects can tell you beyond their fields, written once for both of their forms.

Content is validated into pydantic models (:mod:`therapy_workshop.model.content` and friends). A participant's
kernel instead reads the already-validated snapshot into light records (:mod:`therapy_workshop.store.snapshot`)
so it never imports pydantic. Both forms get their methods from the same mixin classes below: a model lists its
mixin among its bases, and a record of that model is made with the mixins that name it in ``serves``. A method
is written once, in one place; nothing has to be kept in step by hand.

This module imports no other module of the package: the models import it, and an import back (even for type
checking) would make a cycle. The mixins describe what they read as protocols, and mypy checks each model
against them where the model inherits the mixin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypeVar


class Methods:
    """Base of the mixins; ``serves`` names the content types (model class names) a mixin belongs to."""

    #: model class name -> the mixins whose methods its records get (filled as the mixins are defined)
    by_model: ClassVar[dict[str, tuple[type, ...]]] = {}

    def __init_subclass__(cls, serves: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in serves:
            Methods.by_model[name] = (*Methods.by_model.get(name, ()), cls)


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


N = TypeVar("N", bound=_Node)
S = TypeVar("S", bound=_Identified)
N_co = TypeVar("N_co", bound=_Node, covariant=True)
S_co = TypeVar("S_co", bound=_Identified, covariant=True)


class _Story(Protocol[N_co]):
    @property
    def nodes(self) -> Mapping[str, N_co]: ...


class _Process(Protocol[S_co]):
    @property
    def stages(self) -> Sequence[S_co]: ...


class _AgendaPart(Protocol):
    @property
    def break_minutes(self) -> int | None: ...
    @property
    def minutes(self) -> int | None: ...


class QuestionMethods(Methods, serves=("Question", "AssessmentItem")):
    """A quiz or assessment question."""

    @property
    def correct_indexes(self: _Question) -> frozenset[int]:
        """Indexes of the options that make up the right answer."""
        return frozenset(index for index, option in enumerate(self.options) if option.correct)


class QuizMethods(Methods, serves=("QuizFile",)):
    """A quiz file."""

    def feedback_for(self: _Quiz, percent: float) -> str:
        """The text of the highest score band whose ``from`` the score reaches."""
        chosen = self.score_feedback[0]
        for band in self.score_feedback:
            if percent >= band.from_percent:
                chosen = band
        return chosen.text


class CategoriseMethods(Methods, serves=("CategoriseExercise",)):
    """A categorise exercise."""

    @property
    def category_ids(self: _Categorised) -> list[str]:
        """Category ids in the order they are offered."""
        return [category.id for category in self.categories]


class UIMethods(Methods, serves=("UIStrings",)):
    """The interface strings."""

    def format(self, name: str, **values: Any) -> str:
        """Fill ``{placeholders}`` in the interface string called ``name``."""
        text: str = getattr(self, name)
        return text.format(**values)


class NodeMethods(Methods, serves=("ScenarioNode",)):
    """A scenario node."""

    @property
    def is_ending(self: _Node) -> bool:
        """Whether the story stops at this node."""
        return self.ending is not None


class ScenarioMethods(Methods, serves=("Scenario",)):
    """A scenario."""

    @property
    def endings(self: _Story[N]) -> dict[str, N]:
        """A scenario's ending nodes by id."""
        return {node_id: node for node_id, node in self.nodes.items() if node.ending is not None}


class ProcessMethods(Methods, serves=("ProcessFile",)):
    """The complaint process."""

    def stage(self: _Process[S], stage_id: str) -> S:
        """The complaint-process stage called ``stage_id``."""
        for candidate in self.stages:
            if candidate.id == stage_id:
                return candidate
        raise KeyError(f"no stage {stage_id!r} in content/process/complaint.yaml")


class AgendaPartMethods(Methods, serves=("AgendaPart",)):
    """A part of an agenda."""

    @property
    def length(self: _AgendaPart) -> int:
        """Minutes this part takes."""
        return self.break_minutes if self.break_minutes is not None else self.minutes or 0
