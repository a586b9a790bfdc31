"""The app's bridge to the address bar: deep links in, module changes out, in-page links caught."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text


class LocationSync(lean.SharedLayout, anywidget.AnyWidget):
    """Invisible widget. ``query`` arrives from the page; ``current`` goes to the address bar.

    Link clicks arrive as messages (``{"go": "<module id>"}``) because they are events, not state: two
    clicks on the same link are two requests.
    """

    _esm = static_text("location.js")

    # None until the page reports: an address with no query string reports "", which is news too.
    query = traitlets.Unicode(
        None, allow_none=True, help="The page's query string as the browser saw it, e.g. '?module=01-rights'."
    ).tag(sync=True)
    current = traitlets.Unicode("", help="Module id now shown; mirrored into the address bar.").tag(sync=True)
    page_title = traitlets.Unicode("", help="Browser tab title for the module shown.").tag(sync=True)
    page_url = traitlets.Unicode("", help="The app's address without its query, as the browser sees it.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._navigate_callbacks: list[Any] = []
        self.on_msg(self._on_message)

    def on_navigate(self, callback: Any) -> None:
        """Call ``callback(module_id)`` when the page asks for another module."""
        self._navigate_callbacks.append(callback)

    def requested(self, name: str) -> str | None:
        """The query string's parameter ``name`` (its first value), if the page was opened with one."""
        values = parse_qs((self.query or "").lstrip("?")).get(name)
        return values[0] if values else None

    @property
    def requested_module(self) -> str | None:
        """The ``module`` parameter: a deep link to one module."""
        return self.requested("module")

    @property
    def requested_view(self) -> str | None:
        """The ``view`` parameter (``facilitator`` or ``results``, with the facilitator's key)."""
        return self.requested("view")

    @property
    def requested_room(self) -> str | None:
        """The ``room`` parameter: the code of a workshop room to join (``?room=ABC234``)."""
        return self.requested("room")

    @property
    def requested_key(self) -> str | None:
        """The facilitator's key, if the page was opened with one (checked by the app, never shown)."""
        return self.requested("key")

    @traitlets.observe("query")
    def _on_query_change(self, _change: dict[str, Any]) -> None:
        requested = self.requested_module
        if requested:
            self._navigate(requested)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("go"), str):
            self._navigate(content["go"])

    def _navigate(self, module_id: str) -> None:
        for callback in self._navigate_callbacks:
            callback(module_id)
