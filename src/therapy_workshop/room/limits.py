"""How often one participant may write: a sliding window of answers per participant token.

A real learner sends at most one action's worth of answers at a time (checking a 23-item sort sends 23). The
default limit is therefore twice the largest action the content has, and never under 20, per 10 seconds:
nobody clicking through the workshop meets it, while a script flooding the store is slowed to a trickle.

The window is kept in memory, per store instance. In the standalone app each participant's kernel has its own
instance and the server another, so the limit holds per kernel; the JupyterHub service of the next issue has
one instance for all participants, where it holds per participant exactly. The limit is applied before an
answer is checked against the content, so answers refused as invalid count against it too: forged writes cannot
be sent (or fill the log) faster than real ones.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from therapy_workshop.room.catalogue import Catalogue

DEFAULT_WRITES = 20
DEFAULT_SECONDS = 10.0


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
