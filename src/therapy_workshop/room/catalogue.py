"""What a room can count: every activity of the workshop with a stable key and the answers it allows.

The catalogue is the contract between the widgets that send answers, the store that checks them and the
facilitator's bars. A key names one countable moment (``quiz:02-conduct:former-client``); its options name every
answer the store accepts, with a label for the facilitator and, where the content has one, which answer is
right. Anything not in the catalogue is refused, so a forged write can never add a row the facilitator would see.

It is built from the loaded workshop in every kernel that uses a room, so it reads content by attribute only
(pydantic models and the snapshot's light records look the same) and renders no Markdown: labels are the
source text with its emphasis and links stripped, which takes well under a millisecond per activity.

Keys and the answers they take (what :func:`therapy_workshop.room.answers.stored_answer` accepts):

=====================================  ==========================================================================
``quiz:<module>:<question>``           option indexes, e.g. ``[1]``; single and true/false take exactly one,
                                       multiple-choice one or more, each once
``sort:<exercise>:<item>``             a category id of that categorise exercise
``order:<exercise>``                   ``"right"`` or ``"not-right"``: the ordering on its first check
``choice:<scenario>:<node>``           the index into that node's ``choices`` (not the position on offer)
``ending:<scenario>``                  the id of the ending node reached
``assessment:<pre|post>:<topic>``      a score band of the topic: ``"0-49"``, ``"50-74"`` or ``"75-100"``
=====================================  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

ActivityKind = Literal["quiz", "sort", "order", "choice", "ending", "assessment"]

#: Assessment score bands, as (stored value, lowest percent, highest percent). Counted per band, never per
#: person: three bands are coarse enough that a band says nothing about who is in it, and fine enough to show
#: a room moving from "mostly under half" to "mostly three quarters or more" between the pre and post rounds.
SCORE_BANDS: tuple[tuple[str, int, int], ...] = (("0-49", 0, 49), ("50-74", 50, 74), ("75-100", 75, 100))
ORDER_RIGHT = "right"
ORDER_NOT_RIGHT = "not-right"
LABEL_LENGTH = 140


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One answer the facilitator's bars can show.

    ``value`` is what the store keeps and :meth:`RoomStore.counts` reports (always a string, so it is a JSON key
    as it is). ``expected`` is ``True`` for the right answer where the content has one (a quiz option marked
    correct, an item's category, a right ordering), ``False`` for the others there, and ``None`` where there is
    no right answer (a scenario choice, an ending, a score band). ``note`` carries an ending's kind (good, mixed,
    poor) so the view can word it from ``ui.yaml``.
    """

    value: str
    label: str
    expected: bool | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """A countable activity: a quiz question, sorted item, ordering, scenario decision, ending or assessment topic.

    ``label`` is what the facilitator reads (the prompt, the item, the node's title; for an ordering or the
    endings of a scenario, its title), in plain text and at most :data:`LABEL_LENGTH` characters. ``group`` is
    the quiz, exercise, scenario or assessment round it belongs to. ``debrief`` is the name the module's
    ``facilitator.yaml`` uses for it under ``debriefs`` (``quiz``, the exercise or scenario id, ``assessment``),
    and ``module_id`` the module it is in. ``multiple`` marks a question where one answer ticks several options:
    its option counts add up to more than the number of people who answered.
    """

    key: str
    kind: ActivityKind
    module_id: str | None
    debrief: str
    group: str
    label: str
    options: tuple[AnswerOption, ...]
    multiple: bool = False
    values: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", frozenset(option.value for option in self.options))

    @property
    def expected_values(self) -> tuple[str, ...]:
        """The values of the right answer's options, in order (empty where nothing is right or wrong)."""
        return tuple(option.value for option in self.options if option.expected)


class Catalogue(Mapping[str, Activity]):
    """Every countable activity of one workshop by key, in the order the workshop presents them."""

    def __init__(self, activities: list[Activity]) -> None:
        self._activities: dict[str, Activity] = {}
        for activity in activities:
            if activity.key in self._activities:
                raise ValueError(f"two activities have the key {activity.key!r}")
            self._activities[activity.key] = activity

    def __getitem__(self, key: str) -> Activity:
        return self._activities[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._activities)

    def __len__(self) -> int:
        return len(self._activities)

    @property
    def largest_batch(self) -> int:
        """The most answers one learner action can send at once.

        Checking a categorise exercise answers every item together, and finishing an assessment every topic;
        everything else sends one. The store's rate limit and batch cap are sized from this, so a real learner
        is never refused.
        """
        batches: dict[str, int] = {}
        for activity in self._activities.values():
            if activity.kind in ("sort", "assessment"):
                batch = activity.key.rsplit(":", 1)[0]
                batches[batch] = batches.get(batch, 0) + 1
        return max([1, *batches.values()])


def score_band(right: int, total: int) -> str:
    """The band (a :data:`SCORE_BANDS` value) of ``right`` answers out of ``total``, by whole percent."""
    if total <= 0 or not 0 <= right <= total:
        raise ValueError(f"a topic score is 0 to {total} right out of {total}, not {right}")
    percent = 100 * right // total
    return next(value for value, low, high in SCORE_BANDS if low <= percent <= high)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_MARKS = re.compile(r"\*\*|__|~~|[*`]|(?<!\w)_|_(?!\w)")
