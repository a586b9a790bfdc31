"""The one interface every part of the app uses to reach rooms, whatever keeps them.

Widgets, the facilitator's view and the server's handlers type against :class:`RoomService`, never against
SQLite. :class:`therapy_workshop.room.store.RoomStore` implements it on one file shared by the kernels of one
machine; :class:`therapy_workshop.room.hub_client.HubRoomClient` implements it over HTTP, against the same store
served as a JupyterHub service, for participants whose kernels run on different servers.
:func:`therapy_workshop.room.connect.open_room_service` picks one, and nothing that calls it has to change.

Writes that come from participants (:meth:`RoomService.record`) never raise for bad input: a forged or stale
write is answered with a refusal, so a page cannot be broken by the room. Calls about a room that does not
exist raise :class:`~therapy_workshop.room.values.UnknownRoom`.

Kernels ask through :class:`AsyncRoomService`, the same calls as coroutines: a kernel answers its page from one
event loop, so a call that waits for a slow or restarting hub service must give the loop back while it waits,
or every widget on the page (a quiz's feedback too) waits with it. The hub client waits on the network
(:class:`~therapy_workshop.room.hub_client.AsyncHubRoomClient`); the SQLite store stays synchronous behind
:class:`InlineRoomService`, because its calls are short local transactions (see there).
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import Any, Protocol, TypeVar

from therapy_workshop.room.catalogue import Catalogue
from therapy_workshop.room.values import ActivityCounts, Membership, Recorded, Room, RoomResults, RoomSettings

Value = TypeVar("Value")


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


class AsyncRoomService(Protocol):
    """:class:`RoomService` as coroutines, for kernels: the same calls, values, exceptions and refusals."""

    @property
    def catalogue(self) -> Catalogue:
        """What can be counted (local: never asks the room)."""
        ...

    # ---------------------------------------------------------------- facilitator
    async def open_room(self, settings: RoomSettings | None = None) -> Room:
        """See :meth:`RoomService.open_room`."""
        ...

    async def room(self, code: str) -> Room:
        """See :meth:`RoomService.room`."""
        ...

    async def open_rooms(self) -> list[Room]:
        """See :meth:`RoomService.open_rooms`."""
        ...

    async def counts(self, code: str) -> dict[str, ActivityCounts]:
        """See :meth:`RoomService.counts`."""
        ...

    async def visible_counts(self, code: str) -> RoomResults:
        """See :meth:`RoomService.visible_counts`."""
        ...

    async def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """See :meth:`RoomService.set_reveal`."""
        ...

    async def revealed(self, code: str) -> frozenset[str]:
        """See :meth:`RoomService.revealed`."""
        ...

    async def end(self, code: str) -> bool:
        """See :meth:`RoomService.end`."""
        ...

    # ---------------------------------------------------------------- participant
    async def join(self, code: str, token: str | None = None) -> str:
        """See :meth:`RoomService.join`."""
        ...

    async def leave(self, code: str, token: str) -> bool:
        """See :meth:`RoomService.leave`."""
        ...

    async def membership(self, code: str, token: str) -> Membership:
        """See :meth:`RoomService.membership`."""
        ...

    async def participants(self, code: str) -> int:
        """See :meth:`RoomService.participants`."""
        ...

    async def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """See :meth:`RoomService.record`."""
        ...

    async def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """See :meth:`RoomService.record_many`."""
        ...

    async def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """See :meth:`RoomService.shared_with`."""
        ...


class InlineRoomService:
    """A synchronous :class:`RoomService` whose calls are short, as an :class:`AsyncRoomService`.

    Each coroutine calls the service at once and never gives the loop back. That is right for the SQLite store:
    a call is one short transaction on a local file, about half a millisecond to write an answer and under
    10 ms at worst while six processes write 100 answers a second (``benchmarks/room_store_stress.py``). No
    person notices that, and a thread would add a hand-over to every call and share the store's connection and
    rate limiter between threads, for nothing. A service that can wait on a network must implement
    :class:`AsyncRoomService` itself instead (:class:`~therapy_workshop.room.hub_client.AsyncHubRoomClient`).
    """

    def __init__(self, service: RoomService) -> None:
        self.service = service

    def __repr__(self) -> str:
        return f"InlineRoomService({self.service!r})"

    @property
    def catalogue(self) -> Catalogue:
        """The wrapped service's catalogue."""
        return self.service.catalogue

    async def open_room(self, settings: RoomSettings | None = None) -> Room:
        """See :meth:`RoomService.open_room`."""
        return self.service.open_room(settings)

    async def room(self, code: str) -> Room:
        """See :meth:`RoomService.room`."""
        return self.service.room(code)

    async def open_rooms(self) -> list[Room]:
        """See :meth:`RoomService.open_rooms`."""
        return self.service.open_rooms()

    async def counts(self, code: str) -> dict[str, ActivityCounts]:
        """See :meth:`RoomService.counts`."""
        return self.service.counts(code)

    async def visible_counts(self, code: str) -> RoomResults:
        """See :meth:`RoomService.visible_counts`."""
        return self.service.visible_counts(code)

    async def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """See :meth:`RoomService.set_reveal`."""
        self.service.set_reveal(code, activity_key, on)

    async def revealed(self, code: str) -> frozenset[str]:
        """See :meth:`RoomService.revealed`."""
        return self.service.revealed(code)

    async def end(self, code: str) -> bool:
        """See :meth:`RoomService.end`."""
        return self.service.end(code)

    async def join(self, code: str, token: str | None = None) -> str:
        """See :meth:`RoomService.join`."""
        return self.service.join(code, token)

    async def leave(self, code: str, token: str) -> bool:
        """See :meth:`RoomService.leave`."""
        return self.service.leave(code, token)

    async def membership(self, code: str, token: str) -> Membership:
        """See :meth:`RoomService.membership`."""
        return self.service.membership(code, token)

    async def participants(self, code: str) -> int:
        """See :meth:`RoomService.participants`."""
        return self.service.participants(code)

    async def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """See :meth:`RoomService.record`."""
        return self.service.record(code, token, activity_key, answer)

    async def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """See :meth:`RoomService.record_many`."""
        return self.service.record_many(code, token, answers)

    async def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """See :meth:`RoomService.shared_with`."""
        return self.service.shared_with(code, token)


def finish_now(call: Coroutine[Any, Any, Value]) -> Value:
    """The value of a room call that never waits on a loop, run here without one (or its exception, raised).

    Calls of :class:`InlineRoomService`, and of the hub client where no loop runs or where it must block, finish
    in their first step; running them by hand needs no event loop, so they work the same in a script, in a test
    and inside a loop's callback. A call that does wait is a mistake here, and is said so.
    """
    try:
        call.send(None)
    except StopIteration as done:
        value: Value = done.value
        return value
    call.close()
    raise RuntimeError("a room call that was to finish at once waited on an event loop")


def _inline_implements_the_interface(service: InlineRoomService) -> AsyncRoomService:
    """Never called: mypy checks here that :class:`InlineRoomService` has every coroutine of the interface."""
    return service
