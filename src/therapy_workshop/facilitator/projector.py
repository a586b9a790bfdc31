"""The projector view (``?view=results&key=…``): the room's answers, one activity at a time, for the whole room.

Large type and high contrast for a projector at the back of a hall; the right answer stays hidden until the
facilitator presses "Show answer", so the room can discuss first. Previous and Next are ordinary buttons, so
the keyboard (Tab, Enter, Space) or a presenter's clicker works. Same rules as the facilitator's panel: nothing
for an activity until the room's minimum number of people answered it.

Like the panel, the projector never waits for the room on the kernel's loop (see :mod:`widgets.ticker`): a look
at the room runs as a task and is skipped while the last one still waits, a room that cannot be reached is said
in the panel's plain line while the last answers stay on screen, and Previous, Next and Show answer redraw at
once from what the room last said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from therapy_workshop.html.safe import html
from therapy_workshop.room.catalogue import Activity
from therapy_workshop.room.connect import asynchronous
from therapy_workshop.room.service import AsyncRoomService, RoomService
from therapy_workshop.room.values import RoomResults, UnknownRoom
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.room_bars import bars_html
from therapy_workshop.widgets.room_member import UNREACHABLE, log_room_problem, open_room_store
from therapy_workshop.widgets.ticker import OneAtATime, every

REFRESH_EVERY = 1.0


class ProjectorView(lean.VBox):
    """One activity of the module on screen.

    Python twins: :meth:`next`, :meth:`previous`, :meth:`show_answer`, :meth:`refresh`. On a kernel's loop
    :meth:`refresh` returns at once and the room is asked in the background; with no loop running (a test, a
    script) it has finished when it returns.
    """

    css_classes = ("tw-projector",)

    module_id = traitlets.Unicode("", help="The module whose activities are stepped through.")
    index = traitlets.Int(0, help="Which of the module's activities is shown (zero-based).")
    answer_shown = traitlets.Bool(False, help="Whether the right answer is marked.")

    def __init__(self, workshop: Any, open_store: Callable[[], RoomService] = open_room_store, **kwargs: Any) -> None:
        self.ui = workshop.ui
        self._open_store = open_store
        self._store: AsyncRoomService | None = None
        self._results: RoomResults | None = None  # what the room last said (None: not yet, or no room open)
        self._looks = OneAtATime()  # one look at the room in flight at a time
        self._shown: tuple[Any, ...] = ()
        self.position = lean.HTML()
        self.problem = lean.HTML()  # says so when the room cannot be reached (a hub's room service restarting)
        self.stage = LiveRegion(label=self.ui.room_shared_heading)
        self.previous_button = lean.Button(description=self.ui.room_previous)
        self.show_answer_button = lean.Button(description=self.ui.room_show_answer)
        self.next_button = lean.Button(description=self.ui.room_next, button_style="primary")
        self.previous_button.on_click(lambda _button: self.previous())
        self.show_answer_button.on_click(lambda _button: self.show_answer())
        self.next_button.on_click(lambda _button: self.next())
        controls = lean.HBox([self.previous_button, self.show_answer_button, self.next_button], classes=("tw-buttons",))
        super().__init__([self.position, self.problem, self.stage, controls], **kwargs)
        self._stop = every(REFRESH_EVERY, self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ Python twins
    def next(self) -> None:
        """The module's next activity (answer hidden again)."""
        if self.index + 1 < len(self.activities):
            self.index += 1

    def previous(self) -> None:
        """The module's previous activity."""
        if self.index > 0:
            self.index -= 1

    def show_answer(self) -> None:
        """Mark the right answer on the bars (where the activity has one)."""
        self.answer_shown = True

    def refresh(self) -> None:
        """Look at the room's answers again and redraw what changed; nothing while the last look still waits."""
        self._looks.launch(self._look)

    @property
    def activities(self) -> list[Activity]:
        """The module's countable activities, in the order the module presents them."""
        catalogue = self._room_store().catalogue
        return [activity for activity in catalogue.values() if activity.module_id == self.module_id]

    @property
    def text(self) -> str:
        """What the room reads on the screen, as plain text."""
        return plain_text(" ".join((self.position.value, self.problem.value, self.stage.html)))

    # ------------------------------------------------------------------ the room, asked in the background
    async def _look(self) -> None:
        store = self._room_store()
        try:
            rooms = await store.open_rooms()
            results = await store.visible_counts(rooms[-1].code) if rooms else None
        except UnknownRoom:  # ended between the two calls
            results = None
        except UNREACHABLE as error:
            log_room_problem("The room could not be reached", error)
            self.problem.value = html('<p class="tw-room-message" role="status">{}</p>', self.ui.room_unreachable)
            return  # asked again in a second; the last answers stay on screen
        self.problem.value = ""
        self._results = results
        self._draw()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        """Draw the activity on screen from what the room last said (only when something changed)."""
        activities = self.activities
        if not activities:
            self.position.value = self.stage.html = ""
            self._shown = ()
            return
        activity = activities[min(self.index, len(activities) - 1)]
        results = self._results
        shown = (activity.key, self.answer_shown, results)
        if shown == self._shown:
            return
        self._shown = shown
        self.position.value = html(
            '<p class="tw-projector-position">{}</p>',
            self.ui.format("room_activity_of", number=self.index + 1, total=len(activities)),
        )
        counts = results.shown.get(activity.key) if results else None
        if counts is not None:
            self.stage.html = bars_html(activity, counts, self.ui, show_expected=self.answer_shown, heading_level=2)
        else:
            waiting = results.waiting.get(activity.key, 0) if results else 0
            minimum = results.minimum_count if results else 0
            text = (
                self.ui.format("room_waiting", count=waiting, minimum=minimum) if waiting else self.ui.room_no_answers
            )
            self.stage.html = html(
                '<figure class="tw-room-bars"><figcaption><h2 class="tw-bars-title">{}</h2></figcaption>'
                '<p class="tw-room-waiting">{}</p></figure>',
                activity.label,
                text,
            )
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index + 1 >= len(activities)
        self.show_answer_button.disabled = self.answer_shown or not any(option.expected for option in activity.options)

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("module_id", "index")
    def _on_activity_change(self, change: dict[str, Any]) -> None:
        if change["name"] == "module_id":
            self.index = 0
        self.answer_shown = False
        self._draw()

    @traitlets.observe("answer_shown")
    def _on_answer_shown_change(self, _change: dict[str, Any]) -> None:
        self._draw()

    def _room_store(self) -> AsyncRoomService:
        if self._store is None:
            self._store = asynchronous(self._open_store())
        return self._store
