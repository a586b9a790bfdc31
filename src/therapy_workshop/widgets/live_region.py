"""A feedback area that screen readers announce and that can take keyboard focus."""

from __future__ import annotations

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text
from therapy_workshop.widgets.place import is_restoring


class LiveRegion(lean.SharedLayout, anywidget.AnyWidget):
    """HTML that changes in place; ``request_focus`` moves focus to it after a button press."""

    _esm = static_text("live_region.js")

    html = traitlets.Unicode("", help="Content, as HTML already escaped or rendered from Markdown.").tag(sync=True)
    label = traitlets.Unicode("", help="Accessible name of the region, e.g. 'Feedback'.").tag(sync=True)
    focus_token = traitlets.Int(0, help="Increase to move keyboard focus here.").tag(sync=True)

    def request_focus(self) -> None:
        """Move keyboard focus here, so the feedback is read next and focus is never lost."""
        if is_restoring():
            return  # putting a stored place back must not pull focus away from where the learner is
        self.focus_token += 1
