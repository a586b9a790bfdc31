"""A checklist the learner makes their own: tick actions, add notes, save it as text on their device."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.safe import escape
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html
from therapy_workshop.widgets.place import (
    Remembered,
    choose_by_section,
    chosen_by_section,
    field_of,
    read_chosen_by_section,
    remember,
)

if TYPE_CHECKING:
    from therapy_workshop.model.content import ChecklistFile, UIStrings


class ChecklistWidget(Remembered, lean.VBox):
    """One group of checkboxes per section, a notes box, and a download of what was ticked."""

    css_classes = ("tw-script-builder",)

    notes = traitlets.Unicode("", help="The learner's own notes; kept only in their browser, never on the server.")

    def __init__(self, checklist: ChecklistFile, ui: UIStrings, **kwargs: Any) -> None:
        self.checklist = checklist
        self.ui = ui
        self.sections = [
            ChoiceGroup(
                legend_html=escape(section.label),
                option_html=[escape(item) for item in section.items],
                multiple=True,
            )
            for section in checklist.sections
        ]
        for group in self.sections:
            group.observe(self._on_tick, names="selected")
        self.notes_box = widgets.Textarea(
            description=checklist.notes_label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", height="5rem"),
        )
        traitlets.link((self.notes_box, "value"), (self, "notes"))
        self.download = DownloadButton(label=ui.download_checklist, filename=checklist.filename)
        heading = lean.HTML(activity_heading_html(checklist.title, checklist.instructions))
        super().__init__([heading, *self.sections, self.notes_box, self.download], **kwargs)
        self._update()

    def tick(self, section: str, *items: int) -> None:
        """Tick items (by index) in a section (by id), as clicking them would."""
        for group, spec in zip(self.sections, self.checklist.sections, strict=True):
            if spec.id == section:
                group.selected = sorted(items)
                return
        raise KeyError(f"no section {section!r} in the checklist")

    @property
    def text(self) -> str:
        """The checklist as it will be saved."""
        return str(self.download.text)

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """The items ticked in each section and the learner's notes."""
        ticks = chosen_by_section(self.sections, [spec.id for spec in self.checklist.sections])
        return {"ticks": ticks, "notes": self.notes} if ticks or self.notes else {}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Tick the stored items again (sections or items no longer listed are left out)."""
        ticks = read_chosen_by_section(field_of(state, "ticks", dict, {}), "ticks")
        notes = field_of(state, "notes", str, "")
        choose_by_section(self.sections, [spec.id for spec in self.checklist.sections], ticks)
        self.notes = notes

    def _on_tick(self, _change: dict[str, Any]) -> None:
        self._update()
        self.place_changed()

    @traitlets.observe("notes")
    def _on_notes_change(self, _change: dict[str, Any]) -> None:
        self._update()
        self.place_changed()

    def _update(self) -> None:
        lines = [self.checklist.title, "=" * len(self.checklist.title), ""]
        for group, spec in zip(self.sections, self.checklist.sections, strict=True):
            lines.append(spec.label)
            lines.extend(f"[{'x' if index in group.selected else ' '}] {item}" for index, item in enumerate(spec.items))
            lines.append("")
        if self.notes.strip():
            lines.extend([self.checklist.notes_label, self.notes.strip(), ""])
        self.download.text = "\n".join(lines)


def build_checklist(workshop: Any, module_id: str) -> ChecklistWidget:
    """The checklist of ``module_id``."""
    checklist = workshop.activities.checklists.get(module_id)
    if checklist is None:
        raise KeyError(f"no checklist for module {module_id!r}: there is no content/{module_id}/checklist.yaml")
    widget = ChecklistWidget(checklist, workshop.ui)
    remember(widget, f"checklist:{module_id}")
    return widget
