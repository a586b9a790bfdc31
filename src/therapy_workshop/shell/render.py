"""Build a module's page for the app from its notebook, without executing the notebook.

The module notebooks are the single source of the narrative. Markdown cells become HTML (links between
notebooks rewritten to in-app links); each code cell is parsed with :mod:`ast` and looked up in the
registry of workshop calls. A cell that is anything else is refused, so notebooks cannot grow logic.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as widgets

from therapy_workshop.html.links import app_link_rewriter
from therapy_workshop.html.markdown import markdown_div, render_markdown
from therapy_workshop.html.safe import Markup, join
from therapy_workshop.model.notebook_source import read_cells
from therapy_workshop.model.registry import CellError, ImportCell, WorkshopCall, parse_cell
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.calls import build_on_page
from therapy_workshop.widgets import lean

#: Consecutive Markdown cells of a page: each cell's text and its HTML (links rewritten for the app).
MarkdownRun = list[tuple[str, Markup]]


def page_parts(workshop: Workshop, module_id: str) -> Iterator[MarkdownRun | WorkshopCall]:
    """A module page in notebook order: each run of Markdown cells, and each workshop call (imports left out).

    The one reading of a module notebook, for the app's page (:func:`build_module_page`) and for its preview
    (:mod:`therapy_workshop.shell.preview`).
    """
    module = workshop.module(module_id)
    rewrite = app_link_rewriter(workshop)
    run: MarkdownRun = []
    for cell in read_cells(workshop.notebooks_dir / module.notebook):
        if cell.cell_type == "markdown":
            run.append((cell.source, render_markdown(cell.source, rewrite)))
            continue
        if cell.cell_type != "code":
            continue
        try:
            parsed = parse_cell(cell.source)
        except CellError as error:
            raise CellError(f"notebooks/{module.notebook} cells[{cell.index}]: {error}") from None
        if parsed is None or isinstance(parsed, ImportCell):
            continue
        if run:
            yield run
            run = []
        yield parsed
    if run:
        yield run


def build_module_page(workshop: Workshop, module_id: str) -> widgets.VBox:
    """The widgets of one module page, in notebook order. Consecutive Markdown cells share one widget."""
    children: list[widgets.Widget] = []
    for part in page_parts(workshop, module_id):
        if isinstance(part, WorkshopCall):
            widget = build_on_page(workshop, part)
            if widget is not None:
                children.append(widget)
        else:
            children.append(lean.HTML(markdown_div(join(rendered for _source, rendered in part))))
    return lean.VBox(children, classes=("tw-page",))
