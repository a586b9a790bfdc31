"""An accessible group of options: native radio buttons or checkboxes in a fieldset with a legend.

ipywidgets' ``RadioButtons`` next to an ``HTML`` question has no accessible name, and axe does not notice.
Here the question *is* the group's ``<legend>``, so screen readers announce it with every option.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text
from therapy_workshop.widgets.place import is_restoring

MARK_KINDS = ("", "right", "wrong", "missed", "answer")


class ChoiceGroup(lean.SharedLayout, anywidget.AnyWidget):
    """Options for one question. Holds labels and the learner's selection, never the answer key."""

    _esm = static_text("choices.js")

    legend_html = traitlets.Unicode("", help="The question, as HTML; it names the group.").tag(sync=True)
    hint = traitlets.Unicode("", help="Plain text under the question, e.g. 'Select all that apply.'").tag(sync=True)
    option_html = traitlets.List(traitlets.Unicode(), help="Each option's label, as HTML.").tag(sync=True)
    multiple = traitlets.Bool(False, help="Checkboxes (any number) instead of radio buttons (one).").tag(sync=True)
    selected = traitlets.List(traitlets.Int(), help="Indexes of the chosen options, ascending.").tag(sync=True)
    disabled = traitlets.Bool(False, help="Options are locked while feedback is shown.").tag(sync=True)
    marks = traitlets.List(traitlets.Unicode(), help=f"Per option, one of {MARK_KINDS}.").tag(sync=True)
    mark_labels = traitlets.Dict(help="Visible words for each mark kind, so marks are not colour alone.").tag(sync=True)
    focus_token = traitlets.Int(0, help="Increase to move keyboard focus to the options.").tag(sync=True)

    @traitlets.validate("selected")
    def _valid_selection(self, proposal: dict[str, Any]) -> list[int]:
        chosen = sorted(set(proposal["value"]))
        count = len(self.option_html)
        for index in chosen:
            if not 0 <= index < count:
                raise traitlets.TraitError(f"option {index} does not exist (there are {count} options)")
        if not self.multiple and len(chosen) > 1:
            raise traitlets.TraitError("only one option can be chosen in this question")
        return chosen

    @traitlets.validate("marks")
    def _valid_marks(self, proposal: dict[str, Any]) -> list[str]:
        for mark in proposal["value"]:
            if mark not in MARK_KINDS:
                raise traitlets.TraitError(f"unknown mark {mark!r}; use one of {MARK_KINDS}")
        return list(proposal["value"])

    def request_focus(self) -> None:
        """Move keyboard focus to the options (after 'Try again' or a new question)."""
        if is_restoring():
            return  # putting a stored place back must not pull focus away from where the learner is
        self.focus_token += 1
