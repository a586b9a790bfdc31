"""What the room interface takes and gives: settings, outcomes of a write, counts, and its errors.

Plain frozen dataclasses of strings and numbers, so the same values can cross HTTP as JSON when the store is
served as a JupyterHub service, and a widget can show them without knowing where they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: Fewest answerers before an activity's bars are shown: with fewer, a bar could point at one person.
DEFAULT_MINIMUM_COUNT = 5
#: A room nobody has used for this long ends by itself (a facilitator who forgot "End room").
DEFAULT_IDLE_SECONDS = 4 * 60 * 60
#: Most participants one room takes, so that scripted joins cannot grow the store without bound.
DEFAULT_MAX_PARTICIPANTS = 1000


class RoomError(Exception):
    """A room request that cannot be served; the message is meant to be shown or logged as it is."""


class UnknownRoom(RoomError, LookupError):
    """No open room has this code (never opened, ended, idle too long), or the text is not a code at all."""


class RoomFull(RoomError):
    """The room has as many participants as its settings allow."""


class UnknownActivity(RoomError, LookupError):
    """An activity key the workshop's catalogue does not have."""


@dataclass(frozen=True)
class RoomSettings:
    """A room's rules, chosen when it opens.

    Reveal-to-participants is not a setting here: it starts off for every activity and the facilitator turns it
    on per activity while the room runs (:meth:`RoomStore.set_reveal`).
    """

    minimum_count: int = DEFAULT_MINIMUM_COUNT
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    max_participants: int = DEFAULT_MAX_PARTICIPANTS

    def __post_init__(self) -> None:
        if not 1 <= self.minimum_count <= 1000:
            raise ValueError(f"the minimum count is 1 to 1000 answerers, not {self.minimum_count}")
        if not 60 <= self.idle_seconds <= 7 * 24 * 60 * 60:
            raise ValueError(f"the idle time is 60 seconds to 7 days, not {self.idle_seconds} seconds")
        if not 1 <= self.max_participants <= 100_000:
            raise ValueError(f"a room takes 1 to 100000 participants, not {self.max_participants}")


@dataclass(frozen=True)
class Room:
    """An open room: its code (what participants type) and its settings."""

    code: str
    settings: RoomSettings = field(default_factory=RoomSettings)


class Outcome(StrEnum):
    """What became of one answer sent to a room."""

    #: The participant's first answer to this activity: it is in the counts now.
    COUNTED = "counted"
    #: The participant answered this activity before (another try, a reload): the first answer stands.
    ALREADY_ANSWERED = "already-answered"
    #: Not counted, for the reason given (no such room, not joined, not an answer the content allows, …).
    REFUSED = "refused"


@dataclass(frozen=True)
class Recorded:
    """The outcome of one answer, with the reason when it was refused."""

    outcome: Outcome
    reason: str = ""

    @property
    def counted(self) -> bool:
        """Whether this answer was the one counted."""
        return self.outcome is Outcome.COUNTED


COUNTED = Recorded(Outcome.COUNTED)
ALREADY_ANSWERED = Recorded(Outcome.ALREADY_ANSWERED)


class Membership(StrEnum):
    """Where a participant token stands in a room (a reloaded page checks the token its browser kept)."""

    JOINED = "joined"
    LEFT = "left"
    NOT_JOINED = "not-joined"


@dataclass(frozen=True)
class ActivityCounts:
    """The room's answers to one activity.

    ``answerers`` is how many participants answered; ``options`` maps every option value of the activity (in
    the catalogue's order, zeros included) to how many chose it. For a multiple-choice question one answerer
    ticks several options, so percentages are of ``answerers``, not of the sum.
    """

    answerers: int
    options: dict[str, int]

    def percent(self, value: str) -> float:
        """Share of answerers who chose option ``value``, 0 to 100."""
        return 100 * self.options.get(value, 0) / self.answerers if self.answerers else 0.0


@dataclass(frozen=True)
class RoomResults:
    """What the facilitator may be shown: counts only where enough people answered.

    ``shown`` holds the activities with at least ``minimum_count`` answerers; ``waiting`` the others that have
    any answers, with how many so far ("3 of 5 answers needed"), and never which answers they were.
    """

    participants: int
    minimum_count: int
    shown: dict[str, ActivityCounts]
    waiting: dict[str, int]


#: The environment variable (``make app ROOM_MINIMUM=…``) for the fewest answerers before bars show.
MINIMUM_VARIABLE = "ROOM_MINIMUM"


def room_settings(environ: Mapping[str, str]) -> RoomSettings:
    """The settings a room opened on this server gets: the defaults, with ``ROOM_MINIMUM`` if it is set."""
    text = environ.get(MINIMUM_VARIABLE, "").strip()
    if not text:
        return RoomSettings()
    try:
        minimum = int(text)
    except ValueError:
        raise ValueError(f"{MINIMUM_VARIABLE} must be a whole number of answerers, not {text!r}") from None
    try:
        return RoomSettings(minimum_count=minimum)
    except ValueError as error:
        raise ValueError(f"{MINIMUM_VARIABLE}: {error}") from None
