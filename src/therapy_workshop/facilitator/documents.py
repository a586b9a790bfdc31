"""Printable documents made from the content: the facilitator guide, learner handouts and the answer sheet.

Everything is generated, never copied by hand, so it cannot drift from what the app shows. Each document
is written as HTML (for a browser or a projector) and as PDF (fpdf2, offline, with a Unicode font when the
system has one).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from therapy_workshop.facilitator.view import NO_NOTES, module_answer_keys_html, notes_html
from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.scenario import Scenario
from therapy_workshop.widgets.certificate import UNICODE_FONTS
from therapy_workshop.widgets.exercises import exercise_widget_class

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1f2328; max-width: 48rem; margin: 2rem auto;
  line-height: 1.5; font-size: 15px; padding: 0 1rem; }
h1, h2, h3, h4 { line-height: 1.25; } h2 { border-top: 2px solid #c9d1da; padding-top: 1rem; margin-top: 2rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #c9d1da; padding: 0.3rem 0.5rem; text-align: left; }
.box { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #1f2328; margin-right: 0.4em; }
@media print { h2 { page-break-before: always; } }
"""


def html_document(title: str, body: Markup) -> Markup:
    """A complete, self-contained HTML page (no external requests)."""
    return html(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>{style}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title=title,
        style=Markup(STYLE),  # this module's own stylesheet
        body=body,
    )


def html_to_pdf(title: str, body: Markup) -> bytes:
    """The same content as a PDF."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    family = "helvetica"
    regular = next((path for path in UNICODE_FONTS if path.is_file()), None)
    if regular is not None and regular.name == "DejaVuSans.ttf":
        folder = regular.parent
        pdf.add_font("workshop", "", str(regular))
        for style, name in (
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
            ("BI", "DejaVuSans-BoldOblique.ttf"),
        ):
            pdf.add_font("workshop", style, str(folder / name if (folder / name).is_file() else regular))
        family = "workshop"
    pdf.set_font(family, size=10)
    pdf.set_title(title)
    page = str(html("<h1>{}</h1>{}", title, body))
    if family == "helvetica":
        page = page.encode("latin-1", "replace").decode("latin-1")
    pdf.write_html(page, font_family=family)
    return bytes(pdf.output())


def write_document(folder: Path, stem: str, title: str, body: Markup) -> list[Path]:
    """Write ``<stem>.html`` and ``<stem>.pdf`` into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / f"{stem}.html", folder / f"{stem}.pdf"
    html_path.write_text(html_document(title, body), encoding="utf-8")
    pdf_path.write_bytes(html_to_pdf(title, body))
    return [html_path, pdf_path]


# ---------------------------------------------------------------------------------------------- guide
def agendas_html(workshop: Any) -> Markup:
    """Every agenda as a table of parts and minutes."""
    agendas = workshop.activities.agendas
    if agendas is None:
        return Markup("<p>No agendas yet.</p>")
    titles = {module.id: module.title for module in workshop.modules}
    sections = []
    for agenda in agendas.agendas:
        rows = join(
            html(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                titles.get(part.module, part.module) if part.module else "Break",
                part.length,
                part.note or "",
            )
            for part in agenda.parts
        )
        audience = html("<p>{}</p>", agenda.audience) if agenda.audience else ""
        sections.append(
            html(
                "<h3>{} ({} minutes)</h3>{}<table><thead><tr><th>Part</th><th>Minutes</th><th>Notes</th></tr></thead>"
                "<tbody>{}</tbody></table>",
                agenda.title,
                agenda.minutes,
                audience,
                rows,
            )
        )
    return join(sections)


GUIDE_INTRO = Markup(
    "<p>This guide is generated from the workshop content. It holds everything a facilitator needs: the "
    "agendas, each module's objectives and timings, what to say, discussion prompts, how to debrief, how to "
    "respond if someone is distressed, and the answer key for every question, exercise and scenario.</p>"
)


def guide_body(workshop: Any) -> Markup:
    """The facilitator guide: agendas, then per module its objectives, timings, notes and answer keys."""
    parts = [GUIDE_INTRO, html("<h2>Agendas</h2>{}", agendas_html(workshop))]
    for module in workshop.modules:
        objectives = join(html("<li>{}</li>", render_inline(objective)) for objective in module.objectives)
        notes = workshop.activities.facilitator_notes.get(module.id)
        parts.append(
            html(
                "<h2>{title} ({minutes} minutes)</h2><p>{summary}</p><h3>Objectives</h3><ul>{objectives}</ul>"
                "{notes}{keys}",
                title=module.title,
                minutes=module.minutes,
                summary=render_inline(module.summary),
                objectives=objectives,
                notes=notes_html(notes) if notes is not None else NO_NOTES,
                keys=module_answer_keys_html(workshop, module.id),
            )
        )
    return join(parts)


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
    tracking = html("<p>Keep score on paper, starting with: {}.</p>", variables) if variables else ""
    intro = render_markdown(scenario.intro) if scenario.intro else ""
    return html("<h3>{} (paper version)</h3>{}{}<p>Start at §1.</p>{}", scenario.title, intro, tracking, join(sections))


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
                "<li><p>{}{}</p><ul>{}</ul></li>",
                render_inline(question.prompt),
                Markup(" <em>(select all that apply)</em>") if question.kind == "multiple" else "",
                join(html("<li>☐ {}</li>", render_inline(option.text)) for option in question.options),
            )
            for question in quiz.questions
        )
        parts.append(html("<h3>{}</h3><ol>{}</ol>", quiz.title, questions))
    for activity_id, owner in workshop.activities.module_of.items():
        if owner != module_id:
            continue
        if activity_id in workshop.exercises:
            exercise = workshop.exercises[activity_id]
            parts.append(exercise_widget_class(exercise).paper_html(exercise))
        elif activity_id in workshop.scenarios:
            parts.append(paper_scenario_html(workshop.scenarios[activity_id]))
    parts.append(html("<p><em>{}</em></p>", workshop.ui.not_advice))
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
        folder, "facilitator-guide", f"{workshop.ui.workshop_title}: facilitator guide", guide_body(workshop)
    )


def write_handouts(workshop: Any, folder: Path) -> list[Path]:
    """Write one handout per module (HTML and PDF) and the facilitator's answer sheet."""
    written = []
    for module in workshop.modules[1:]:
        written += write_document(
            folder, f"handout-{module.id}", f"{module.title}: handout", handout_body(workshop, module.id)
        )
    written += write_document(
        folder, "answer-sheet", f"{workshop.ui.workshop_title}: answer sheet", answer_sheet_body(workshop)
    )
    return written
