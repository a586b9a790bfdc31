"""Printable documents made from the content: the facilitator guide, learner handouts and the answer sheet.

Everything is generated, never copied by hand, so it cannot drift from what the app shows. Each document is
written as HTML (for a browser or a projector, with print CSS so that it prints on A4 like the PDF: page
numbers, sections on new pages, table rows and questions never split) and as PDF, set by typst from the same
HTML (``typeset.py``; ``widgets/fonts.py`` says why typst), with its fonts carried by the package, offline.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from therapy_workshop.facilitator.typeset import typeset_pdf
from therapy_workshop.facilitator.view import NO_NOTES, module_answer_keys_html, notes_html
from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.scenario import Scenario
from therapy_workshop.widgets.exercises import exercise_widget_class

# Screen first, then paper: the same page printed from a browser matches the PDF's A4 layout.
STYLE = """
body { font-family: "Libertinus Serif", Georgia, "Times New Roman", serif; color: #1f2328; max-width: 46rem;
  margin: 2rem auto; line-height: 1.5; font-size: 17px; padding: 0 1rem; }
h1, h2, h3, h4 { line-height: 1.25; font-weight: 600; }
h1 { font-size: 2rem; border-bottom: 3px solid #0b5cad; padding-bottom: 0.3rem; }
.tw-kicker { color: #0b5cad; font-variant: small-caps; letter-spacing: 0.04em; margin-bottom: -0.8rem; }
h2 { color: #0b5cad; border-bottom: 1px solid #0b5cad; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h4 { font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.92rem; }
th { color: #0b5cad; text-align: left; } th, td { border-bottom: 1px solid #c9d1da; padding: 0.35rem 0.5rem;
  vertical-align: top; text-align: left; }
td.tw-number, th.tw-number { text-align: right; white-space: nowrap; }
table.tw-agenda td:first-child { white-space: nowrap; }
tr.tw-quiet td { background: #eef4fb; color: #57606a; font-style: italic; }
.tw-toc ol { padding-left: 1.5rem; } .tw-toc-title { font-weight: 600; color: #0b5cad; font-size: 1.2rem; }
ol.tw-key > li { border-left: 3px solid #6d9dcf; padding-left: 0.6rem; margin-bottom: 0.9rem; }
ul.tw-tick-one, ul.tw-tick-many { list-style: none; padding-left: 0.5rem; }
ul.tw-tick-one > li::before, ul.tw-tick-many > li::before { content: ""; display: inline-block; width: 0.8em;
  height: 0.8em; border: 1px solid #1f2328; margin-right: 0.6em; vertical-align: -0.05em; }
ul.tw-tick-one > li::before { border-radius: 50%; }
.tw-number-these ul, .tw-number-these ol { list-style: none; padding-left: 0.5rem; }
.tw-number-these li::before { content: ""; display: inline-block; width: 1.8em; height: 1.2em;
  border: 1px solid #1f2328; border-radius: 3px; margin-right: 0.7em; vertical-align: -0.3em; }
.tw-number-these li { margin-bottom: 0.5rem; }
.tw-write-beside li { position: relative; padding-right: 12rem; margin-bottom: 0.4rem; }
.tw-write-beside li::after { content: ""; position: absolute; right: 0; bottom: 0.3em; width: 11rem;
  border-bottom: 1px solid #57606a; }
.tw-write-lines { height: calc(var(--lines, 2) * 2.1rem); margin: 0.5rem 0 1rem;
  background: repeating-linear-gradient(transparent 0 2rem, #57606a 2rem 2.07rem); }
@page { size: A4; margin: 22mm 22mm 22mm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #57606a; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  .tw-guide h2 { break-before: page; }
  h1, h2, h3, h4 { break-after: avoid; }
  tr, ol.tw-key > li, ol.tw-questions > li, .tw-write-lines { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces is written as an escape."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def running_heads(title: str, kicker: str) -> str:
    """Print CSS for the running header (the document, its title) on every page after the first."""
    return (
        f"@page {{ @top-left {{ content: {css_string(kicker)}; font: 8.5pt serif; color: #57606a; }} "
        f"@top-right {{ content: {css_string(title)}; font: italic 8.5pt serif; color: #57606a; }} }} "
        "@page :first { @top-left { content: none; } @top-right { content: none; } }"
    )


def html_document(title: str, kicker: str, kind: str, body: Markup) -> Markup:
    """A complete, self-contained HTML page (no external requests), styled for the screen and for A4 paper."""
    return html(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} ({kicker})</title>'
        '<style>{style}{heads}</style></head><body class="tw-{kind}"><p class="tw-kicker">{kicker}</p><h1>{title}</h1>'
        "{body}</body></html>",
        title=title,
        kicker=kicker,
        kind=kind,
        style=Markup(STYLE),  # this module's own stylesheet
        heads=Markup(running_heads(title, kicker)),  # every character but letters and spaces escaped
        body=body,
    )


def write_document(folder: Path, stem: str, title: str, kicker: str, kind: str, body: Markup) -> list[Path]:
    """Write ``<stem>.html`` and ``<stem>.pdf`` into ``folder``; return both paths.

    ``kind`` is ``guide`` (a table of contents, each section on a new page) or ``handout`` (runs on).
    """
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / f"{stem}.html", folder / f"{stem}.pdf"
    html_path.write_text(html_document(title, kicker, kind, body), encoding="utf-8")
    pdf_path.write_bytes(typeset_pdf(title, kicker, kind, body))
    return [html_path, pdf_path]


# ---------------------------------------------------------------------------------------------- guide
def _clock(minutes: int) -> str:
    """Minutes from the start as ``h:mm``, the way a facilitator reads a running order."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def agendas_html(workshop: Any) -> Markup:
    """Every agenda as a running order: each part, when it starts, how long it takes, and notes."""
    agendas = workshop.activities.agendas
    if agendas is None:
        return Markup("<p>No agendas yet.</p>")
    titles = {module.id: module.title for module in workshop.modules}
    sections = []
    for agenda in agendas.agendas:
        rows = []
        elapsed = 0
        for part in agenda.parts:
            rows.append(
                html(
                    '<tr{quiet}><td>{part}</td><td class="tw-number">{starts}</td><td class="tw-number">{length}</td>'
                    "<td>{note}</td></tr>",
                    quiet=Markup(' class="tw-quiet"') if not part.module else "",
                    part=titles.get(part.module, part.module) if part.module else "Break",
                    starts=_clock(elapsed),
                    length=part.length,
                    note=part.note or "",
                )
            )
            elapsed += part.length
        audience = html('<p class="tw-keep-with-next">{}</p>', agenda.audience) if agenda.audience else ""
        sections.append(
            html(
                '<h3>{} ({} minutes)</h3>{}<table class="tw-agenda"><thead><tr><th>Part</th>'
                '<th class="tw-number">Starts</th><th class="tw-number">Minutes</th><th>Notes</th></tr></thead>'
                "<tbody>{}</tbody></table>",
                agenda.title,
                agenda.minutes,
                audience,
                join(rows),
            )
        )
    return join(sections)


GUIDE_INTRO = Markup(
    "<p>This guide is generated from the workshop content. It holds everything a facilitator needs: the "
    "agendas, each module's objectives and timings, what to say, discussion prompts, how to debrief, how to "
    "respond if someone is distressed, and the answer key for every question, exercise and scenario.</p>"
)


def contents_html(entries: list[tuple[str, str]]) -> Markup:
    """The table of contents: links in the HTML; the PDF sets its own, with page numbers, in the same place."""
    links = join(html('<li><a href="#{}">{}</a></li>', anchor, title) for anchor, title in entries)
    return html(
        '<nav class="tw-toc" aria-label="Contents" data-label="Contents"><p class="tw-toc-title">Contents</p>'
        "<ol>{}</ol></nav>",
        links,
    )


def guide_body(workshop: Any) -> Markup:
    """The facilitator guide: contents, agendas, then per module its objectives, timings, notes and answer keys."""
    entries = [("agendas", "Agendas")]
    sections = [
        html('<h2 id="agendas">Agendas</h2><section class="tw-in-contents">{}</section>', agendas_html(workshop))
    ]
    for module in workshop.modules:
        objectives = join(html("<li>{}</li>", render_inline(objective)) for objective in module.objectives)
        notes = workshop.activities.facilitator_notes.get(module.id)
        heading = f"{module.title} ({module.minutes} minutes)"
        entries.append((f"module-{module.id}", heading))
        sections.append(
            html(
                '<h2 id="module-{id}">{heading}</h2><p>{summary}</p><h3>Objectives</h3><ul>{objectives}</ul>'
                "{notes}{keys}",
                id=module.id,
                heading=heading,
                summary=render_inline(module.summary),
                objectives=objectives,
                notes=notes_html(notes) if notes is not None else NO_NOTES,
                keys=html('<section class="tw-in-contents">{}</section>', module_answer_keys_html(workshop, module.id)),
            )
        )
    return GUIDE_INTRO + contents_html(entries) + join(sections)


# ---------------------------------------------------------------------------------------------- handouts
def scenario_numbers(scenario: Scenario) -> dict[str, int]:
    """Section numbers for a paper scenario: the start is 1, then in the order a reader meets nodes."""
    numbers = {scenario.start: 1}
    queue = deque([scenario.start])
    while queue:
        node = scenario.nodes[queue.popleft()]
        for choice in node.choices:
            if choice.goto not in numbers:
                numbers[choice.goto] = len(numbers) + 1
                queue.append(choice.goto)
    return numbers


def paper_scenario_html(scenario: Scenario) -> Markup:
    """A scenario a group can play on paper by turning to numbered sections."""
    numbers = scenario_numbers(scenario)
    sections = []
    for node_id, number in sorted(numbers.items(), key=lambda pair: pair[1]):
        node = scenario.nodes[node_id]
        choices = join(
            html(
                "<li>{}{} → turn to §{}</li>",
                choice.label,
                html(" <em>(only if {})</em>", choice.when) if choice.when else "",
                numbers[choice.goto],
            )
            for choice in node.choices
        )
        ending = (
            html("<p><strong>Ending ({}).</strong></p>{}", node.ending, render_markdown(node.debrief or ""))
            if node.ending
            else ""
        )
        sections.append(
            html(
                '<h4 id="s{number}">§{number}. {title}</h4>{text}{choices}{ending}',
                number=number,
                title=node.title,
                text=render_markdown(node.text),
                choices=html("<ul>{}</ul>", choices) if choices else "",
                ending=ending,
            )
        )
    variables = ", ".join(f"{name} = {value}" for name, value in scenario.variables.items())
    tracking = (
        html(
            '<p>Keep score on paper, starting with: {}.</p><div class="tw-write-lines" style="--lines: 1" '
            'data-lines="1"></div>',
            variables,
        )
        if variables
        else ""
    )
    intro = render_markdown(scenario.intro) if scenario.intro else ""
    return html("<h3>{} (paper version)</h3>{}{}<p>Start at §1.</p>{}", scenario.title, intro, tracking, join(sections))


#: Where a handout's exercise asks the learner to write: a line beside each item, or a box to number it.
PAPER_SPACE = {"categorise": "tw-write-beside", "ordering": "tw-number-these"}


def _tick_hint(question: Any) -> Markup:
    """The hint "(select all that apply)" after a multiple-answer prompt, unless the prompt already says so."""
    if question.kind != "multiple" or "select all" in question.prompt.lower():
        return Markup()
    return Markup(" <em>(select all that apply)</em>")


def handout_body(workshop: Any, module_id: str) -> Markup:
    """A learner handout: key points, the questions without answers, the vignettes, the paper scenarios."""
    module = workshop.module(module_id)
    parts = [
        html(
            "<p>{}</p><h3>Key points</h3><ul>{}</ul>",
            render_inline(module.summary),
            join(html("<li>{}</li>", render_inline(objective)) for objective in module.objectives),
        )
    ]
    quiz = workshop.quizzes.get(module_id)
    if quiz is not None:
        questions = join(
            html(
                '<li><p>{}{}</p><ul class="{}">{}</ul></li>',
                render_inline(question.prompt),
                _tick_hint(question),
                "tw-tick-many" if question.kind == "multiple" else "tw-tick-one",
                join(html("<li>{}</li>", render_inline(option.text)) for option in question.options),
            )
            for question in quiz.questions
        )
        parts.append(html('<h3>{}</h3><ol class="tw-questions">{}</ol>', quiz.title, questions))
    for activity_id, owner in workshop.activities.module_of.items():
        if owner != module_id:
            continue
        if activity_id in workshop.exercises:
            exercise = workshop.exercises[activity_id]
            parts.append(
                html(
                    '<section class="{}">{}</section>',
                    PAPER_SPACE.get(exercise.kind, ""),
                    exercise_widget_class(exercise).paper_html(exercise),
                )
            )
        elif activity_id in workshop.scenarios:
            parts.append(paper_scenario_html(workshop.scenarios[activity_id]))
    # One line on staying safe on a shared device: the quick exit and what the device keeps.
    parts.append(html('<p class="tw-closing">{}</p>', workshop.ui.safety_handout))
    parts.append(html('<p class="tw-closing"><em>{}</em></p>', workshop.ui.not_advice))
    return join(parts)


def answer_sheet_body(workshop: Any) -> Markup:
    """Every answer key, module by module, for the facilitator."""
    return join(
        html("<h2>{}</h2>{}", module.title, module_answer_keys_html(workshop, module.id))
        for module in workshop.modules
        if module.id in workshop.quizzes or module.id in workshop.activities.module_of.values()
    )


def write_guide(workshop: Any, folder: Path) -> list[Path]:
    """Write the facilitator guide (HTML and PDF)."""
    return write_document(
        folder, "facilitator-guide", "Facilitator guide", workshop.ui.workshop_title, "guide", guide_body(workshop)
    )


def write_handouts(workshop: Any, folder: Path) -> list[Path]:
    """Write one handout per module (HTML and PDF) and the facilitator's answer sheet."""
    written = []
    kicker = f"{workshop.ui.workshop_title} · Handout"
    for module in workshop.modules[1:]:
        body = handout_body(workshop, module.id)
        written += write_document(folder, f"handout-{module.id}", module.title, kicker, "handout", body)
    written += write_document(
        folder, "answer-sheet", "Answer sheet", workshop.ui.workshop_title, "handout", answer_sheet_body(workshop)
    )
    return written
