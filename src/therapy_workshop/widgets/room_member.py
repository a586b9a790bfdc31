"""A participant's part in a workshop room: joining, the header line that says what is counted, leaving.

Only a participant who joined a room (by its link, ``?room=CODE``, or by typing the code on the start page) has
answers counted, and only their first answer to each activity, anonymously (see :mod:`widgets.answers`). The
room's code and this browser's random token are kept in the browser, where the learner's choice of what this
device keeps says (this tab only by default, see :mod:`widgets.device_choice`), so a reload stays in the room as
the same participant; "Leave room" forgets both. Self-study never opens the room store at all.

Nothing here waits for the room on the kernel's loop (see :mod:`widgets.ticker`): every room call runs as a task,
so a room service that is slow or restarting never delays a quiz's feedback. First answers wait in a queue
and go in order, one request at a time; while the room cannot be reached they stay queued (one plain line says
so) and are sent when it answers again. The store counts a participant's first answer to an activity once,
however often it is sent, so an answer whose request timed out but arrived after all is not counted twice.
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
from therapy_workshop.room.connect import asynchronous, open_room_service
from therapy_workshop.room.service import AsyncRoomService, RoomService
from therapy_workshop.room.values import Membership, Outcome, RoomFull, UnknownRoom
from therapy_workshop.room.wire import RateLimited
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import listen
from therapy_workshop.widgets.feedback import set_hidden
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.progress import PREFIX, BrowserRecord
from therapy_workshop.widgets.room_bars import bars_html
from therapy_workshop.widgets.room_boards import owner_of, show_all
from therapy_workshop.widgets.ticker import OneAtATime, every, launch

#: Where the joined room's code and this browser's token are kept.
ROOM_KEY = PREFIX + "room"
#: How often a joined participant's page looks for results the facilitator revealed.
SHARED_EVERY = 2.0
#: What a room that cannot be reached raises: a damaged or full store file, or, on a JupyterHub, a service that
#: is restarting, a network that dropped, or too many writes from this hub user (the service's rate limit).
UNREACHABLE = (sqlite3.Error, OSError, RateLimited)
#: How many first answers may wait for a room that cannot be reached; more are not counted, and that is said.
MAX_WAITING = 100
#: At most this many waiting answers go in one request: half the smallest limit per participant (20 in 10 s).
BATCH = 10


def open_room_store() -> RoomService:
    """The rooms of this run: the hub's room service on a JupyterHub, else the store file the server set up."""
    return open_room_service()


