"""A participant's part in a workshop room: joining, the header line that says what is counted, leaving.

Only a participant who joined a room (by its link, ``?room=CODE``, or by typing the code on the start page) has
answers counted, and only their first answer to each activity, anonymously (see :mod:`widgets.answers`). The
room's code and this browser's random token are kept in the browser (localStorage), so a reload stays in the
room as the same participant; "Leave room" forgets both. Self-study never opens the room store at all.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.room.codes import RoomCodeError, normalise_code
from therapy_workshop.room.connect import open_room_service
from therapy_workshop.room.service import RoomService
from therapy_workshop.room.values import Membership, Outcome, RoomFull, UnknownRoom
from therapy_workshop.room.wire import RateLimited
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import listen
from therapy_workshop.widgets.feedback import set_hidden
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.progress import BrowserRecord
from therapy_workshop.widgets.room_bars import bars_html
from therapy_workshop.widgets.room_boards import owner_of, show_all
from therapy_workshop.widgets.ticker import every

#: Where the joined room's code and this browser's token are kept.
ROOM_KEY = "your-rights-in-therapy/room"
#: How often a joined participant's page looks for results the facilitator revealed.
SHARED_EVERY = 2.0
#: What a room that cannot be reached raises: a damaged or full store file, or, on a JupyterHub, a service that
#: is restarting, a network that dropped, or too many writes from this hub user (the service's rate limit).
UNREACHABLE = (sqlite3.Error, OSError, RateLimited)


def open_room_store() -> RoomService:
    """The rooms of this run: the hub's room service on a JupyterHub, else the store file the server set up."""
    return open_room_service()


