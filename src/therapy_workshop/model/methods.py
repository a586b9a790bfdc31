"""What content objects can tell you beyond their fields, written once for both of their forms.

Content is validated into pydantic models (:mod:`content` and friends). A participant's kernel instead reads
the already-validated snapshot into light records (:mod:`snapshot`) so it never imports pydantic. Both forms
get these functions: the models through one-line wrappers, the records through :data:`RECORD_METHODS`.
A test checks that every model method or property has its record twin and that both give the same answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from therapy_workshop.model.content import CategoriseExercise, Question, QuizFile, UIStrings
    from therapy_workshop.model.facilitation import AgendaPart
    from therapy_workshop.model.process import ProcessFile, Stage
    from therapy_workshop.model.scenario import Scenario, ScenarioNode


def correct_indexes(question: Question) -> frozenset[int]:
    """Indexes of the options that make up the right answer."""
    return frozenset(index for index, option in enumerate(question.options) if option.correct)


def feedback_for(quiz: QuizFile, percent: float) -> str:
    """The text of the highest score band whose ``from`` the score reaches."""
    chosen = quiz.score_feedback[0]
    for band in quiz.score_feedback:
        if percent >= band.from_percent:
            chosen = band
    return chosen.text


def category_ids(exercise: CategoriseExercise) -> list[str]:
    """Category ids in the order they are offered."""
    return [category.id for category in exercise.categories]


def format_ui(ui: UIStrings, name: str, **values: Any) -> str:
    """Fill ``{placeholders}`` in the interface string called ``name``."""
    text: str = getattr(ui, name)
    return text.format(**values)


def is_ending(node: ScenarioNode) -> bool:
    """Whether the story stops at this node."""
    return node.ending is not None


def endings(scenario: Scenario) -> dict[str, ScenarioNode]:
    """A scenario's ending nodes by id."""
    return {node_id: node for node_id, node in scenario.nodes.items() if node.is_ending}


def stage(process: ProcessFile, stage_id: str) -> Stage:
    """The complaint-process stage called ``stage_id``."""
    for candidate in process.stages:
        if candidate.id == stage_id:
            return candidate
    raise KeyError(f"no stage {stage_id!r} in content/process/complaint.yaml")


def agenda_part_length(part: AgendaPart) -> int:
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
