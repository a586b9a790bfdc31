"""Ending-script builder: the learner picks sentences and adds their own words; the result is a text file.

What the learner types is escaped before it is shown and never reaches the server's disk: it is kept only in
the learner's own browser (their place, so a reload does not lose it) and leaves the kernel only as the file
their browser saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.safe import escape, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html, plain_text
from therapy_workshop.widgets.place import (
    Remembered,
    choose_by_section,
    chosen_by_section,
    field_of,
    read_chosen_by_section,
    remember,
)

if TYPE_CHECKING:
    from therapy_workshop.model.content import ScriptBuilderFile, UIStrings


class ScriptBuilderWidget(Remembered, lean.VBox):
    """One choice group per section, a text box for own words, a live preview and a download button."""

    css_classes = ("tw-script-builder",)

    own_words = traitlets.Unicode("", help="What the learner typed; shown escaped, kept only in their browser.")
    script = traitlets.Unicode("", help="The assembled script, as plain text.")

    def __init__(self, builder: ScriptBuilderFile, ui: UIStrings, **kwargs: Any) -> None:
        self.builder = builder
        self.ui = ui
        self.sections = [
            ChoiceGroup(
                legend_html=escape(section.label),
                hint=ui.select_all if section.pick == "any" else "",
                option_html=[escape(block) for block in section.blocks],
                multiple=section.pick == "any",
            )
            for section in builder.sections
        ]
        for group in self.sections:
            group.observe(self._on_selection_change, names="selected")
        self.own_words_box = widgets.Textarea(
            description=builder.own_words_label,
            layout=widgets.Layout(width="100%", height="6rem"),
            style={"description_width": "initial"},
        )
        traitlets.link((self.own_words_box, "value"), (self, "own_words"))
        self.preview = lean.HTML()
        self.download = DownloadButton(label=ui.download_script, filename=builder.filename)
        heading = lean.HTML(activity_heading_html(builder.title, builder.instructions))
        super().__init__([heading, *self.sections, self.own_words_box, self.preview, self.download], **kwargs)
        self._update()

    # ------------------------------------------------------------------ Python twins
    def pick(self, section: int | str, *blocks: int) -> None:
        """Choose sentences (by index) in a section (by index or id), as clicking them would."""
        self._group(section).selected = sorted(blocks)

    def write(self, text: str) -> None:
        """Type ``text`` into the own-words box."""
        self.own_words = text

    @property
    def preview_text(self) -> str:
        """The preview as a learner reads it."""
        return plain_text(self.preview.value)

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """The sentences picked in each section and the learner's own words."""
        picks = chosen_by_section(self.sections, [spec.id for spec in self.builder.sections])
        return {"picks": picks, "own_words": self.own_words} if picks or self.own_words else {}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Pick the stored sentences again (sections or sentences no longer offered are left out)."""
        picks = read_chosen_by_section(field_of(state, "picks", dict, {}), "picks")
        own_words = field_of(state, "own_words", str, "")
        choose_by_section(self.sections, [spec.id for spec in self.builder.sections], picks)
        self.own_words = own_words

    # ------------------------------------------------------------------ reactions
    def _on_selection_change(self, _change: dict[str, Any]) -> None:
        self._update()
        self.place_changed()

    @traitlets.observe("own_words")
    def _on_own_words_change(self, _change: dict[str, Any]) -> None:
        self._update()
        self.place_changed()

    def _group(self, section: int | str) -> ChoiceGroup:
        if isinstance(section, int):
            return self.sections[section]
        for group, spec in zip(self.sections, self.builder.sections, strict=True):
            if spec.id == section:
                return group
        raise KeyError(f"no section {section!r} in the script builder")

    def _update(self) -> None:
        sentences = [
            spec.blocks[index]
            for group, spec in zip(self.sections, self.builder.sections, strict=True)
            for index in group.selected
        ]
        own = self.own_words.strip()
        paragraphs = [" ".join(sentences)] if sentences else []
        if own:
            paragraphs.append(own)
        self.script = "\n\n".join(paragraphs)
        if self.script:
            self.preview.value = html(
                '<div class="tw-script-preview"><p class="tw-lead">{}</p>{}</div>',
                self.ui.your_script,
                join(html("<p>{}</p>", paragraph) for paragraph in paragraphs),
            )
        else:
            self.preview.value = html('<p class="tw-meta">{}</p>', self.ui.script_empty)
        self.download.text = self.script + "\n" if self.script else ""


def build_script_builder(workshop: Any, module_id: str) -> ScriptBuilderWidget:
    """The script builder of ``module_id``."""
    builder = workshop.scripts.get(module_id)
    if builder is None:
        raise KeyError(f"no script builder for module {module_id!r}: there is no content/{module_id}/script.yaml")
    widget = ScriptBuilderWidget(builder, workshop.ui)
    remember(widget, f"script:{module_id}")
    return widget
