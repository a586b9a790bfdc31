"""Where a link to a module points: the same page pieces are shown in two places.

In a notebook opened on its own (JupyterLab, or Voilà showing one notebook) a module is its notebook file; in
the app a module is ``?module=<id>``, which the app catches without reloading the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from therapy_workshop.model.content import Module

ModuleLink = Callable[["Module"], str]


def notebook_link(module: Module) -> str:
    """Link target for a module when notebooks are opened one by one."""
    return module.notebook


def app_link(module: Module) -> str:
    """Link target for a module inside the app shell (caught in the page, no reload)."""
    return f"?module={module.id}"
