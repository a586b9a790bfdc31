"""The facilitator's room: start it, show the join link and QR code, follow the answers live, reveal, end.

Shown only in the facilitator view (the run's key), above the notes. Bars update every second from the room
store; an activity shows nothing until the room's minimum number of people answered it (5 by default), so a bar
can never point at one person. Ending the room deletes everything about it.

The facilitator's page never waits for the room on the kernel's loop (see :mod:`widgets.ticker`): every call
runs as a task, a look at the counts is skipped while the last one is still waiting, and a room that cannot be
reached is said in one line of the panel while the last results stay on screen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import segno
import traitlets

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.room.catalogue import Activity
from therapy_workshop.room.connect import asynchronous
from therapy_workshop.room.service import AsyncRoomService, RoomService
from therapy_workshop.room.values import MINIMUM_VARIABLE, RoomResults, RoomSettings, UnknownRoom, room_settings
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.feedback import set_hidden
from therapy_workshop.widgets.room_bars import bars_html
from therapy_workshop.widgets.room_member import UNREACHABLE, log_room_problem, open_room_store
from therapy_workshop.widgets.ticker import OneAtATime, every, launch

#: How often the facilitator's bars look for new answers (the issue asks for under 2 s).
REFRESH_EVERY = 1.0


def join_link(page_url: str, code: str, environ: Mapping[str, str] | None = None) -> str:
    """The address participants open to join: the app's own address with ``?room=CODE``.

    On a JupyterHub the app's address names the facilitator's own server (``/user/<name>/…``), which nobody
    else may open. There the link goes through the hub's ``user-redirect`` instead: it sends each participant to
    their own server, through a temporary login first if they have none yet.
    """
    return f"{shared_address(page_url, os.environ if environ is None else environ)}?room={code}"


def shared_address(page_url: str, environ: Mapping[str, str]) -> str:
    """``page_url`` as others can open it: on a hub, ``/user/<name>/`` becomes ``/hub/user-redirect/``."""
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "")
    if not prefix or not page_url:
        return page_url
    parts = urlsplit(page_url)
    if not parts.path.startswith(prefix):
        return page_url
    hub_base = environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/")
    path = f"{hub_base}/hub/user-redirect/{parts.path.removeprefix(prefix)}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def qr_svg(link: str) -> Markup:
    """A QR code of ``link`` as inline SVG, made here (no network), black on white for any projector."""
    return Markup(segno.make(link, error="m").svg_inline(scale=6, dark="#000", light="#fff"))


def debrief_notes(workshop: Any, activity: Activity) -> str:
    """The facilitator's debrief prompt for ``activity`` from its module's ``facilitator.yaml`` ('' if none)."""
    notes = workshop.activities.facilitator_notes.get(activity.module_id or "")
    if notes is None:
        return ""
    return next((debrief.notes for debrief in notes.debriefs if debrief.activity == activity.debrief), "")


class RoomPanel(lean.VBox):
    """One room followed live. Python twins: :meth:`start`, :meth:`end`, :meth:`confirm_end`, :meth:`refresh`.

    On a kernel's loop the twins return at once and the room is asked in the background; with no loop running
    (a test, a script) they have finished when they return.
    """

    css_classes = ("tw-room-panel",)

    code = traitlets.Unicode("", help="The room followed here ('' before one is started).")
    module_id = traitlets.Unicode("", help="The module whose activities are shown.")
    page_url = traitlets.Unicode("", help="The app's address, for the join link.")

    def __init__(self, workshop: Any, open_store: Callable[[], RoomService] = open_room_store, **kwargs: Any) -> None:
        self.workshop = workshop
        self.ui = workshop.ui
        self._open_store = open_store
        self._store: AsyncRoomService | None = None
        self._shown: tuple[Any, ...] = ()
        self._looks = OneAtATime()  # one look at the counts in flight at a time
        self._actions = OneAtATime()  # start or end: a second press while one waits does nothing
        self._look_again = False  # what is followed changed during a look: look once more after it
        self._reveals_sent = 0  # reveal changes sent so far: a look from before the last one must not undo it
        self._putting_back = False  # the boxes are being set as the room has them: nothing to send
        self.start_button = lean.Button(description=self.ui.room_start, button_style="primary")
        self.start_button.on_click(lambda _button: self.start())
        self.summary = lean.HTML()
        self.problem = lean.HTML()  # says so when the room cannot be reached (a hub's room service restarting)
        self.results = lean.HTML()
        self.reveal = ChoiceGroup(legend_html=html("{}", self.ui.room_reveal), option_html=[], multiple=True)
        self.reveal.observe(self._on_reveal_change, names="selected")
        self.end_button = lean.Button(description=self.ui.room_end)
        self.end_button.on_click(lambda _button: self.end())
        self.confirm_button = lean.Button(button_style="danger")
        self.confirm_button.on_click(lambda _button: self.confirm_end())
        controls = lean.HBox([self.end_button, self.confirm_button], classes=("tw-buttons",))
        super().__init__([self.start_button, self.summary, self.problem, self.results, self.reveal, controls], **kwargs)
        self._stop = every(REFRESH_EVERY, self.refresh)
        launch(self._follow_open_room())
        self._show()

    # ------------------------------------------------------------------ Python twins
    def start(self) -> None:
        """Open a new room and follow it (:attr:`code` says which, once the room has answered)."""
        # ROOM_MINIMUM where the server set it for its kernels (make app); otherwise the store's own choice
        # (on a JupyterHub, the room service's settings).
        settings = room_settings(os.environ) if os.environ.get(MINIMUM_VARIABLE, "").strip() else None
        self._actions.launch(lambda: self._start(settings))

    def end(self) -> None:
        """Ask to end the room: ending deletes its results, so it takes a second, explicit press."""
        set_hidden(self.confirm_button, False)

    def confirm_end(self) -> None:
        """End the room: everything about it is deleted, and participants are told when they next answer."""
        self._actions.launch(self._confirm_end)

    def refresh(self) -> None:
        """Look at the room's answers again and redraw what changed; nothing while the last look still waits."""
        if self.code:
            self._looks.launch(self._look)

    def _unreachable(self, error: BaseException) -> None:
        """Say in the panel that the room cannot be reached now; the details go to the server's terminal."""
        log_room_problem("The room could not be reached", error)
        self.problem.value = html('<p class="tw-room-message" role="status">{}</p>', self.ui.room_unreachable)

    # ------------------------------------------------------------------ the room, asked in the background
    async def _start(self, settings: RoomSettings | None) -> None:
        try:
            room = await self._room_store().open_room(settings)
        except UNREACHABLE as error:
            self._unreachable(error)
            return
        self.code = room.code

    async def _confirm_end(self) -> None:
        if self.code:
            try:
                await self._room_store().end(self.code)
            except UNREACHABLE as error:
                self._unreachable(error)
                return  # still running: the facilitator can press End again
        self.code = ""
        await self._follow_open_room()

    async def _follow_open_room(self) -> None:
        """After a reload, or when the room followed ended: follow the room still open on this server, if any."""
        try:
            rooms = await self._room_store().open_rooms()
        except UNREACHABLE as error:
            self._unreachable(error)
            return
        if not self.code:  # a room started meanwhile is the one to follow
            self.code = rooms[-1].code if rooms else ""

    async def _look(self) -> None:
        self._look_again = True
        while self._look_again and self.code:
            self._look_again = False
            await self._look_once(self.code)

    async def _look_once(self, code: str) -> None:
        store = self._room_store()
        reveals_sent = self._reveals_sent
        try:
            results = await store.visible_counts(code)
            revealed = await store.revealed(code)
        except UnknownRoom:  # ended elsewhere (another facilitator tab, or idle too long)
            if self.code == code:
                self.code = ""
                await self._follow_open_room()
            return
        except UNREACHABLE as error:
            self._unreachable(error)  # asked again in a second; the last results stay on screen
            return
        self.problem.value = ""
        if self.code == code:  # otherwise another room is followed now, and the next look draws it
            self._draw(results, revealed, boxes=reveals_sent == self._reveals_sent)

    async def _send_reveals(self, code: str, changes: list[tuple[str, bool]]) -> None:
        store = self._room_store()
        try:
            for key, on in changes:
                await store.set_reveal(code, key, on)
        except UnknownRoom:
            pass  # ended meanwhile: the next look follows whatever room is open
        except UNREACHABLE as error:
            self._unreachable(error)  # the next look puts the boxes back as the room has them

    # ------------------------------------------------------------------ drawing
    def _draw(self, results: RoomResults, revealed: frozenset[str], *, boxes: bool) -> None:
        """Show ``results``, and set the reveal boxes as the room has them if ``boxes``.

        ``boxes`` is false when a reveal was sent after this look started: the room's answer may predate it.
        """
        activities = self._activities()
        shown = (self.code, self.module_id, results, revealed)
        if shown == self._shown:
            return
        self._shown = shown
        self.summary.value = self._summary_html(results.participants)
        figures = []
        for activity in activities:
            counts = results.shown.get(activity.key)
            if counts is not None:
                figure = bars_html(activity, counts, self.ui, show_expected=True)
            else:
                waiting = results.waiting.get(activity.key, 0)
                text = (
                    self.ui.format("room_waiting", count=waiting, minimum=results.minimum_count)
                    if waiting
                    else self.ui.room_no_answers
                )
                figure = html(
                    '<figure class="tw-room-bars"><figcaption><h4 class="tw-bars-title">{}</h4></figcaption>'
                    '<p class="tw-room-waiting">{}</p></figure>',
                    activity.label,
                    text,
                )
            notes = debrief_notes(self.workshop, activity)
            debrief = (
                html(
                    '<div class="tw-room-debrief"><p class="tw-lead">{}</p>{}</div>',
                    self.ui.room_debrief,
                    render_markdown(notes),
                )
                if notes and activity is self._first_of_debrief(activities, activity)
                else Markup()
            )
            figures.append(debrief + figure)
        self.results.value = html('<div class="tw-room-results">{}</div>', join(figures))
        wanted = [index for index, activity in enumerate(activities) if activity.key in revealed]
        if boxes and self.reveal.selected != wanted:
            self._putting_back = True
            try:
                self.reveal.selected = wanted
            finally:
                self._putting_back = False

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("code", "module_id", "page_url")
    def _on_followed_change(self, _change: dict[str, Any]) -> None:
        self._shown = ()
        activities = self._activities()
        self._putting_back = True
        try:
            self.reveal.selected = []
        finally:
            self._putting_back = False
        self.reveal.option_html = [html("{}", activity.label) for activity in activities]
        self._show()
        self._look_again = True  # a look in flight is about what was followed before: it looks again after
        self.refresh()

    def _on_reveal_change(self, change: dict[str, Any]) -> None:
        if not self.code or self._putting_back:
            return
        activities = self._activities()
        before, after = set(change["old"]), set(change["new"])
        changes = [
            (activities[index].key, index in after) for index in sorted(before ^ after) if index < len(activities)
        ]
        if changes:
            self._reveals_sent += 1
            launch(self._send_reveals(self.code, changes))

    def _activities(self) -> list[Activity]:
        catalogue = self._room_store().catalogue
        return [activity for activity in catalogue.values() if activity.module_id == self.module_id]

    @staticmethod
    def _first_of_debrief(activities: list[Activity], activity: Activity) -> Activity:
        return next(each for each in activities if each.debrief == activity.debrief)

    def _summary_html(self, participants: int) -> Markup:
        link = join_link(self.page_url, self.code)
        return html(
            '<div class="tw-room-summary"><h3>{heading}</h3><p class="tw-room-count">{count}</p>'
            '<p>{join_at} <a class="tw-room-link" href="{link}">{link}</a></p>'
            '<div class="tw-room-qr" role="img" aria-label="{qr_label}">{qr}</div></div>',
            heading=self.ui.format("room_heading", code=self.code),
            count=self.ui.format("room_participants", count=participants),
            join_at=self.ui.room_join_at,
            link=link,
            qr_label=f"{self.ui.room_join_at} {link}",
            qr=qr_svg(link),
        )

    def _show(self) -> None:
        running = bool(self.code)
        set_hidden(self.start_button, running)
        for part in (self.summary, self.results, self.reveal, self.end_button):
            set_hidden(part, not running)
        set_hidden(self.confirm_button, True)
        self.confirm_button.description = self.ui.format("room_end_confirm", code=self.code) if running else ""
        if not running:
            self.summary.value = self.results.value = ""

    def _room_store(self) -> AsyncRoomService:
        if self._store is None:
            self._store = asynchronous(self._open_store())
        return self._store
