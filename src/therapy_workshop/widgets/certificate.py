"""Certificate of completion: a PDF made on request with the name the learner types, never kept.

The PDF is set in memory by typst (``fonts.py`` says why; no network, no files written) and handed to the
learner's browser to save. It lists the modules completed in this browser's progress and the date. A name with
characters that no font here can print is not printed at all: the learner is told which characters, before any
download, and can type their name another way.
"""

from __future__ import annotations

import base64
import datetime
import unicodedata
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from therapy_workshop.html.safe import html
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.certificate_layout import CERTIFICATE_SOURCE
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html, set_hidden
from therapy_workshop.widgets.fonts import MissingCharacters, print_apart, text_direction
from therapy_workshop.widgets.progress import completed_modules, progress

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.widgets.progress import Progress


def certificate_pdf(name: str, module_titles: list[str], ui: UIStrings, day: datetime.date) -> bytes:
    """The certificate as PDF bytes, made in memory; ``MissingCharacters`` if a character of the name would not print.

    typst runs in a child process (``fonts.print_apart``), so the kernel does not keep its memory.
    """
    name = unicodedata.normalize("NFC", name)  # one glyph for "ễ", however the keyboard composed it
    data = {
        "heading": ui.certificate_heading,
        "workshop": ui.workshop_title,
        "awarded_to": ui.certificate_awarded_to,
        "name": name,
        "direction": text_direction(name),
        "completed": ui.certificate_completed if module_titles else ui.certificate_took_part,
        "modules": module_titles,
        "date": ui.format("certificate_date", date=day.isoformat()),
        "note": ui.certificate_note,
    }
    return print_apart(CERTIFICATE_SOURCE, data, check=name)


class CertificateWidget(lean.VBox):
    """A name box, a button that makes the PDF, and a button that saves it."""

    css_classes = ("tw-script-builder",)

    def __init__(self, workshop: Any, tracker: Progress | None = None, **kwargs: Any) -> None:
        self.workshop = workshop
        self.ui: UIStrings = workshop.ui
        self.tracker = tracker or progress()
        self.name_box = widgets.Text(
            description=self.ui.certificate_name_label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%"),
        )
        self.make_button = lean.Button(description=self.ui.certificate_make, button_style="primary")
        self.make_button.on_click(lambda _button: self.make())
        self.message = lean.HTML()
        self.download = DownloadButton(label=self.ui.certificate_save, mime="application/pdf")
        heading = lean.HTML(activity_heading_html(self.ui.certificate_heading, self.ui.certificate_intro))
        super().__init__([heading, self.name_box, self.make_button, self.message, self.download], **kwargs)
        set_hidden(self.download, True)

    def make(self) -> bytes | None:
        """Build the PDF for the typed name (the Python twin of the button); nothing is kept."""
        name = " ".join(self.name_box.value.split())
        if not name:
            self.message.value = html('<p class="tw-nudge">{}</p>', self.ui.certificate_need_name)
            set_hidden(self.download, True)
            return None
        done = set(completed_modules(self.workshop, self.tracker))
        titles = [module.title for module in self.workshop.modules[1:] if module.id in done]
        try:
            data = certificate_pdf(name, titles, self.ui, datetime.date.today())
        except MissingCharacters as problem:
            shown = " ".join(problem.characters)
            self.message.value = html(
                '<p class="tw-notice">{}</p>', self.ui.format("certificate_cannot_print", characters=shown)
            )
            self.download.data_base64 = ""
            set_hidden(self.download, True)
            return None
        slug = "".join(character if character.isalnum() else "-" for character in name.lower()).strip("-")
        self.download.filename = f"certificate-{slug or 'learner'}.pdf"
        self.download.data_base64 = base64.b64encode(data).decode("ascii")
        self.message.value = html('<p class="tw-meta">{}</p>', self.ui.format("certificate_ready", count=len(titles)))
        set_hidden(self.download, False)
        return data


def build_certificate(workshop: Any) -> CertificateWidget:
    """The certificate maker."""
    return CertificateWidget(workshop)
