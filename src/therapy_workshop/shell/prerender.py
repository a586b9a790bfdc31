"""What building every page renders from Markdown, recorded once by ``check`` for the content snapshot.

Each participant's kernel would otherwise render the same texts again at every first visit of a module (see
:mod:`therapy_workshop.html.markdown`). Recording builds what a participant's kernel builds: the app's header and
every module page, exactly as the app does, so every text a page shows when it opens is in the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from therapy_workshop.html.markdown import recording
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.shell.render import build_module_page

if TYPE_CHECKING:
    from therapy_workshop.model.workshop import Workshop


def prerendered_markdown(workshop: Workshop) -> dict[str, str]:
    """Every Markdown text the app renders while it opens each module, with its HTML."""
    with recording() as table:
        WorkshopApp(workshop)
        for module in workshop.modules:
            build_module_page(workshop, module.id)
    return table
