"""The one interface every part of the app uses to reach rooms, whatever keeps them.

Widgets, the facilitator's view and the server's handlers type against :class:`RoomService`, never against
SQLite. :class:`therapy_workshop.room.store.RoomStore` implements it on one file shared by the kernels of one
machine; :class:`therapy_workshop.room.hub_client.HubRoomClient` implements it over HTTP, against the same store
served as a JupyterHub service, for participants whose kernels run on different servers.
:func:`therapy_workshop.room.connect.open_room_service` picks one, and nothing that calls it has to change.

Writes that come from participants (:meth:`RoomService.record`) never raise for bad input: a forged or stale
write is answered with a refusal, so a page cannot be broken by the room. Calls about a room that does not
exist raise :class:`~therapy_workshop.room.values.UnknownRoom`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from therapy_workshop.room.catalogue import Catalogue
from therapy_workshop.room.values import ActivityCounts, Membership, Recorded, Room, RoomResults, RoomSettings


class RoomService(Protocol):
    """Open, join, record, count and end rooms."""

    @property
    def catalogue(self) -> Catalogue:
        """What can be counted: the facilitator's bars and a participant's shared results are drawn from it."""
        ...

    # ---------------------------------------------------------------- facilitator
    def open_room(self, settings: RoomSettings | None = None) -> Room:
        """Open a room with a new code, unique among open rooms."""
        ...

    def room(self, code: str) -> Room:
        """The open room with this code."""
        ...

    def open_rooms(self) -> list[Room]:
        """The rooms open now (on the hub: those this facilitator opened; every room for a hub admin)."""
        ...

    def counts(self, code: str) -> dict[str, ActivityCounts]:
        """Every answered activity's counts, nothing hidden (exports and tests)."""
        ...

    def visible_counts(self, code: str) -> RoomResults:
        """The counts a facilitator may be shown: activities under the room's minimum are held back."""
        ...

    def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """Show (or stop showing) an activity's bars to participants who answered it."""
        ...

    def revealed(self, code: str) -> frozenset[str]:
        """The activities whose bars participants may see."""
        ...

    def end(self, code: str) -> bool:
        """Delete everything about the room; ``False`` if there was no such open room."""
        ...

    # ---------------------------------------------------------------- participant
    def join(self, code: str, token: str | None = None) -> str:
        """Join the room; the token to keep in the browser for every later call."""
        ...

    def leave(self, code: str, token: str) -> bool:
        """Stop counting this participant's answers from now on."""
        ...

    def membership(self, code: str, token: str) -> Membership:
        """Whether the token is joined, has left, or is not of this room."""
        ...

    def participants(self, code: str) -> int:
        """How many are joined now (left ones not counted)."""
        ...

    def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """Count a first answer; refuse anything else, saying why."""
        ...

    def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """Several answers of one action at once (a checked sort sends every item)."""
        ...

    def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """The bars this participant may see: revealed activities they answered, over the room's minimum."""
        ...
