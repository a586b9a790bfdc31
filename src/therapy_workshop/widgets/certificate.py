"""Certificate of completion: a PDF made on request with the name the learner types, never kept.

The PDF is built in memory (fpdf2, no network, no files written) and handed to the learner's browser to
save. It lists the modules completed in this browser's progress and the date.
"""

from __future__ import annotations

import base64
import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from therapy_workshop.html.safe import html
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html, set_hidden
from therapy_workshop.widgets.progress import completed_modules, progress

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.widgets.progress import Progress

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)


def _font(pdf: Any) -> str:
    """A font that can print any name: a system TrueType font, else the built-in Helvetica."""
    for path in UNICODE_FONTS:
        if path.is_file():
            pdf.add_font("workshop", "", str(path))
            return "workshop"
    return "helvetica"


def _printable(text: str, font: str) -> str:
    if font != "helvetica":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(name: str, module_titles: list[str], ui: UIStrings, day: datetime.date) -> bytes:
    """The certificate as PDF bytes."""
    # fpdf2 brings Pillow and fontTools (about 15 MB per kernel): import it only when a certificate is made.
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    font = _font(pdf)
    pdf.set_draw_color(11, 92, 173)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, 273, 186)
    pdf.set_text_color(31, 35, 40)

    def line(text: str, size: int, gap: float) -> None:
        pdf.set_font(font, size=size)
        pdf.set_x(20)
        pdf.multi_cell(257, size * 0.5, _printable(text, font), align="C")
        pdf.ln(gap)

    pdf.set_y(30)
    line(ui.certificate_heading, 28, 6)
    line(ui.workshop_title, 18, 10)
    line(ui.certificate_awarded_to, 13, 3)
    line(name, 26, 8)
    line(ui.certificate_completed if module_titles else ui.certificate_took_part, 13, 3)
    for title in module_titles:
        line(title, 12, 1)
    pdf.ln(6)
    line(ui.format("certificate_date", date=day.isoformat()), 12, 4)
    line(ui.certificate_note, 9, 0)
    pdf.set_title(f"{ui.certificate_heading} - {name}")
    pdf.set_creator(ui.workshop_title)
    return bytes(pdf.output())


class CertificateWidget(lean.VBox):
    """A name box, a button that makes the PDF, and a button that saves it."""

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
        self.add_class("tw-script-builder")
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
        data = certificate_pdf(name, titles, self.ui, datetime.date.today())
        slug = "".join(character if character.isalnum() else "-" for character in name.lower()).strip("-")
        self.download.filename = f"certificate-{slug or 'learner'}.pdf"
        self.download.data_base64 = base64.b64encode(data).decode("ascii")
        self.message.value = html('<p class="tw-meta">{}</p>', self.ui.format("certificate_ready", count=len(titles)))
        set_hidden(self.download, False)
        return data


def build_certificate(workshop: Any) -> CertificateWidget:
    """The certificate maker."""
    return CertificateWidget(workshop)
