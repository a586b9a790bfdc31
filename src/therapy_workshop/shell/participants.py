"""The kernels handed to pages: how many there are, whether each page is connected, and which are due to go.

Plain bookkeeping with the clock passed in, so every rule here is tested without a server
(:mod:`therapy_workshop.shell.kernel_watch` feeds it from Voilà and jupyter_server). The rules:

- A page request is let in only while fewer than ``max_kernels`` places are taken (:meth:`ParticipantKernels.admit`).
  Its place counts from that moment, before any kernel exists, so a burst of requests cannot all pass the check
  while their kernels are still starting.
- A kernel is never freed while its page is still being sent: the clock starts once the response is finished.
- A kernel whose page has never connected is due ``connect_within`` seconds after its page was sent; one whose
  page connected and then lost every connection is due ``cull_after`` seconds after the last one closed. A
  kernel with a connection is never due, however idle it is.
- A kernel keeps its place until its shutdown has finished, so the number of kernel processes never exceeds the
  cap while old kernels are still exiting.
- The facilitator is told once when the cap is reached, and again only after the count fell below it first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from therapy_workshop.shell.kernel_limits import KernelLimits


@dataclass(eq=False)
class Place:
    """One page request's claim on a participant kernel; ``kernel_id`` is set once the request has taken one."""

    kernel_id: str | None = None


@dataclass
class _PageKernel:
    """What is known about one participant kernel's page."""

    sending: bool = True
    connections: int = 0
    ever_connected: bool = False
    unconnected_since: float | None = None
    closing: bool = False


@dataclass(frozen=True)
class Due:
    """A kernel to shut down, and why, in words for the server log."""

    kernel_id: str
    reason: str


def full_message(count: int, max_kernels: int) -> str:
    """What the facilitator's terminal says when the cap is reached."""
    kernels = "participant kernel is" if count == 1 else "participant kernels are"
    return (
        f"The workshop is full: {count} {kernels} running (MAX_KERNELS={max_kernels}). "
        "New visitors see the 'full' page until one leaves."
    )


class ParticipantKernels:
    """The places for participant kernels, and the state of each kernel's page."""

    def __init__(self, limits: KernelLimits, announce: Callable[[str], None]) -> None:
        self.limits = limits
        self._announce = announce
        self._waiting: set[Place] = set()  # let in, no kernel taken yet
        self._kernels: dict[str, _PageKernel] = {}
        self._announced = False

    @property
    def count(self) -> int:
        """Places taken: kernels handed to pages (including ones still shutting down) and requests still taking one."""
        return len(self._waiting) + len(self._kernels)

    @property
    def full(self) -> bool:
        """Whether every place is taken: a new visitor would be turned away."""
        return self.count >= self.limits.max_kernels

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._kernels

    def admit(self) -> Place | None:
        """A place for a new page, or ``None`` when the cap is reached (the visitor gets the "full" page)."""
        if self.full:
            return None
        place = Place()
        self._waiting.add(place)
        if self.full and not self._announced:
            self._announced = True
            self._announce(full_message(self.count, self.limits.max_kernels))
        return place

    def took(self, place: Place, kernel_id: str) -> None:
        """The request holding ``place`` was given ``kernel_id`` (from the pool or started for it)."""
        self._waiting.discard(place)
        place.kernel_id = kernel_id
        self._kernels[kernel_id] = _PageKernel()

    def sent(self, place: Place, now: float) -> None:
        """The request holding ``place`` has finished: its page is out, or it failed and took no kernel."""
        if place.kernel_id is None:
            self._waiting.discard(place)
            self._rearm()
            return
        kernel = self._kernels.get(place.kernel_id)
        if kernel is None:
            return
        kernel.sending = False
        if kernel.connections == 0:
            kernel.unconnected_since = now

    def connections_changed(self, kernel_id: str, connections: int, now: float) -> None:
        """The kernel's page now has ``connections`` websockets open (jupyter_server's own count)."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return
        kernel.connections = connections
        if connections > 0:
            kernel.ever_connected = True
            kernel.unconnected_since = None
        elif not kernel.sending and kernel.unconnected_since is None:
            kernel.unconnected_since = now

    def due(self, now: float) -> list[Due]:
        """Kernels to shut down now; each is returned once and keeps its place until :meth:`forget`."""
        due = []
        for kernel_id, kernel in self._kernels.items():
            if kernel.closing or kernel.sending or kernel.connections or kernel.unconnected_since is None:
                continue
            waited = now - kernel.unconnected_since
            if kernel.ever_connected and waited >= self.limits.cull_after:
                reason = f"its page has had no connection for {waited:.0f} s (CULL_AFTER={self.limits.cull_after})"
            elif not kernel.ever_connected and waited >= self.limits.connect_within:
                reason = f"its page never connected (CONNECT_WITHIN={self.limits.connect_within})"
            else:
                continue
            kernel.closing = True
            due.append(Due(kernel_id, reason))
        return due

    def forget(self, kernel_id: str) -> None:
        """The kernel is gone (shut down, died or removed): its place is free."""
        if self._kernels.pop(kernel_id, None) is not None:
            self._rearm()

    def keep_only(self, running: Collection[str]) -> None:
        """Forget kernels the server no longer has (a kernel that died is removed without a shutdown)."""
        for kernel_id in [kernel_id for kernel_id in self._kernels if kernel_id not in running]:
            self.forget(kernel_id)

    def _rearm(self) -> None:
        if not self.full:
            self._announced = False