_SPACE = re.compile(r"\s+")


def plain_label(markdown: str, limit: int = LABEL_LENGTH) -> str:
    """Source Markdown as one short line of plain text: links become their text, emphasis marks go.

    Not a Markdown renderer, on purpose: labels are built in every kernel that joins a room, and the content
    uses only emphasis and links in the places labels come from.
    """
    text = _SPACE.sub(" ", _MARKS.sub("", _TAG.sub("", _LINK.sub(r"\1", markdown)))).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def build_catalogue(workshop: Any) -> Catalogue:
    """The catalogue of a loaded workshop (models or snapshot records alike).

    Order: the pre-assessment, then module by module its quiz, exercises and scenarios, then the
    post-assessment; the facilitator's list reads like the workshop.
    """
    activities: list[Activity] = []
    module_of: Mapping[str, str] = workshop.activities.module_of
    module_ids = [module.id for module in workshop.modules]
    bank = workshop.activities.assessment
    if bank is not None:
        activities += _assessment(bank, "pre", module_ids[0] if module_ids else None, workshop.ui.before_label)
    for module_id in module_ids:
        if module_id in workshop.quizzes:
            activities += _quiz(module_id, workshop.quizzes[module_id])
        for exercise_id, exercise in workshop.exercises.items():
            if module_of.get(exercise_id) == module_id:
                activities += _exercise(exercise, module_id, workshop.ui)
        for scenario_id, scenario in workshop.scenarios.items():
            if module_of.get(scenario_id) == module_id:
                activities += _scenario(scenario, module_id)
    # Anything no module claims still counts (a module list edited without its activities).
    for exercise_id, exercise in workshop.exercises.items():
        if exercise_id not in module_of:
            activities += _exercise(exercise, None, workshop.ui)
    for scenario_id, scenario in workshop.scenarios.items():
        if scenario_id not in module_of:
            activities += _scenario(scenario, None)
    if bank is not None:
        activities += _assessment(bank, "post", module_ids[-1] if module_ids else None, workshop.ui.after_label)
    return Catalogue(activities)


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def current_catalogue() -> Catalogue:
    """The catalogue of this process's workshop, built once (every room in a kernel shares it)."""
    from therapy_workshop.store.current import get_workshop

    return build_catalogue(get_workshop())


def _quiz(module_id: str, quiz: Any) -> Iterator[Activity]:
    group = plain_label(quiz.title)
    for question in quiz.questions:
        yield Activity(
            key=f"quiz:{module_id}:{question.id}",
            kind="quiz",
            module_id=module_id,
            debrief="quiz",
            group=group,
            label=plain_label(question.prompt),
            options=tuple(
                AnswerOption(str(index), plain_label(option.text), bool(option.correct))
                for index, option in enumerate(question.options)
            ),
            multiple=question.kind == "multiple",
        )


def _exercise(exercise: Any, module_id: str | None, ui: Any) -> Iterator[Activity]:
    group = plain_label(exercise.title)
    if exercise.kind == "categorise":
        for item in exercise.items:
            yield Activity(
                key=f"sort:{exercise.id}:{item.id}",
                kind="sort",
                module_id=module_id,
                debrief=exercise.id,
                group=group,
                label=plain_label(item.text),
                options=tuple(
                    AnswerOption(category.id, plain_label(category.label), category.id == item.category)
                    for category in exercise.categories
                ),
            )
    elif exercise.kind == "ordering":
        yield Activity(
            key=f"order:{exercise.id}",
            kind="order",
            module_id=module_id,
            debrief=exercise.id,
            group=group,
            label=group,
            options=(
                AnswerOption(ORDER_RIGHT, plain_label(ui.review_right), True),
                AnswerOption(ORDER_NOT_RIGHT, plain_label(ui.review_not_right), False),
            ),
        )
    # Other kinds have nothing with one countable first answer; they are left out rather than guessed at.


def _scenario(scenario: Any, module_id: str | None) -> Iterator[Activity]:
    group = plain_label(scenario.title)
    endings: list[AnswerOption] = []
    for node_id, node in scenario.nodes.items():
        if node.is_ending:
            endings.append(AnswerOption(node_id, plain_label(node.title), None, node.ending))
            continue
        yield Activity(
            key=f"choice:{scenario.id}:{node_id}",
            kind="choice",
            module_id=module_id,
            debrief=scenario.id,
            group=group,
            label=plain_label(node.title),
            options=tuple(
                AnswerOption(str(index), plain_label(choice.label)) for index, choice in enumerate(node.choices)
            ),
        )
    yield Activity(
        key=f"ending:{scenario.id}",
        kind="ending",
        module_id=module_id,
        debrief=scenario.id,
        group=group,
        label=group,
        options=tuple(endings),
    )


def _assessment(bank: Any, when: str, module_id: str | None, group: str) -> Iterator[Activity]:
    # The pre-assessment is on the start page (the first module), the post-assessment in the review (the last);
    # see therapy_workshop.widgets.assessment.
    for topic in bank.topics:
        yield Activity(
            key=f"assessment:{when}:{topic.id}",
            kind="assessment",
            module_id=module_id,
            debrief="assessment",
            group=plain_label(group),
            label=plain_label(topic.label),
            options=tuple(AnswerOption(value, f"{low}–{high}%") for value, low, high in SCORE_BANDS),
        )
