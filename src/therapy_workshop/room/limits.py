"""How often one participant may write: a sliding window of answers per participant token.

A real learner sends at most one action's worth of answers at a time (checking a 23-item sort sends 23). The
default limit is therefore twice the largest action the content has, and never under 20, per 10 seconds:
nobody clicking through the workshop meets it, while a script flooding the store is slowed to a trickle.

The window is kept in memory, per store instance. In the standalone app each participant's kernel has its own
instance and the server another, so the limit holds per kernel; the JupyterHub service of the next issue has
one instance for all participants, where it holds per participant exactly. The limit is applied before an
answer is checked against the content, so answers refused as invalid count against it too: forged writes cannot
be sent (or fill the log) faster than real ones.

Both limits above belong to someone: a participant token, a hub user. On a hub where every visit is a new
temporary account, a limit per someone is reset by making another someone. :class:`RoomAdmissions` is kept per
room instead, and only for new participants: how many may join at once (:class:`JoinBudget`), and how many new
participants one hub user may become in one room. Neither is reset by a new account; a participant coming back
with the token their page kept is not a new participant and is never slowed.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from therapy_workshop.room.catalogue import Catalogue

DEFAULT_WRITES = 20
DEFAULT_SECONDS = 10.0
#: New participants a room takes at once: a whole room arriving together is not slowed up to this size (a room
#: of about 100 is the most one machine serves, deploy/tljh/README.md; larger rooms run on Kubernetes).
DEFAULT_JOIN_BURST = 100
#: New participants a room takes per minute once the burst is used: one a second, about as fast as a hub on one
#: machine starts servers for people arriving, so a real room beyond the burst waits seconds at most.
DEFAULT_JOINS_PER_MINUTE = 60.0
#: New participants one hub user may become in one room: one person, plus two reloads in a browser that could not
#: keep its place. A page that kept it rejoins as the same participant, which costs nothing here.
DEFAULT_JOINS_PER_USER = 3


class Verdict(Enum):
    """The rate limiter's answer; a participant's first refusal is told apart so a flood is logged once."""

    ALLOWED = "allowed"
    LIMITED = "limited"
    STILL_LIMITED = "still-limited"


@dataclass(frozen=True)
class RateLimit:
    """At most ``writes`` answers in any ``seconds`` seconds from one participant."""

    writes: int = DEFAULT_WRITES
    seconds: float = DEFAULT_SECONDS

    def __post_init__(self) -> None:
        if self.writes < 1 or self.seconds <= 0:
            raise ValueError(f"a rate limit allows at least 1 write in a positive time, not {self}")

    @classmethod
    def for_catalogue(cls, catalogue: Catalogue) -> RateLimit:
        """Room for two of the largest action the content has (and never less than the default)."""
        return cls(writes=max(DEFAULT_WRITES, 2 * catalogue.largest_batch), seconds=DEFAULT_SECONDS)

    def describe(self) -> str:
        """The limit in words, for refusals."""
        return f"at most {self.writes} answers in {self.seconds:g} seconds"


class RateLimiter:
    """Sliding-window counts of recent writes, by participant (keyed by a hash, never the token itself)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._recent: dict[bytes, deque[float]] = {}
        self._limited: set[bytes] = set()
        self._next_sweep = 0.0

    def allow(self, who: bytes, count: int = 1) -> Verdict:
        """Whether ``who`` may write ``count`` answers now; if so, they are counted against the window."""
        now = self._clock()
        self._sweep(now)
        recent = self._recent.setdefault(who, deque())
        while recent and recent[0] <= now - self.limit.seconds:
            recent.popleft()
        if len(recent) + count > self.limit.writes:
            if who in self._limited:
                return Verdict.STILL_LIMITED
            self._limited.add(who)
            return Verdict.LIMITED
        self._limited.discard(who)
        recent.extend([now] * count)
        return Verdict.ALLOWED

    def _sweep(self, now: float) -> None:
        """Forget participants with nothing in the window, so memory stays bounded by recent writers."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.limit.seconds
        cutoff = now - self.limit.seconds
        for who in [who for who, recent in self._recent.items() if not recent or recent[-1] <= cutoff]:
            del self._recent[who]
            self._limited.discard(who)


@dataclass(frozen=True)
class JoinBudget:
    """New participants per room: ``burst`` at once, then ``per_minute``; and ``per_user`` per hub user.

    A room that takes fewer people than the burst (its ``max_participants``) is limited by its size alone: the
    store refuses it as full first, which is the refusal that says what happened.
    """

    burst: int = DEFAULT_JOIN_BURST
    per_minute: float = DEFAULT_JOINS_PER_MINUTE
    per_user: int = DEFAULT_JOINS_PER_USER

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_minute <= 0 or self.per_user < 1:
            raise ValueError(f"a join budget lets at least 1 participant in, at a positive rate, not {self}")

    def describe(self) -> str:
        """The budget in words, for refusals."""
        return f"at most {self.burst} at once, then {self.per_minute:g} a minute"


class RoomAdmissions:
    """Per room: a token bucket of new participants, and how many new participants each hub user became.

    Kept in memory by the one service that serves every room: a restart forgets it, which gives a flood a second
    burst at most. :meth:`forget` drops what belongs to ended rooms, so memory is bounded by the open rooms' joins.
    """

    def __init__(self, budget: JoinBudget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        #: room code -> (tokens left, when they were counted)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._joined: dict[str, Counter[str]] = {}

    def joins_by(self, code: str, user: str) -> int:
        """How many new participants ``user`` became in room ``code``."""
        return self._joined.get(code, Counter())[user]

    def wait(self, code: str) -> float:
        """Seconds until room ``code`` takes another new participant (0: now)."""
        tokens = self._tokens(code)
        return 0.0 if tokens >= 1 else (1 - tokens) * 60 / self.budget.per_minute

    def admitted(self, code: str, user: str) -> None:
        """Count a new participant ``user`` became in ``code`` (call only after :meth:`wait` said 0 and they joined)."""
        self._buckets[code] = (max(0.0, self._tokens(code) - 1), self._clock())
        self._joined.setdefault(code, Counter())[user] += 1

    def forget(self, open_codes: set[str]) -> None:
        """Drop the buckets and counts of rooms not in ``open_codes`` (ended, or idle too long)."""
        for code in [code for code in self._buckets if code not in open_codes]:
            del self._buckets[code]
        for code in [code for code in self._joined if code not in open_codes]:
            del self._joined[code]

    def _tokens(self, code: str) -> float:
        burst = self.budget.burst
        now = self._clock()
        left, then = self._buckets.get(code, (float(burst), now))
        return min(float(burst), left + (now - then) * self.budget.per_minute / 60)


def seconds_to_say(wait: float) -> str:
    """A wait in whole seconds, never 0 (a refusal saying "try again in 0 seconds" would be answered at once)."""
    seconds = max(1, math.ceil(wait))
    return "1 second" if seconds == 1 else f"{seconds} seconds"
