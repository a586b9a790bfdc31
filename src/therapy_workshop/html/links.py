"""Where a link to a module points: the same page pieces are shown in two places.

In a notebook opened on its own (JupyterLab, or Voilà showing one notebook) a module is its notebook file; in
the app a module is ``?module=<id>``, which the app catches without reloading the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from therapy_workshop.model.content import Module
    from therapy_workshop.model.workshop import Workshop

ModuleLink = Callable[["Module"], str]


def notebook_link(module: Module) -> str:
    """Link target for a module when notebooks are opened one by one."""
    return module.notebook


def app_link(module: Module) -> str:
    """Link target for a module inside the app shell (caught in the page, no reload)."""
    return f"?module={module.id}"


def app_link_rewriter(workshop: Workshop) -> Callable[[str], str]:
    """Map links to module notebooks in Markdown onto the app's ``?module=<id>`` links.

    Named ``"app"`` for the table of pre-rendered Markdown (:mod:`therapy_workshop.html.markdown`): what it
    makes of a text depends only on the content, which the snapshot's fingerprint covers.
    """

    def rewrite(href: str) -> str:
        notebook, _, fragment = href.partition("#")  # a heading in that module keeps its '#' (the app scrolls to it)
        module = workshop.module_for_notebook(notebook)
        if module is None:
            return href
        return f"?module={module.id}" + (f"#{fragment}" if fragment else "")

    rewrite.table_name = "app"  # type: ignore[attr-defined]
    return rewrite
