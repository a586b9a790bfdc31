"""Facilitator notes and answer keys as HTML: one set of pieces for the app's view, the guide and the answer sheet.

The same pieces feed the facilitator view of the app (``?view=facilitator``), the printed guide and the answer
sheet, so none of them can drift from the content.
"""

from __future__ import annotations

from typing import Any

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.content import QuizFile
from therapy_workshop.model.exercises import Exercise
from therapy_workshop.model.facilitation import FacilitatorNotes
from therapy_workshop.model.scenario import Scenario, paths_to_endings
from therapy_workshop.widgets.exercises import exercise_widget_class


def heading(level: int, text: str) -> Markup:
    """``<h{level}>`` around ``text`` (plain text is escaped, Markup kept)."""
    return html("<h{0}>{1}</h{0}>", level, text)


def notes_html(notes: FacilitatorNotes, heading_level: int = 3) -> Markup:
    """A module's facilitator notes: timed parts, prompts, debriefs, misconceptions, care if distressed."""
    sub = heading_level + 1
    parts = join(
        html("<li><strong>{}</strong> ({} min){}</li>", part.title, part.minutes, render_markdown(part.say))
        for part in notes.parts
    )
    prompts = join(html("<li>{}</li>", render_inline(prompt)) for prompt in notes.prompts)
    debriefs = join(
        html("<li><strong>{}</strong>{}</li>", debrief.activity, render_markdown(debrief.notes))
        for debrief in notes.debriefs
    )
    beliefs = join(
        html("<li><strong>{}</strong> {}</li>", item.belief, item.correction) for item in notes.misconceptions
    )
    return (
        heading(heading_level, "Session plan")
        + html("<ol>{}</ol>", parts)
        + heading(sub, "Discussion prompts")
        + html("<ul>{}</ul>", prompts)
        + (heading(sub, "Debriefing the activities") + html("<ul>{}</ul>", debriefs) if debriefs else Markup())
        + (heading(sub, "Common misconceptions") + html("<ul>{}</ul>", beliefs) if beliefs else Markup())
        + heading(sub, "If someone is distressed or discloses something")
        + render_markdown(notes.if_distressed)
    )


def quiz_key_html(quiz: QuizFile) -> Markup:
    """Every question with its right answer(s) and explanation."""
    items = []
    for question in quiz.questions:
        answers = join((render_inline(option.text) for option in question.options if option.correct), "; ")
        items.append(
            html(
                '<li id="key-{id}"><p>{prompt} <em>({id})</em></p>'
                "<p><strong>Answer:</strong> {answers}</p>{explanation}</li>",
                id=question.id,
                prompt=render_inline(question.prompt),
                answers=answers,
                explanation=render_markdown(question.explanation),
            )
        )
    return html('<ol class="tw-key">{}</ol>', join(items))


def exercise_key_html(exercise: Exercise) -> Markup:
    """The answer key of any exercise, drawn by its kind's widget (models and snapshot records carry ``kind``)."""
    return exercise_widget_class(exercise).answer_key_html(exercise)


def scenario_key_html(scenario: Scenario) -> Markup:
    """The best path (to a good ending) and what every ending teaches."""
    paths = paths_to_endings(scenario)
    good = [node_id for node_id, node in scenario.endings.items() if node.ending == "good" and node_id in paths]
    best = Markup()
    if good:
        steps = paths[good[0]]
        moves = join(
            html(
                "<li>{}: <em>{}</em></li>",
                scenario.nodes[node_id].title,
                scenario.nodes[node_id].choices[index].label,
            )
            for node_id, index in steps
        )
        best = html("<p><strong>A path to a good ending:</strong></p><ol>{}</ol>", moves)
    endings = join(
        html(
            "<li><strong>{}</strong> ({}){}</li>",
            node.title,
            node.ending or "",
            render_markdown(node.debrief or ""),
        )
        for node in scenario.endings.values()
    )
    return html("{}<p><strong>What each ending teaches:</strong></p><ul>{}</ul>", best, endings)


def module_answer_keys_html(workshop: Any, module_id: str, heading_level: int = 3) -> Markup:
    """All answer keys of a module: quiz, exercises, scenarios."""
    pieces = []
    quiz = workshop.quizzes.get(module_id)
    if quiz is not None:
        pieces.append(heading(heading_level, f"Answer key: {quiz.title}") + quiz_key_html(quiz))
    for activity_id, owner in workshop.activities.module_of.items():
        if owner != module_id:
            continue
        if activity_id in workshop.exercises:
            exercise = workshop.exercises[activity_id]
            pieces.append(heading(heading_level, f"Answer key: {exercise.title}") + exercise_key_html(exercise))
        elif activity_id in workshop.scenarios:
            scenario = workshop.scenarios[activity_id]
            pieces.append(heading(heading_level, f"Scenario guide: {scenario.title}") + scenario_key_html(scenario))
    return join(pieces)


#: Shown in the facilitator view and the guide for a module without notes.
NO_NOTES = Markup("<p>No facilitator notes for this module yet.</p>")


def facilitator_panel_html(workshop: Any, module_id: str) -> Markup:
    """What the app shows above a module in the facilitator view, clearly marked as such."""
    notes = workshop.activities.facilitator_notes.get(module_id)
    body = notes_html(notes) if notes is not None else NO_NOTES
    return html(
        '<section class="tw-facilitator" aria-label="Facilitator notes and answer keys">'
        '<p class="tw-facilitator-badge">Facilitator view: notes and answer keys. Do not project this.</p>'
        "{}{}</section>",
        body,
        module_answer_keys_html(workshop, module_id),
    )
