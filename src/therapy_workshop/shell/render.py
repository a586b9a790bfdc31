"""Build a module's page for the app from its notebook, without executing the notebook.

The module notebooks are the single source of the narrative. Markdown cells become HTML (links between
notebooks rewritten to in-app links); each code cell is parsed with :mod:`ast` and looked up in the
registry of workshop calls. A cell that is anything else is refused, so notebooks cannot grow logic.
"""

from __future__ import annotations

import ipywidgets as widgets

from therapy_workshop.html.links import app_link_rewriter
from therapy_workshop.html.markdown import markdown_div, render_markdown
from therapy_workshop.html.safe import Markup, join
from therapy_workshop.model.notebook_source import read_cells
from therapy_workshop.model.registry import CellError, ImportCell, parse_cell
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.calls import build_on_page
from therapy_workshop.widgets import lean


def build_module_page(workshop: Workshop, module_id: str) -> widgets.VBox:
    """The widgets of one module page, in notebook order. Consecutive Markdown cells share one widget."""
    module = workshop.module(module_id)
    path = workshop.notebooks_dir / module.notebook
    rewrite = app_link_rewriter(workshop)
    children: list[widgets.Widget] = []
    markdown_run: list[Markup] = []

    def flush_markdown() -> None:
        if markdown_run:
            children.append(lean.HTML(markdown_div(join(markdown_run))))
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
        widget = build_on_page(workshop, parsed)
        if widget is not None:
            children.append(widget)
    flush_markdown()
    page = lean.VBox(children, classes=("tw-page",))
    return page
