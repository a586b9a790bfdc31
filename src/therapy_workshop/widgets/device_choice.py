"""What this device keeps (the learner's choice), and "Clear everything this site stored on this device".

The two choices are "Keep my place on this device" and "Keep nothing after this tab closes". The default is to
keep nothing. Someone checking whether their therapist crossed a line may be using a shared phone, a family
laptop, or a device that someone else watches. A trauma-informed service (SAMHSA's principles of safety and of
choice) assumes that may be so and lets the learner opt *in* to leaving a trace, never asks them to opt out of
one they did not know was there. Keeping nothing still keeps their place while the tab is open: a reload, a lost
kernel or a dropped line cost nothing (sessionStorage); only closing the tab forgets. Downloads are still
offered, with one line saying that a downloaded file stays in the device's Downloads folder.

The choice is asked on the start page (``device_choice()``) and can be changed from the header of every page;
both are :class:`DeviceChoice` controls over the same :class:`~therapy_workshop.widgets.progress.Progress`, so
they always agree. Changing it moves what is stored (the browser does it, see ``progress_store.js``) and says
how many records moved. Clearing removes every key of the workshop from both storages of the browser (the
facilitator's key for this tab included), starts every activity on the page afresh and says how many records
it removed.

One thing clearing cannot reach: the pass a facilitator's browser gets for the results export (the
``workshop-export-pass`` cookie, for ``/room/`` only and HttpOnly, so no page script can read or delete it).
Deleting it would take a new address in the facilitator's export that every participant's page calls, for a
value that holds nothing about anyone and opens nothing after 10 minutes. So the control says that in words
instead. Learners never get one.

Numbers follow GOV.UK style: "one record", otherwise numerals ("3 records").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text
from therapy_workshop.widgets.progress import Progress, progress

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.model.workshop import Workshop

#: The control's words (``content/ui.yaml``), by the name the page script uses.
WORDS = {
    "heading": "device_heading",
    "intro": "device_intro",
    "question": "device_question",
    "keep_nothing": "device_keep_nothing",
    "keep_nothing_hint": "device_keep_nothing_hint",
    "keep_place": "device_keep_place",
    "keep_place_hint": "device_keep_place_hint",
    "keeps_nothing": "device_keeps_nothing",
    "keeps_place": "device_keeps_place",
    "change": "device_change",
    "downloads": "device_downloads",
    "notice_label": "device_notice_label",
    "clear": "clear_button",
    "clear_explain": "clear_explain",
    "clear_pass": "clear_pass_note",
}


def records_text(ui: UIStrings, count: int) -> str:
    """How many records, in words: "no records", "one record", "3 records"."""
    if count <= 0:
        return str(ui.device_records_none)
    if count == 1:
        return str(ui.device_record_one)
    return str(ui.format("device_records_many", count=count))


class DeviceChoice(lean.SharedLayout, anywidget.AnyWidget):
    """The choice of what this device keeps, and "clear everything", drawn by the page as native controls.

    One widget, not a box of ipywidgets: the header shows it on every page, so it costs one model, and its
    compact form is a native ``<details>`` that opens with Enter or Space without a round trip to the kernel
    (like "Need support?"). Its radio buttons sit in a ``<fieldset>`` whose ``<legend>`` is the question.

    Python twins: :meth:`choose` (a radio button), :meth:`clear` (the clear button).
    """

    _esm = static_text("device_choice.js")
    _css = static_text("device_choice.css")

    compact = traitlets.Bool(
        False, help="A one-line disclosure for the header instead of the start page's section."
    ).tag(sync=True)
    words = traitlets.Dict(help="Everything the control says, by role (see WORDS).").tag(sync=True)
    keep_place = traitlets.Bool(False, help="The radio button chosen: keep my place (True) or keep nothing.").tag(
        sync=True
    )
    notice = traitlets.Unicode("", help="What the last change or clearing did, in words ('' for nothing).").tag(
        sync=True
    )

    def __init__(self, ui: UIStrings, tracker: Progress | None = None, *, compact: bool = False, **kwargs: Any) -> None:
        self.ui = ui
        self.tracker = tracker or progress()
        words = {role: str(getattr(ui, name)) for role, name in WORDS.items()}
        super().__init__(compact=compact, words=words, keep_place=self.tracker.keep_place, **kwargs)
        self.tracker.observe(self._on_tracker_keep_place_change, names="keep_place")
        self.tracker.observe(self._on_moved_in_change, names="moved_in")
        self.on_msg(self._on_page_message)
        if self.tracker.moved_in:
            self._say_moved_in()

    # ------------------------------------------------------------------ Python twins
    def choose(self, keep_place: bool) -> None:
        """Keep the learner's place on this device (``True``) or nothing after this tab closes (``False``).

        Every control shows the new choice at once; the browser then moves what it stores, and the notice says
        how many records moved (or that the browser refused).
        """
        if keep_place == self.tracker.keep_place:
            self.keep_place = keep_place  # nothing to move: the radio buttons show the choice there is
            return
        if self.tracker.notice == self.ui.device_moved_at_open:
            self.tracker.notice = ""  # the learner has chosen: the notice about the old default has done its job
        self.tracker.keep_place = keep_place  # every control follows (this one too)
        store = self.tracker.store
        if store is not None:
            store.move_records(keep_place, lambda reply: self._moved(keep_place, reply))

    def clear(self) -> None:
        """Remove everything this site stored in this browser, then start every activity on the page afresh."""
        store = self.tracker.store
        if store is None:
            self._cleared({"removed": 0})
        else:
            store.clear_records(self._cleared)

    # ------------------------------------------------------------------ what the browser answered
    def _moved(self, wanted: bool, reply: dict[str, Any]) -> None:
        kept = bool(reply.get("keep_place"))
        self.tracker.keep_place = kept
        if wanted and not (kept and reply.get("ok", False)):
            self.notice = self.ui.device_not_moved
            return
        name = "device_moved_place" if kept else "device_moved_nothing"
        self.notice = self.ui.format(name, records=records_text(self.ui, _count(reply.get("moved"))))

    def _cleared(self, reply: dict[str, Any]) -> None:
        self.tracker.reset()  # the pages' activities go back to their start, as after "Reset my progress"
        self.tracker.keep_place = False  # the choice's key went with the rest
        self.tracker.moved_in = False
        self.tracker.everything_cleared += 1  # the app leaves a room the learner was in: its record is gone
        self.notice = self.ui.format("clear_done", records=records_text(self.ui, _count(reply.get("removed"))))

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("keep_place")
    def _on_keep_place_change(self, change: dict[str, Any]) -> None:
        if change["new"] != self.tracker.keep_place:
            self.choose(change["new"])

    def _on_tracker_keep_place_change(self, change: dict[str, Any]) -> None:
        self.keep_place = change["new"]

    def _on_moved_in_change(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self._say_moved_in()

    def _say_moved_in(self) -> None:
        # Where every page shows what happened to the stored record (the app's notice line).
        self.tracker.notice = self.ui.device_moved_at_open

    def _on_page_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("clear") is True:
            self.clear()


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def build_device_choice(workshop: Workshop) -> DeviceChoice:
    """The start page's question: ``device_choice()``."""
    return DeviceChoice(workshop.ui)
