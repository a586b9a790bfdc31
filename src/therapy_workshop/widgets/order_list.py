"""An ordered list rearranged with buttons and the keyboard, never by dragging."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text


class OrderList(lean.SharedLayout, anywidget.AnyWidget):
    """Items in the learner's current order. Holds the texts and the order, never the right order."""

    _esm = static_text("order_list.js")

    item_html = traitlets.List(traitlets.Unicode(), help="Each item's text as HTML, by item number.").tag(sync=True)
    item_text = traitlets.List(traitlets.Unicode(), help="Each item's plain text, for the buttons' names.").tag(
        sync=True
    )
    order = traitlets.List(traitlets.Int(), help="Item numbers in the order shown, top first.").tag(sync=True)
    marks = traitlets.List(traitlets.Unicode(), help="Per position: '', 'right' or 'wrong'.").tag(sync=True)
    labels = traitlets.Dict(help="Visible words: 'up', 'down', 'right', 'wrong'.").tag(sync=True)
    disabled = traitlets.Bool(False, help="Locked while feedback is shown.").tag(sync=True)

    @traitlets.validate("order")
    def _is_a_permutation(self, proposal: dict[str, Any]) -> list[int]:
        order = list(proposal["value"])
        if sorted(order) != list(range(len(self.item_html))):
            raise traitlets.TraitError(f"order must list each of the {len(self.item_html)} items exactly once")
        return order
