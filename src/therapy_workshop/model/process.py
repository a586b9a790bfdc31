"""The complaint process, jurisdictions, case files, figures, ordering exercises and the draft helper as data.

Modules 04 and 05 teach what happens to a complaint. The stages and the transitions between them are data
(``content/process/complaint.yaml``); each jurisdiction says what the stages are called there and what is
different (``content/jurisdictions/*.yaml``); case files walk a path through the stages and can only use
transitions that exist.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from therapy_workshop.model.content import (
    QUESTION_ID,
    DatedFact,
    Strict,
    _check_filename,
    _check_pattern,
    _require_https,
)
from therapy_workshop.model.methods import ProcessMethods

KeyPath = tuple[str | int, ...]


def _https(value: str | None) -> str | None:
    return _require_https(value, "a link")


class Stage(Strict):
    """One stage a complaint can reach, with who is involved and what the complainant does."""

    id: str
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    who: list[str] = Field(min_length=1)
    you_do: str = Field(min_length=1)
    duration: str | None = None
    details: str = Field(min_length=1)
    next: list[str] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "stage id"))


class Outcome(Strict):
    """A sanction, in the order of severity given by the file."""

    id: str
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)


class ProcessFile(Strict, ProcessMethods):
    """``content/process/complaint.yaml``."""

    title: str = Field(min_length=1)
    stages: list[Stage] = Field(min_length=2)
    outcomes: list[Outcome] = Field(min_length=2)


class Body(Strict):
    """An organisation that takes complaints in a jurisdiction."""

    name: str = Field(min_length=1)
    covers: str = Field(min_length=1)
    how: str = Field(min_length=1)
    url: str | None = None
    sources: list[str] = Field(min_length=1)

    _url = field_validator("url")(_https)


class Jurisdiction(Strict):
    """``content/jurisdictions/<id>.yaml``: who regulates whom in one place, and how complaints go there."""

    id: str
    name: str = Field(min_length=1)
    parent: str | None = None
    last_checked: datetime.date
    summary: str = Field(min_length=1)
    bodies: list[Body] = Field(min_length=1)
    anonymous: str = Field(min_length=1)
    time_limits: str = Field(min_length=1)
    stage_names: dict[str, str] = Field(default_factory=dict)
    stage_notes: dict[str, str] = Field(default_factory=dict)
    outcomes: list[str] = Field(min_length=1)
    appeal: str = Field(min_length=1)
    register_lookup: str = Field(alias="register", min_length=1)
    register_url: str | None = None
    cannot_do: str | None = None
    sources: list[str] = Field(min_length=1)
    dated_facts: list[DatedFact] = Field(default_factory=list)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "jurisdiction id"))
    _url = field_validator("register_url")(_https)


class Prediction(Strict):
    """One answer a learner can give to "what happens next?"."""

    text: str = Field(min_length=1)
    correct: bool = False


class CaseStep(Strict):
    """A case at one stage: the learner predicts, then sees what happens and why."""

    stage: str
    question: str = Field(min_length=1)
    options: list[Prediction] = Field(min_length=2, max_length=4)
    what_happens: str = Field(min_length=1)
    why: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _one_right(cls, options: list[Prediction]) -> list[Prediction]:
        right = sum(option.correct for option in options)
        if right != 1:
            raise ValueError(f"a prediction needs exactly one correct option (found {right})")
        return options


class Case(Strict):
    """``content/process/cases/<id>.yaml``: a fictional complaint followed stage by stage."""

    id: str
    title: str = Field(min_length=1)
    jurisdiction: str
    summary: str = Field(min_length=1)
    steps: list[CaseStep] = Field(min_length=2)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "case id"))


class Bar(Strict):
    """One bar of a chart."""

    label: str = Field(min_length=1)
    value: float = Field(ge=0)


class Chart(Strict):
    """Published figures, always labelled with where, when and who published them."""

    id: str
    title: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=1)
    year: str = Field(min_length=1)
    unit: Literal["percent", "count"]
    note: str | None = None
    sources: list[str] = Field(min_length=1)
    bars: list[Bar] = Field(min_length=2)

    _id = field_validator("id")(lambda value: _check_pattern(value, QUESTION_ID, "chart id"))

    @field_validator("year", mode="before")
    @classmethod
    def _year_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class FiguresFile(Strict):
    """``content/process/figures.yaml``."""

    charts: list[Chart] = Field(min_length=1)


class DraftField(Strict):
    """One guided question of the complaint draft helper."""

    id: str
    label: str = Field(min_length=1)
    hint: str = Field(min_length=1)
    lines: int = Field(ge=1, le=12)


class DraftFile(Strict):
    """``content/<module>/draft.yaml``: guided fields that become a written complaint draft."""

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    filename: str
    fields: list[DraftField] = Field(min_length=1)

    _filename = field_validator("filename")(_check_filename)


def process_findings(process: ProcessFile) -> Iterator[tuple[KeyPath, str]]:
    """Stage ids unique; every ``next`` names a stage; every stage but the first can be reached."""
    ids = [stage.id for stage in process.stages]
    for index, stage_id in enumerate(ids):
        if stage_id in ids[:index]:
            yield ("stages", index, "id"), f"stage id {stage_id!r} is used twice"
    known = set(ids)
    reached = {ids[0]}
    for index, stage in enumerate(process.stages):
        for next_index, target in enumerate(stage.next):
            if target not in known:
                yield ("stages", index, "next", next_index), f"{target!r} is not a stage id in this file"
            reached.add(target)
    for index, stage in enumerate(process.stages):
        if stage.id not in reached:
            yield ("stages", index, "id"), "no stage's 'next' leads here"
    outcome_ids = [outcome.id for outcome in process.outcomes]
    for index, outcome_id in enumerate(outcome_ids):
        if outcome_id in outcome_ids[:index]:
            yield ("outcomes", index, "id"), f"outcome id {outcome_id!r} is used twice"


def case_findings(case: Case, process: ProcessFile, jurisdictions: set[str]) -> Iterator[tuple[KeyPath, str]]:
    """A case may only use stages and transitions that exist, in a jurisdiction that exists."""
    if case.jurisdiction not in jurisdictions:
        yield (
            ("jurisdiction",),
            f"unknown jurisdiction {case.jurisdiction!r}: use one of {', '.join(sorted(jurisdictions))}",
        )
    stages = {stage.id: stage for stage in process.stages}
    previous = None
    for index, step in enumerate(case.steps):
        if step.stage not in stages:
            yield (
                ("steps", index, "stage"),
                f"{step.stage!r} is not a stage in content/process/complaint.yaml",
            )
            previous = None
            continue
        if previous is not None and step.stage not in stages[previous].next:
            yield (
                ("steps", index, "stage"),
                (
                    f"a complaint cannot go from {previous!r} to {step.stage!r}: "
                    f"after {previous!r} come {', '.join(stages[previous].next) or 'no further stages'}"
                ),
            )
        previous = step.stage


def jurisdiction_findings(
    jurisdiction: Jurisdiction, stage_ids: set[str], jurisdiction_ids: set[str]
) -> Iterator[tuple[KeyPath, str]]:
    """Stage names and notes must name real stages; a parent must exist."""
    for key in jurisdiction.stage_names:
        if key not in stage_ids:
            yield ("stage_names", key), f"{key!r} is not a stage id in content/process/complaint.yaml"
    for key in jurisdiction.stage_notes:
        if key not in stage_ids:
            yield ("stage_notes", key), f"{key!r} is not a stage id in content/process/complaint.yaml"
    if jurisdiction.parent is not None and jurisdiction.parent not in jurisdiction_ids:
        yield ("parent",), f"unknown jurisdiction {jurisdiction.parent!r}"