class RoomMembership(lean.VBox):
    """Join form, "You are in room …" line with Leave room, and the room's answers the facilitator revealed.

    Python twins: :meth:`join` (the Join button), :meth:`leave` (Leave room), :meth:`arrive` (the page's
    address, once known), :meth:`refresh` (what the room shared, as the page looks for it every 2 s). On a
    kernel's loop they return at once and the room is asked in the background; with no loop running (a test, a
    script) they have finished when they return.
    """

    css_classes = ("tw-room",)

    code = traitlets.Unicode("", help="The room this participant is in ('' in self-study).")

    def __init__(self, ui: Any, open_store: Callable[[], RoomService] = open_room_store, **kwargs: Any) -> None:
        self.ui = ui
        self.token = ""
        self._open_store = open_store
        self._store: AsyncRoomService | None = None
        self._requested: str | None = None
        self._arrived = False
        self._stop_listening: Callable[[], None] = lambda: None
        self._stop_polling: Callable[[], None] = lambda: None
        self._shown_shared: dict[str, Any] = {}
        self._joining = OneAtATime()  # a join (or the check of a kept room) in flight: another press does nothing
        self._room_calls = OneAtATime()  # answers and looks at what the room shared, one request at a time
        self._waiting: list[tuple[str, Any]] = []  # first answers not yet sent, oldest first
        self._stalled = False  # the message line says that answers wait for the room
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

    def join(self, code: str, token: str | None = None) -> None:
        """Join the room ``code`` (as typed: spaces and case do not matter); say why not if it cannot be joined.

        Nothing happens while another join is still waiting for the room: a second press would join twice.
        """
        typed = code.strip()
        if typed:
            self._joining.launch(lambda: self._join(typed, token))

    def leave(self) -> None:
        """Leave the room: nothing more is counted, and this browser forgets the room at once.

        The room is told in the background: this browser forgets the room and its token now, so nothing more it
        answers can be counted even if the room never hears of the leaving. Answers still waiting are dropped.
        """
        if not self.code:
            return
        code, token = self.code, self.token
        self._forget()
        self._say(self.ui.room_left)
        launch(self._tell_left(code, token))

    def offer_form(self, shown: bool) -> None:
        """Show the join form (the app offers it on the start page only, and only outside a room)."""
        self._form_wanted = shown
        self._show()

    def refresh(self) -> None:
        """Look for the room's answers the facilitator revealed, and send answers still waiting.

        Called every 2 s while in a room. While the last look (or an answer) is still waiting for the room, this
        does nothing: requests never pile up behind a slow room.
        """
        if self.code:
            self._room_calls.launch(lambda: self._send_and_look(self.code, look=True))

    # ------------------------------------------------------------------ the room, asked in the background
    async def _join(self, typed: str, token: str | None) -> None:
        try:
            room_code = normalise_code(typed)  # the store's own reading of a code: case, spaces and dashes
            joined = await self._room_store().join(room_code, token)
        except (RoomCodeError, UnknownRoom):
            self._say(self.ui.format("room_unknown", code=typed))
            return
        except RoomFull:
            self._say(self.ui.format("room_full", code=room_code))
            return
        except UNREACHABLE as error:
            log_room_problem("A room could not be joined", error)
            self._say(self.ui.room_unreachable)
            return
        self.token = joined
        self.code = room_code
        self.record.to_store = json.dumps({"code": room_code, "token": self.token})
        self._say("")

    async def _tell_left(self, code: str, token: str) -> None:
        try:
            await self._room_store().leave(code, token)
        except UnknownRoom:
            pass  # it ended meanwhile: leaving it is done either way
        except UNREACHABLE as error:
            log_room_problem("Leaving a room could not be told to the room", error)

    async def _send_and_look(self, code: str, look: bool) -> None:
        """Send every waiting answer (also those given meanwhile), then look once if asked."""
        while code and self.code == code:
            if self._waiting:
                if not await self._send_waiting(code, self.token):
                    return  # the room cannot be reached: the next look (in 2 s) tries again
            elif look:
                look = False
                await self._look(code, self.token)
            else:
                return

    async def _send_waiting(self, code: str, token: str) -> bool:
        """Send the oldest waiting answers; whether the room took them (counted or refused, either way done)."""
        queue = self._waiting
        batch = queue[:BATCH]
        store = self._room_store()
        try:
            if len(batch) == 1:
                outcomes = [await store.record(code, token, *batch[0])]
            else:
                first_of_each: dict[str, Any] = {}
                for activity, answer in batch:
                    first_of_each.setdefault(activity, answer)  # a second one would be refused anyway
                outcomes = list((await store.record_many(code, token, first_of_each)).values())
        except UNREACHABLE as error:
            if self.code == code and not self._stalled:
                log_room_problem("Room answers wait for the room", error)
                self._say(self.ui.room_answers_waiting)
                self._stalled = True
            return False
        if self.code != code or self._waiting is not queue:
            return False  # left meanwhile: what was waiting was dropped
        del queue[: len(batch)]
        if self._stalled:
            self._say("")
        if any(outcome.outcome is Outcome.REFUSED for outcome in outcomes):
            await self._check_open(code, token)
        return True

    async def _check_open(self, code: str, token: str) -> None:
        """After a refusal: if the room has ended, say so and forget it."""
        try:
            await self._room_store().membership(code, token)
        except UnknownRoom:
            if self.code == code:
                self._ended()
        except UNREACHABLE:
            pass  # said already if it matters: the answer itself stands

    async def _look(self, code: str, token: str) -> None:
        try:
            shared = await self._room_store().shared_with(code, token)
        except UnknownRoom:
            if self.code == code:
                self._ended()
            return
        except UNREACHABLE:
            return  # asked again in 2 s; what was shown stays
        if self.code == code:
            self._show_shared(shared)

    async def _settle_now(self) -> None:
        kept = _read_record(self.record.loaded)
        if self._requested:
            same = kept is not None and _same_code(kept[0], self._requested)
            await self._join(self._requested, kept[1] if same and kept else None)
        elif kept is not None:
            try:
                membership = await self._room_store().membership(kept[0], kept[1])
            except UnknownRoom:
                self.record.to_store = ""
                self._say(self.ui.room_ended)
                return
            except UNREACHABLE as error:
                log_room_problem("A kept room could not be checked", error)
                self._say(self.ui.room_unreachable)  # the browser keeps the room: a reload tries again
                return
            if membership is Membership.JOINED:
                await self._join(kept[0], kept[1])
            else:
                self.record.to_store = ""

    def _show_shared(self, shared: dict[str, Any]) -> None:
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
        self._joining.launch(self._settle_now)

    def _on_answer(self, activity: str, answer: Any) -> None:
        # Counting is the room's business: the learner's own Check or Continue never waits for it. The answer
        # joins the queue and this returns at once; a room that cannot be reached is said in words and logged.
        if len(self._waiting) >= MAX_WAITING:
            log_room_problem("A room answer was not kept", OverflowError(f"{MAX_WAITING} answers wait already"))
            self._say(self.ui.room_unavailable)
            return
        self._waiting.append((activity, answer))
        # A request in flight sends this one too before it ends: one request at a time, never a pile.
        self._room_calls.launch(lambda: self._send_and_look(self.code, look=False))

    def _ended(self) -> None:
        self._forget()
        self._say(self.ui.room_ended)

    def _forget(self) -> None:
        self.code = ""
        self.token = ""
        self.record.to_store = ""
        self.shared.value = ""
        self._shown_shared = {}
        self._waiting = []
        show_all({})

    def _say(self, text: str) -> None:
        self._stalled = False  # whatever was said last is what the line says now
        self.message.html = html('<p class="tw-room-message">{}</p>', text) if text else ""

    def _show(self) -> None:
        self.line.value = (
            html('<p class="tw-room-joined">{}</p>', self.ui.format("room_joined", code=self.code)) if self.code else ""
        )
        set_hidden(self.joined_row, not self.code)
        set_hidden(self.form, bool(self.code) or not self._form_wanted)

    def _room_store(self) -> AsyncRoomService:
        if self._store is None:
            self._store = asynchronous(self._open_store())
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
