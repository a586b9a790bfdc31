"""Build a module's page for the app from its notebook, without executing the notebook.

The module notebooks are the single source of the narrative. Markdown cells become HTML (links between
notebooks rewritten to in-app links); each code cell is parsed with :mod:`ast` and looked up in the
registry of workshop calls. A cell that is anything else is refused, so notebooks cannot grow logic.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from therapy_workshop.html.links import app_link
from therapy_workshop.html.markdown import markdown_div, render_markdown
from therapy_workshop.model.notebook_source import read_cells
from therapy_workshop.model.registry import CellError, ImportCell, WorkshopCall, parse_cell
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.frame import title_block_html
from therapy_workshop.shell.listings import module_overview_html, sources_list_html
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.assessment import build_assessment
from therapy_workshop.widgets.cases import build_follow_case
from therapy_workshop.widgets.certificate import build_certificate
from therapy_workshop.widgets.checklist import build_checklist
from therapy_workshop.widgets.draft import build_complaint_draft
from therapy_workshop.widgets.exercises import build_exercise
from therapy_workshop.widgets.jurisdiction import build_jurisdiction_guide
from therapy_workshop.widgets.process import build_chart, build_process_explorer
from therapy_workshop.widgets.progress_view import build_progress_overview
from therapy_workshop.widgets.quiz import build_quiz
from therapy_workshop.widgets.scenario import build_scenario
from therapy_workshop.widgets.script_builder import build_script_builder
from therapy_workshop.widgets.summary import build_summary_table

Builder = Callable[[Workshop, WorkshopCall], widgets.Widget | None]


def _html(fragment: str) -> widgets.HTML:
    return lean.HTML(fragment)


BUILDERS: dict[str, Builder] = {
    # The app shows the header itself, so a page's frame call contributes only its title block.
    "frame": lambda workshop, call: _html(title_block_html(workshop, call.arguments["module_id"])),
    "quiz": lambda workshop, call: build_quiz(workshop, call.arguments["module_id"]),
    "sources_list": lambda workshop, call: _html(sources_list_html(workshop, call.arguments["module_id"])),
    "module_overview": lambda workshop, _call: _html(module_overview_html(workshop, app_link)),
    "exercise": lambda workshop, call: build_exercise(workshop, call.arguments["exercise_id"]),
    "scenario": lambda workshop, call: build_scenario(workshop, call.arguments["scenario_id"]),
    "script_builder": lambda workshop, call: build_script_builder(workshop, call.arguments["module_id"]),
    "summary_table": lambda workshop, call: build_summary_table(workshop, call.arguments["module_id"]),
    "jurisdiction_guide": lambda workshop, _call: build_jurisdiction_guide(workshop),
    "process_explorer": lambda workshop, _call: build_process_explorer(workshop),
    "follow_case": lambda workshop, _call: build_follow_case(workshop),
    "complaint_draft": lambda workshop, call: build_complaint_draft(workshop, call.arguments["module_id"]),
    "figures_chart": lambda workshop, call: build_chart(workshop, call.arguments["chart_id"]),
    "checklist": lambda workshop, call: build_checklist(workshop, call.arguments["module_id"]),
    "assessment": lambda workshop, call: build_assessment(workshop, call.arguments["when"]),
    "certificate": lambda workshop, _call: build_certificate(workshop),
    "progress_overview": lambda workshop, _call: build_progress_overview(workshop, app_link),
    "app": lambda _workshop, _call: None,
}


def link_rewriter(workshop: Workshop) -> Callable[[str], str]:
    """Map links to module notebooks onto ``?module=<id>`` links the app catches."""

    def rewrite(href: str) -> str:
        module = workshop.module_for_notebook(href)
        return f"?module={module.id}" if module is not None else href

    return rewrite


def build_module_page(workshop: Workshop, module_id: str) -> widgets.VBox:
    """The widgets of one module page, in notebook order. Consecutive Markdown cells share one widget."""
    module = workshop.module(module_id)
    path = workshop.notebooks_dir / module.notebook
    rewrite = link_rewriter(workshop)
    children: list[widgets.Widget] = []
    markdown_run: list[str] = []

    def flush_markdown() -> None:
        if markdown_run:
            children.append(_html(markdown_div("".join(markdown_run))))
            markdown_run.clear()

    for cell in read_cells(path):
        if cell.cell_type == "markdown":
            markdown_run.append(render_markdown(cell.source, rewrite))
            continue
        if cell.cell_type != "code":
            continue
        try:
            parsed = parse_cell(cell.source)
        except CellError as error:
            raise CellError(f"notebooks/{module.notebook} cells[{cell.index}]: {error}") from None
        if parsed is None or isinstance(parsed, ImportCell):
            continue
        flush_markdown()
        widget = BUILDERS[parsed.name](workshop, parsed)
        if widget is not None:
            children.append(widget)
    flush_markdown()
    page = lean.VBox(children)
    page.add_class("tw-page")
    return page
