"""Complaint draft helper: guided boxes that become a clear written draft, saved on the learner's device.

Whatever the learner types is escaped before it is shown and never reaches the server's disk: it is kept only
in their own browser (so a reload does not lose it) and reaches a file only through their browser's download.
The draft is a starting point for the regulator's own form, not a replacement for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from therapy_workshop.html.safe import html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html, plain_text
from therapy_workshop.widgets.place import Remembered, field_of, remember, str_map

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.model.process import DraftFile


class ComplaintDraft(Remembered, lean.VBox):
    """One labelled box per guided question, a live preview and a download button."""

    css_classes = ("tw-draft",)

    def __init__(self, draft: DraftFile, ui: UIStrings, **kwargs: Any) -> None:
        self.draft = draft
        self.ui = ui
        self.boxes: dict[str, widgets.Text | widgets.Textarea] = {}
        rows: list[widgets.Widget] = []
        for field in draft.fields:
            box_class = widgets.Text if field.lines == 1 else widgets.Textarea
            box = box_class(
                description=field.label,
                placeholder=field.hint,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="100%", height=None if field.lines == 1 else f"{field.lines * 1.6:.1f}rem"),
            )
            box.observe(self._on_box_change, names="value")
            self.boxes[field.id] = box
            hint = lean.HTML(html('<p class="tw-hint">{}</p>', field.hint))
            rows.append(lean.VBox([box, hint]))
        self.preview = lean.HTML()
        self.download = DownloadButton(label=ui.download_draft, filename=draft.filename)
        heading = lean.HTML(activity_heading_html(draft.title, draft.instructions))
        super().__init__([heading, *rows, self.preview, self.download], **kwargs)
        self._update()

    # ------------------------------------------------------------------ Python twins
    def fill(self, field_id: str, text: str) -> None:
        """Type ``text`` into the box for ``field_id``."""
        if field_id not in self.boxes:
            raise KeyError(f"no field {field_id!r}; fields are {', '.join(self.boxes)}")
        self.boxes[field_id].value = text

    @property
    def text(self) -> str:
        """The draft as it will be saved."""
        return str(self.download.text)

    @property
    def preview_text(self) -> str:
        """The preview as a learner reads it."""
        return plain_text(self.preview.value)

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """What the learner typed in each box (empty boxes are left out)."""
        fields = {field_id: box.value for field_id, box in self.boxes.items() if box.value}
        return {"fields": fields} if fields else {}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Fill the boxes again (boxes no longer in the helper are left out)."""
        fields = str_map(field_of(state, "fields", dict, {}), "fields", str)
        for field_id, box in self.boxes.items():
            box.value = fields.get(field_id, "")

    # ------------------------------------------------------------------ reactions
    def _on_box_change(self, _change: dict[str, Any]) -> None:
        self._update()
        self.place_changed()

    def _update(self) -> None:
        filled = [(field.label, self.boxes[field.id].value.strip()) for field in self.draft.fields]
        filled = [(label, value) for label, value in filled if value]
        if not filled:
            self.preview.value = html('<p class="tw-meta">{}</p>', self.ui.draft_empty)
            self.download.text = ""
            return
        self.download.text = "\n\n".join(f"{label}\n{'-' * len(label)}\n{value}" for label, value in filled) + "\n"
        sections = join(
            html("<h5>{}</h5>{}", label, join(html("<p>{}</p>", line) for line in value.splitlines() if line.strip()))
            for label, value in filled
        )
        self.preview.value = html(
            '<div class="tw-script-preview"><p class="tw-lead">{}</p>{}</div>', self.ui.your_draft, sections
        )


def build_complaint_draft(workshop: Any, module_id: str) -> ComplaintDraft:
    """The draft helper of ``module_id``."""
    draft = workshop.activities.drafts.get(module_id)
    if draft is None:
        raise KeyError(f"no draft helper for module {module_id!r}: there is no content/{module_id}/draft.yaml")
    widget = ComplaintDraft(draft, workshop.ui)
    remember(widget, f"draft:{module_id}")
    return widget
