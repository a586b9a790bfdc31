"""Facilitator notes and agendas as content types, with the rules that keep their timings honest.

Notes live beside each module (``content/<module>/facilitator.yaml``) and agendas in ``content/agendas.yaml``.
How they are shown (the app's facilitator view, the printed guide) lives in :mod:`therapy_workshop.facilitator`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field, model_validator

from therapy_workshop.model.content import Strict
from therapy_workshop.model.methods import AgendaPartMethods

KeyPath = tuple[str | int, ...]


class Part(Strict):
    """A timed part of a module session."""

    title: str = Field(min_length=1)
    minutes: int = Field(gt=0, le=240)
    say: str = Field(min_length=1)


class Debrief(Strict):
    """How to debrief one activity of the module."""

    activity: str = Field(min_length=1)
    notes: str = Field(min_length=1)


class Misconception(Strict):
    """A common wrong belief and its correction."""

    belief: str = Field(min_length=1)
    correction: str = Field(min_length=1)


class FacilitatorNotes(Strict):
    """``content/<module>/facilitator.yaml``."""

    parts: list[Part] = Field(min_length=1)
    prompts: list[str] = Field(min_length=1)
    debriefs: list[Debrief] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(default_factory=list)
    if_distressed: str = Field(min_length=1)


class AgendaPart(Strict, AgendaPartMethods):
    """A module or a break in an agenda."""

    module: str | None = None
    break_minutes: int | None = Field(default=None, alias="break", gt=0)
    minutes: int | None = Field(default=None, gt=0)
    note: str | None = None

    @model_validator(mode="after")
    def _module_or_break(self) -> AgendaPart:
        if (self.module is None) == (self.break_minutes is None):
            raise ValueError("each part is either 'module: <id>' with 'minutes', or 'break: <minutes>'")
        if self.module is not None and self.minutes is None:
            raise ValueError("a module part needs 'minutes'")
        return self


class Agenda(Strict):
    """A session plan whose parts add up to its stated length."""

    id: str
    title: str = Field(min_length=1)
    minutes: int = Field(gt=0)
    audience: str | None = None
    parts: list[AgendaPart] = Field(min_length=1)


class AgendasFile(Strict):
    """``content/agendas.yaml``."""

    agendas: list[Agenda] = Field(min_length=1)


def notes_findings(notes: FacilitatorNotes, module_minutes: int, activities: set[str]) -> Iterator[tuple[KeyPath, str]]:
    """Timings must add up to the module's minutes; debriefs must name the module's activities."""
    total = sum(part.minutes for part in notes.parts)
    if total != module_minutes:
        yield ("parts",), f"the parts add up to {total} minutes, but modules.yaml gives this module {module_minutes}"
    for index, debrief in enumerate(notes.debriefs):
        if debrief.activity not in activities:
            known = ", ".join(sorted(activities)) or "none"
            yield ("debriefs", index, "activity"), f"{debrief.activity!r} is not an activity of this module ({known})"


def agenda_findings(agendas: AgendasFile, module_ids: set[str]) -> Iterator[tuple[KeyPath, str]]:
    """Every agenda's parts add up to its length and name real modules."""
    seen: set[str] = set()
    for index, agenda in enumerate(agendas.agendas):
        if agenda.id in seen:
            yield ("agendas", index, "id"), f"agenda id {agenda.id!r} is used twice"
        seen.add(agenda.id)
        total = sum(part.length for part in agenda.parts)
        if total != agenda.minutes:
            yield ("agendas", index, "minutes"), f"the parts add up to {total} minutes, not {agenda.minutes}"
        for part_index, part in enumerate(agenda.parts):
            if part.module is not None and part.module not in module_ids:
                yield ("agendas", index, "parts", part_index, "module"), f"{part.module!r} is not a module id"