class RoomMembership(lean.VBox):
    """Join form, "You are in room …" line with Leave room, and the room's answers the facilitator revealed.

    Python twins: :meth:`join` (the Join button), :meth:`leave` (Leave room), :meth:`arrive` (the page's
    address, once known), :meth:`refresh` (what the room shared, as the page looks for it every 2 s).
    """

    css_classes = ("tw-room",)

    code = traitlets.Unicode("", help="The room this participant is in ('' in self-study).")

    def __init__(self, ui: Any, open_store: Callable[[], RoomService] = open_room_store, **kwargs: Any) -> None:
        self.ui = ui
        self.token = ""
        self._open_store = open_store
        self._store: RoomService | None = None
        self._requested: str | None = None
        self._arrived = False
        self._stop_listening: Callable[[], None] = lambda: None
        self._stop_polling: Callable[[], None] = lambda: None
        self._shown_shared: dict[str, Any] = {}
        self.record = BrowserRecord(storage_key=ROOM_KEY)
        self.line = lean.HTML()
        self.leave_button = lean.Button(description=ui.room_leave)
        self.leave_button.on_click(lambda _button: self.leave())
        joined_row = lean.HBox([self.line, self.leave_button], classes=("tw-room-line",))
        self.joined_row = joined_row
        self.code_box = widgets.Text(
            description=ui.room_code_label, style={"description_width": "initial"}, layout=widgets.Layout(width="16rem")
        )
        self.join_button = lean.Button(description=ui.room_join)
        self.join_button.on_click(lambda _button: self.join(self.code_box.value))
        self.form = lean.VBox(
            [
                lean.HTML(html('<p class="tw-room-prompt">{}</p>', ui.room_join_prompt)),
                lean.HBox([self.code_box, self.join_button]),
            ],
            classes=("tw-room-form",),
        )
        self.message = LiveRegion(label=ui.feedback_label)
        self.shared = lean.HTML()
        super().__init__([self.record, joined_row, self.form, self.message, self.shared], **kwargs)
        self._form_wanted = False
        self.record.observe(self._on_record_ready, names="ready")
        self._show()

    # ------------------------------------------------------------------ Python twins
    def arrive(self, requested_code: str | None) -> None:
        """The page's address is known: join the room it names (``?room=``), or the one this browser was in."""
        self._requested = requested_code
        self._arrived = True
        self._settle()

    def join(self, code: str, token: str | None = None) -> bool:
        """Join the room ``code`` (as typed: spaces and case do not matter); say why not if it cannot be joined."""
        typed = code.strip()
        if not typed:
            return False
        try:
            room_code = normalise_code(typed)  # the store's own reading of a code: case, spaces and dashes
            self.token = self._room_store().join(room_code, token)
        except (RoomCodeError, UnknownRoom):
            self._say(self.ui.format("room_unknown", code=typed))
            return False
        except RoomFull:
            self._say(self.ui.format("room_full", code=room_code))
            return False
        except UNREACHABLE as error:
            log_room_problem("A room could not be joined", error)
            self._say(self.ui.room_unreachable)
            return False
        self.code = room_code
        self.record.to_store = json.dumps({"code": room_code, "token": self.token})
        self._say("")
        return True

    def leave(self) -> None:
        """Leave the room: nothing more is counted, and this browser forgets the room."""
        if not self.code:
            return
        try:
            self._room_store().leave(self.code, self.token)
        except UnknownRoom:
            pass  # it ended meanwhile: leaving it is done either way
        except UNREACHABLE as error:
            # This browser forgets the room and its token, so nothing more it answers can be counted.
            log_room_problem("Leaving a room could not be told to the room", error)
        self._forget()
        self._say(self.ui.room_left)

    def offer_form(self, shown: bool) -> None:
        """Show the join form (the app offers it on the start page only, and only outside a room)."""
        self._form_wanted = shown
        self._show()

    def refresh(self) -> None:
        """Show the room's answers the facilitator revealed, for the activities this participant answered."""
        if not self.code:
            return
        try:
            shared = self._room_store().shared_with(self.code, self.token)
        except UnknownRoom:
            self._ended()
            return
        except UNREACHABLE:
            return  # asked again in 2 s; what was shown stays
        if shared == self._shown_shared:
            return
        self._shown_shared = shared
        catalogue = self._room_store().catalogue
        by_owner: dict[str, list[Markup]] = {}
        for key, counts in shared.items():
            by_owner.setdefault(owner_of(key), []).append(
                bars_html(catalogue[key], counts, self.ui, show_expected=True)
            )
        boards = {owner: self._shared_html(figures) for owner, figures in by_owner.items()}
        unplaced = show_all({owner: str(shown) for owner, shown in boards.items()})
        # Answers whose activity has no board here (an assessment's bands) are shown under the room line.
        self.shared.value = join(boards[owner] for owner in sorted(unplaced))

    def _shared_html(self, figures: list[Markup]) -> Markup:
        return html(
            '<section class="tw-room-shared" aria-label="{label}"><h4>{label}</h4>{figures}</section>',
            label=self.ui.room_shared_heading,
            figures=join(figures),
        )

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("code")
    def _on_code_change(self, change: dict[str, Any]) -> None:
        self._stop_listening()
        self._stop_polling()
        if change["new"]:
            self._stop_listening = listen(self._on_answer)
            self._stop_polling = every(SHARED_EVERY, self.refresh)
        else:
            self._stop_listening = lambda: None
            self._stop_polling = lambda: None
        self._show()

    def _on_record_ready(self, _change: dict[str, Any]) -> None:
        self._settle()

    def _settle(self) -> None:
        """Once the address and the browser's record are both known, join what they name (once)."""
        if not (self._arrived and self.record.ready) or self.code:
            return
        kept = _read_record(self.record.loaded)
        if self._requested:
            same = kept is not None and _same_code(kept[0], self._requested)
            self.join(self._requested, kept[1] if same and kept else None)
        elif kept is not None:
            try:
                membership = self._room_store().membership(kept[0], kept[1])
            except UnknownRoom:
                self.record.to_store = ""
                self._say(self.ui.room_ended)
                return
            except UNREACHABLE as error:
                log_room_problem("A kept room could not be checked", error)
                self._say(self.ui.room_unreachable)  # the browser keeps the room: a reload tries again
                return
            if membership is Membership.JOINED:
                self.join(kept[0], kept[1])
            else:
                self.record.to_store = ""

    def _on_answer(self, activity: str, answer: Any) -> None:
        # Counting is the room's business: a store that cannot be read or written (a damaged file, a full disk)
        # must never stop the learner's own Check or Continue, so it is said in words and logged, and that is all.
        try:
            recorded = self._room_store().record(self.code, self.token, activity, answer)
        except UNREACHABLE as error:
            log_room_problem("A room answer could not be recorded", error)
            self._say(self.ui.room_unavailable)
            return
        if recorded.outcome is Outcome.REFUSED:
            try:
                self._room_store().membership(self.code, self.token)
            except UnknownRoom:
                self._ended()
            except UNREACHABLE:
                pass  # said already if it matters: the answer itself stands

    def _ended(self) -> None:
        self._forget()
        self._say(self.ui.room_ended)

    def _forget(self) -> None:
        self.code = ""
        self.token = ""
        self.record.to_store = ""
        self.shared.value = ""
        self._shown_shared = {}
        show_all({})

    def _say(self, text: str) -> None:
        self.message.html = html('<p class="tw-room-message">{}</p>', text) if text else ""

    def _show(self) -> None:
        self.line.value = (
            html('<p class="tw-room-joined">{}</p>', self.ui.format("room_joined", code=self.code)) if self.code else ""
        )
        set_hidden(self.joined_row, not self.code)
        set_hidden(self.form, bool(self.code) or not self._form_wanted)

    def _room_store(self) -> RoomService:
        if self._store is None:
            self._store = self._open_store()
        return self._store


def log_room_problem(what: str, error: BaseException) -> None:
    """One line on the server's terminal (never the page): the room failing is the room's business."""
    print(f"{what}: {error!r}", file=sys.__stderr__, flush=True)


def _same_code(kept: str, requested: str) -> bool:
    """Whether the room this browser kept is the one the link names (read as the store reads codes)."""
    try:
        return normalise_code(kept) == normalise_code(requested)
    except RoomCodeError:
        return False


def _read_record(text: str) -> tuple[str, str] | None:
    """The room code and token this browser kept, or None if there is none (or it is not ours)."""
    try:
        data = json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("code"), str) and isinstance(data.get("token"), str):
        return data["code"], data["token"]
    return None
