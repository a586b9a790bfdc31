"""Certificate of completion: a PDF made on request with the name the learner types, never kept.

The PDF is set in memory by typst (``fonts.py`` says why; no network, no files written) and handed to the
learner's browser to save. It lists the modules completed in this browser's progress and the date. A name with
characters that no font here can print is not printed at all: the learner is told which characters, before any
download, and can type their name another way.

What a learner types cannot keep their kernel or a core busy: a name has at most ``MOST_NAME_CHARACTERS``
characters (``certificate_pdf`` refuses a longer one, whoever calls it); typst runs in a child process with
limits on time and memory (``fonts.py``); the button's click starts that child as a task on the kernel's
running asyncio loop (ipykernel 7.4 calls widget handlers on it, on the main thread: measured), so the page
keeps answering while it works; and a kernel makes one certificate at a time.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple

import ipywidgets as widgets

from therapy_workshop.html.safe import html
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.certificate_layout import CERTIFICATE_SOURCE
from therapy_workshop.widgets.download import DownloadButton
from therapy_workshop.widgets.feedback import activity_heading_html, set_hidden
from therapy_workshop.widgets.fonts import (
    ChildFailed,
    MissingCharacters,
    print_apart,
    print_apart_async,
    text_direction,
)
from therapy_workshop.widgets.progress import completed_modules, progress

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.widgets.progress import Progress

#: The most characters (code points, accents composed) a name on a certificate may have. The longest names
#: people give in full (several given names and family names) stay well under it; the page sets even this many
#: on at most two lines.
MOST_NAME_CHARACTERS = 120


def tidy_name(typed: str) -> str:
    """The name as it will be printed: accents composed (NFC) and every run of spaces one space, none at the ends.

    Composed, so "ễ" counts as one character however the keyboard sent it.
    """
    return " ".join(unicodedata.normalize("NFC", typed).split())


def _certificate_data(name: str, module_titles: list[str], ui: UIStrings, day: datetime.date) -> dict[str, Any]:
    """The certificate's ``sys.inputs.data``; ``ValueError`` for a name longer than ``MOST_NAME_CHARACTERS``."""
    name = unicodedata.normalize("NFC", name)  # one glyph for "ễ", however the keyboard composed it
    if len(name) > MOST_NAME_CHARACTERS:
        raise ValueError(
            f"a name on a certificate has at most {MOST_NAME_CHARACTERS} characters; this one has {len(name)}"
        )
    return {
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


def certificate_pdf(name: str, module_titles: list[str], ui: UIStrings, day: datetime.date) -> bytes:
    """The certificate as PDF bytes, made in memory, waiting for typst.

    ``ValueError`` for a name of more than ``MOST_NAME_CHARACTERS`` characters (before any child starts);
    ``MissingCharacters`` if a character of the name would not print; ``ChildFailed`` if typst failed or ran
    out of time. typst runs in a child process (``fonts.print_apart``), so the kernel does not keep its memory.
    """
    data = _certificate_data(name, module_titles, ui, day)
    return print_apart(CERTIFICATE_SOURCE, data, check=data["name"])


async def certificate_pdf_async(name: str, module_titles: list[str], ui: UIStrings, day: datetime.date) -> bytes:
    """``certificate_pdf`` without holding the asyncio loop it runs on (the kernel's, on the page)."""
    data = _certificate_data(name, module_titles, ui, day)
    return await print_apart_async(CERTIFICATE_SOURCE, data, check=data["name"])


class _Order(NamedTuple):
    """A certificate asked for: the tidied name and the titles of the modules completed."""

    name: str
    titles: list[str]


class _InProgress:
    """The certificate this kernel is making, if any.

    One at a time per kernel, whichever certificate widget asked (a module revisited makes a new one), so one
    learner's clicks start one child at a time. Holding the task also keeps it alive: the loop itself keeps
    only a weak reference.
    """

    task: asyncio.Task[bytes | None] | None = None

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def hold(self, task: asyncio.Task[bytes | None]) -> None:
        self.task = task
        task.add_done_callback(self._release)

    def _release(self, task: asyncio.Task[bytes | None]) -> None:
        if self.task is task:
            self.task = None


_IN_PROGRESS = _InProgress()


class CertificateWidget(lean.VBox):
    """A name box, a button that makes the PDF, and a button that saves it.

    The button keeps its focus and stays enabled while a certificate is made (disabling a focused button sends
    a keyboard user's focus back to the top of the page); a click meanwhile is answered with
    ``certificate_busy`` and starts nothing.
    """

    css_classes = ("tw-script-builder",)

    def __init__(self, workshop: Any, tracker: Progress | None = None, **kwargs: Any) -> None:
        self.workshop = workshop
        self.ui: UIStrings = workshop.ui
        self.tracker = tracker or progress()
        # ipywidgets 8 has no maximum length for a Text (no maxlength trait), so the limit is checked on click.
        self.name_box = widgets.Text(
            description=self.ui.certificate_name_label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%"),
        )
        self.make_button = lean.Button(description=self.ui.certificate_make, button_style="primary")
        self.make_button.on_click(lambda _button: self.make_soon())
        self.message = lean.HTML()
        self.download = DownloadButton(label=self.ui.certificate_save, mime="application/pdf")
        heading = lean.HTML(activity_heading_html(self.ui.certificate_heading, self.ui.certificate_intro))
        super().__init__([heading, self.name_box, self.make_button, self.message, self.download], **kwargs)
        set_hidden(self.download, True)

    def make(self) -> bytes | None:
        """Build the PDF for the typed name and wait for it: the Python twin of the button, for tests and scripts.

        The kernel's loop waits too, so the page uses ``make_soon``. Nothing is kept.
        """
        order = self._order()
        if order is None:
            return None
        try:
            data = certificate_pdf(order.name, order.titles, self.ui, datetime.date.today())
        except (MissingCharacters, ChildFailed) as problem:
            self._not_made(problem)
            return None
        return self._made(order, data)

    def make_soon(self) -> asyncio.Task[bytes | None] | None:
        """What the button does: start making the PDF as a task on the running loop, and return at once.

        The task's result is what ``make`` returns. ``None`` (nothing started) when the name is missing or too
        long, or while this kernel is making a certificate already; the message says which. Needs a running
        asyncio loop (a kernel's page has one); ``RuntimeError`` without.
        """
        loop = asyncio.get_running_loop()
        order = self._order()
        if order is None:
            return None
        self._say("tw-meta", self.ui.certificate_making)
        task = loop.create_task(self._make_async(order))
        _IN_PROGRESS.hold(task)
        return task

    def _order(self) -> _Order | None:
        """The certificate to make, or ``None`` with a message saying why not (busy, no name, too long)."""
        if _IN_PROGRESS.busy():
            self._say("tw-meta", self.ui.certificate_busy)  # the certificate in the making stays on its way
            return None
        self._withdraw()
        name = tidy_name(self.name_box.value)
        if not name:
            self._say("tw-nudge", self.ui.certificate_need_name)
            return None
        if len(name) > MOST_NAME_CHARACTERS:
            text = self.ui.format("certificate_too_long", limit=MOST_NAME_CHARACTERS, count=len(name))
            self._say("tw-notice", text)
            return None
        done = set(completed_modules(self.workshop, self.tracker))
        return _Order(name, [module.title for module in self.workshop.modules[1:] if module.id in done])

    async def _make_async(self, order: _Order) -> bytes | None:
        try:
            data = await certificate_pdf_async(order.name, order.titles, self.ui, datetime.date.today())
        except (MissingCharacters, ChildFailed) as problem:
            self._not_made(problem)
            return None
        except Exception:
            self._say("tw-notice", self.ui.certificate_failed)  # never "making…" for ever
            raise
        return self._made(order, data)

    def _say(self, kind: str, text: str) -> None:
        # role="status": the result comes after the click, and a screen reader announces it without moving focus
        self.message.value = html('<p class="{}" role="status">{}</p>', kind, text)

    def _withdraw(self) -> None:
        """No certificate offered for saving: an earlier one must not be saved as the one asked for now."""
        self.download.data_base64 = ""
        set_hidden(self.download, True)

    def _not_made(self, problem: MissingCharacters | ChildFailed) -> None:
        if isinstance(problem, MissingCharacters):
            shown = " ".join(problem.characters)
            self._say("tw-notice", self.ui.format("certificate_cannot_print", characters=shown))
        else:  # the reason names the limit or the failure, never the name: safe for the server's log
            print(f"A certificate could not be made: {problem}", file=sys.__stderr__, flush=True)
            self._say("tw-notice", self.ui.certificate_failed)
        self._withdraw()

    def _made(self, order: _Order, data: bytes) -> bytes:
        slug = "".join(character if character.isalnum() else "-" for character in order.name.lower()).strip("-")
        self.download.filename = f"certificate-{slug or 'learner'}.pdf"
        self.download.data_base64 = base64.b64encode(data).decode("ascii")
        self._say("tw-meta", self.ui.format("certificate_ready", count=len(order.titles)))
        set_hidden(self.download, False)
        return data


def build_certificate(workshop: Any) -> CertificateWidget:
    """The certificate maker."""
    return CertificateWidget(workshop)
