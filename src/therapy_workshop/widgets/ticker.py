"""Calling a function every few seconds on the kernel's own event loop, for views that follow the room.

A kernel answers its page from one asyncio loop; a callback scheduled there runs between messages, never at
the same time as a click, so it may update widgets freely. Outside a running loop (a test calling the view's
``refresh`` itself) nothing is scheduled.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable


def every(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback()`` every ``seconds`` until the returned function is called; an error stops nothing."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return lambda: None
    handle: asyncio.TimerHandle | None = None
    stopped = False

    def tick() -> None:
        nonlocal handle
        if stopped:
            return
        try:
            callback()
        except Exception as error:  # a view that cannot refresh once tries again next time
            print(f"A room view could not refresh: {error!r}", file=sys.__stderr__, flush=True)
        handle = loop.call_later(seconds, tick)

    def stop() -> None:
        nonlocal stopped
        stopped = True
        if handle is not None:
            handle.cancel()

    handle = loop.call_later(seconds, tick)
    return stop
