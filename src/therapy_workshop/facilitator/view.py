"""Facilitator notes and answer keys as HTML: one set of pieces for the app's view, the guide and the answer sheet.

The same pieces feed the facilitator view of the app (``?view=facilitator``), the printed guide and the answer
sheet, so none of them can drift from the content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from therapy_workshop.html.markdown import escape, render_inline, render_markdown
from therapy_workshop.model.content import CategoriseExercise, QuizFile
from therapy_workshop.model.facilitation import FacilitatorNotes
from therapy_workshop.model.process import OrderingExercise
from therapy_workshop.model.scenario import Scenario, paths_to_endings


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


def ordering_key_html(exercise: OrderingExercise) -> str:
    """The right order of the steps, with why each stands where it does."""
    steps = "".join(
        f"<li><strong>{render_inline(item.text)}</strong>: {render_inline(item.explanation)}</li>"
        for item in exercise.items
    )
    return f"<ol>{steps}</ol>"


def categorise_key_html(exercise: CategoriseExercise) -> str:
    """Where each item belongs, with why."""
    labels = {category.id: category.label for category in exercise.categories}
    rows = "".join(
        f"<li>{render_inline(item.text)} <strong>→ {escape(labels[item.category])}</strong>"
        f"{render_markdown(item.explanation)}</li>"
        for item in exercise.items
    )
    return f"<ol>{rows}</ol>"


#: Each exercise kind's answer key. Validated models and snapshot records alike carry their ``kind``.
EXERCISE_KEYS: dict[str, Callable[[Any], str]] = {"categorise": categorise_key_html, "ordering": ordering_key_html}


def exercise_key_html(exercise: CategoriseExercise | OrderingExercise) -> str:
    """The answer key of any exercise, by its kind."""
    key = EXERCISE_KEYS.get(exercise.kind)
    if key is None:
        raise KeyError(f"exercise {exercise.id!r} is of kind {exercise.kind!r}, which has no answer key here")
    return key(exercise)


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
