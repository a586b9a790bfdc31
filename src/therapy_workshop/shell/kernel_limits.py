"""How many participant kernels the server holds, and how long a kernel may go without its page.

A kernel costs about 60 MB (see the README's "Performance"), and before these limits nothing ever bounded them:
every plain GET of the app took a kernel, and one whose page never connected stayed for the stock culler's hour.
Three settings bound them, each a ``make app`` variable and a flag of ``python -m therapy_workshop.shell.serve``:

- ``MAX_KERNELS`` (``--max-kernels``): kernels handed to pages at once; the preheated pool is not counted. Past
  it a visitor gets the "full" page instead of a kernel. 0 derives it from ``ROOM``: :func:`default_max_kernels`.
- ``CULL_AFTER`` (``--cull-after``): a kernel whose page has had no connection for this many seconds is shut down.
  Connected kernels are never shut down, however idle; the learner's place is kept in their browser, so a page
  that comes back after that (a laptop asleep over lunch) reloads onto a fresh kernel where it left off.
- ``CONNECT_WITHIN`` (``--connect-within``): a kernel whose page never connected (a link-preview bot, ``curl``,
  a tab closed while loading) is shut down this many seconds after its page was sent.

This module only derives and checks the numbers; :mod:`therapy_workshop.shell.kernel_watch` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Measured RSS of a participant kernel that has visited four modules (README "Performance"), for sizing advice.
KERNEL_MB = 60
DEFAULT_CULL_AFTER = 600
DEFAULT_CONNECT_WITHIN = 60
#: A small group or one learner still gets room for several tabs, reloads and a closed tab not yet freed.
MIN_MAX_KERNELS = 10
#: Kernels are checked at least this often, and at least ten times per window, so a window is kept to within 10 %.
LONGEST_CHECK = 30.0
SHORTEST_CHECK = 0.5


def default_max_kernels(room: int) -> int:
    """Participant kernels a room of ``room`` people may hold: two each, and never fewer than ten.

    Two each, because one person often has two pages at once: a phone and a laptop, a second tab, or a reload
    whose old page did not say goodbye and keeps its kernel until ``CULL_AFTER``. A room of 30 may then hold 60
    participant kernels plus its pool of 30, about 5.4 GB at 60 MB each; a machine with less memory sets
    ``MAX_KERNELS`` lower (see the README's "Serving a workshop").
    """
    return max(MIN_MAX_KERNELS, 2 * room)


@dataclass(frozen=True)
class KernelLimits:
    """The checked limits the server applies to participant kernels (kernels handed to pages)."""

    max_kernels: int
    cull_after: int
    connect_within: int
    #: Whether ``max_kernels`` was set by hand (``MAX_KERNELS``) rather than derived from the room.
    max_kernels_set: bool = False

    @property
    def check_every(self) -> float:
        """Seconds between two checks for kernels to free: a tenth of the shorter window, within 0.5–30 s."""
        return min(LONGEST_CHECK, max(SHORTEST_CHECK, min(self.cull_after, self.connect_within) / 10))

    def describe(self, room: int) -> str:
        """One line for the facilitator's terminal: what the server will hold and free, and which setting says so."""
        source = "MAX_KERNELS" if self.max_kernels_set else f"derived from ROOM={room}"
        return (
            f"Participant kernels: at most {self.max_kernels} ({source}; about {self.max_kernels * KERNEL_MB} MB). "
            f"A kernel is shut down when its page has not connected {self.connect_within} s after it was sent "
            f"(CONNECT_WITHIN), or has had no connection for {self.cull_after} s (CULL_AFTER); a connected page "
            f"keeps its kernel however idle."
        )

    def room_warning(self, room: int) -> str | None:
        """A warning when a hand-set cap is smaller than the room, so some of the room would be turned away."""
        if self.max_kernels >= room:
            return None
        return (
            f"MAX_KERNELS={self.max_kernels} is less than ROOM={room}: only {self.max_kernels} people can have the "
            f"app open at once; the others see the 'workshop is full' page."
        )


def kernel_limits(
    room: int,
    max_kernels: int = 0,
    cull_after: int = DEFAULT_CULL_AFTER,
    connect_within: int = DEFAULT_CONNECT_WITHIN,
) -> KernelLimits:
    """Check the settings and derive the cap from ``room`` when ``max_kernels`` is 0.

    Raises
    ------
    ValueError
        For a setting that cannot work, with the flag, the make variable and the value in the message.
    """
    if room < 0:
        raise ValueError(f"--room (ROOM) must be 0 or more people, not {room}")
    if max_kernels < 0:
        raise ValueError(
            f"--max-kernels (MAX_KERNELS) must be a number of kernels, or 0 to derive it from ROOM, not {max_kernels}"
        )
    if cull_after < 1:
        raise ValueError(
            f"--cull-after (CULL_AFTER) must be at least 1 second, not {cull_after}: it is how long a kernel "
            f"whose page has gone is kept (connected pages always keep theirs)"
        )
    if connect_within < 1:
        raise ValueError(
            f"--connect-within (CONNECT_WITHIN) must be at least 1 second, not {connect_within}: it is how long "
            f"a page may take to connect to the kernel it was given"
        )
    return KernelLimits(
        max_kernels=max_kernels or default_max_kernels(room),
        cull_after=cull_after,
        connect_within=connect_within,
        max_kernels_set=bool(max_kernels),
    )
