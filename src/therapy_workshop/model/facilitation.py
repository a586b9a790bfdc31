"""Facilitator notes, agendas and answer keys: what a facilitator needs, generated from the content.

Notes live beside each module (``content/<module>/facilitator.yaml``) and agendas in
``content/agendas.yaml``. The same HTML pieces feed the facilitator view of the app (``?view=facilitator``),
the printed guide and the answer sheet, so none of them can drift from the content.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, model_validator

from therapy_workshop.model import methods as model_methods
from therapy_workshop.model.content import CategoriseExercise, QuizFile, Strict
from therapy_workshop.html.markdown import escape, render_inline, render_markdown
from therapy_workshop.model.process import OrderingExercise
from therapy_workshop.model.scenario import Scenario, paths_to_endings

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


class AgendaPart(Strict):
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

    @property
    def length(self) -> int:
        """Minutes this part takes."""
        return model_methods.agenda_part_length(self)


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


# ---------------------------------------------------------------------------------------------- HTML pieces
def notes_html(notes: FacilitatorNotes, heading_level: int = 3) -> str:
    """A module's facilitator notes: timed parts, prompts, debriefs, misconceptions, care if distressed."""
    h, sub = f"h{heading_level}", f"h{heading_level + 1}"
    parts = "".join(
        f"<li><strong>{escape(part.title)}</strong> ({part.minutes} min){render_markdown(part.say)}</li>"
        for part in notes.parts
    )
    prompts = "".join(f"<li>{render_inline(prompt)}</li>" for prompt in notes.prompts)
    debriefs = "".join(
        f"<li><strong>{escape(debrief.activity)}</strong>{render_markdown(debrief.notes)}</li>"
        for debrief in notes.debriefs
    )
    beliefs = "".join(
        f"<li><strong>{escape(item.belief)}</strong> {escape(item.correction)}</li>" for item in notes.misconceptions
    )
    return (
        f"<{h}>Session plan</{h}><ol>{parts}</ol><{sub}>Discussion prompts</{sub}><ul>{prompts}</ul>"
        + (f"<{sub}>Debriefing the activities</{sub}><ul>{debriefs}</ul>" if debriefs else "")
        + (f"<{sub}>Common misconceptions</{sub}><ul>{beliefs}</ul>" if beliefs else "")
        + f"<{sub}>If someone is distressed or discloses something</{sub}>{render_markdown(notes.if_distressed)}"
    )


def quiz_key_html(quiz: QuizFile) -> str:
    """Every question with its right answer(s) and explanation."""
    items = []
    for question in quiz.questions:
        answers = "; ".join(render_inline(option.text) for option in question.options if option.correct)
        items.append(
            f'<li id="key-{escape(question.id)}"><p>{render_inline(question.prompt)} '
            f"<em>({escape(question.id)})</em></p>"
            f"<p><strong>Answer:</strong> {answers}</p>{render_markdown(question.explanation)}</li>"
        )
    return f'<ol class="tw-key">{"".join(items)}</ol>'


def exercise_key_html(exercise: CategoriseExercise | OrderingExercise) -> str:
    """Where each item belongs (categorise) or the right order (ordering), with why."""
    if exercise.kind == "ordering":  # validated models and snapshot records alike carry their kind
        steps = "".join(
            f"<li><strong>{render_inline(item.text)}</strong>: {render_inline(item.explanation)}</li>"
            for item in exercise.items
        )
        return f"<ol>{steps}</ol>"
    labels = {category.id: category.label for category in exercise.categories}
    rows = "".join(
        f"<li>{render_inline(item.text)} <strong>→ {escape(labels[item.category])}</strong>"
        f"{render_markdown(item.explanation)}</li>"
        for item in exercise.items
    )
    return f"<ol>{rows}</ol>"


def scenario_key_html(scenario: Scenario) -> str:
    """The best path (to a good ending) and what every ending teaches."""
    paths = paths_to_endings(scenario)
    good = [node_id for node_id, node in scenario.endings.items() if node.ending == "good" and node_id in paths]
    best = ""
    if good:
        steps = paths[good[0]]
        moves = "".join(
            f"<li>{escape(scenario.nodes[node_id].title)}: "
            f"<em>{escape(scenario.nodes[node_id].choices[index].label)}</em></li>"
            for node_id, index in steps
        )
        best = f"<p><strong>A path to a good ending:</strong></p><ol>{moves}</ol>"
    endings = "".join(
        f"<li><strong>{escape(node.title)}</strong> ({escape(node.ending or '')})"
        f"{render_markdown(node.debrief or '')}</li>"
        for node in scenario.endings.values()
    )
    return f"{best}<p><strong>What each ending teaches:</strong></p><ul>{endings}</ul>"


def module_answer_keys_html(workshop: Any, module_id: str, heading_level: int = 3) -> str:
    """All answer keys of a module: quiz, exercises, scenarios."""
    h = f"h{heading_level}"
    pieces = []
    quiz = workshop.quizzes.get(module_id)
    if quiz is not None:
        pieces.append(f"<{h}>Answer key: {escape(quiz.title)}</{h}>{quiz_key_html(quiz)}")
    for activity_id, owner in workshop.activities.module_of.items():
        if owner != module_id:
            continue
        if activity_id in workshop.exercises:
            exercise = workshop.exercises[activity_id]
            pieces.append(f"<{h}>Answer key: {escape(exercise.title)}</{h}>{exercise_key_html(exercise)}")
        elif activity_id in workshop.scenarios:
            scenario = workshop.scenarios[activity_id]
            pieces.append(f"<{h}>Scenario guide: {escape(scenario.title)}</{h}>{scenario_key_html(scenario)}")
    return "".join(pieces)


def facilitator_panel_html(workshop: Any, module_id: str) -> str:
    """What the app shows above a module in the facilitator view, clearly marked as such."""
    notes = workshop.activities.facilitator_notes.get(module_id)
    body = notes_html(notes) if notes is not None else "<p>No facilitator notes for this module yet.</p>"
    return (
        '<section class="tw-facilitator" aria-label="Facilitator notes and answer keys">'
        '<p class="tw-facilitator-badge">Facilitator view: notes and answer keys. Do not project this.</p>'
        f"{body}{module_answer_keys_html(workshop, module_id)}</section>"
    )
