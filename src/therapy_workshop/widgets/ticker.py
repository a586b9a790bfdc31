"""The kernel's own event loop, for views that follow the room: timers, and room calls that never hold it.

A kernel answers its page from one asyncio loop: ipykernel (7.4, measured) calls widget handlers, timers and
tasks on the main thread's running loop, one at a time. A callback scheduled there runs between messages, never
at the same time as a click, so it may update widgets freely; but while any of them waits, the whole page waits
(a quiz's Check included). So a room call that may wait on the network runs as a task (:func:`launch`), and
the handler that asked for it returns at once. Outside a running loop (a script, or a test calling a view's
Python twin) nothing is scheduled by :func:`every`, and :func:`launch` runs the call to its end at once.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from therapy_workshop.room.service import finish_now

#: Tasks still running: the loop keeps only weak references to tasks, and one dropped here would never finish.
_RUNNING: set[asyncio.Task[None]] = set()


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


def launch(call: Coroutine[Any, Any, None]) -> None:
    """Run ``call`` without holding up the caller: as a task on the running loop, or to its end where none runs.

    With no loop running nothing else is waiting on one, and the room's calls then finish at once
    (:func:`~therapy_workshop.room.service.finish_now`), so a Python twin called from a test or a script has
    done its work when it returns, as before. An error a task raises is logged, never shown on the page.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        finish_now(call)
        return
    task = loop.create_task(call)
    _RUNNING.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[None]) -> None:
    _RUNNING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        print(f"A room call failed: {task.exception()!r}", file=sys.__stderr__, flush=True)


class OneAtATime:
    """At most one call of a kind in flight: asking again meanwhile does nothing.

    A poll every second or two against a room service that takes five to answer would otherwise pile up
    requests, each one waiting for the last; skipping is right for a poll, because the call in flight brings the
    newest answer anyway.
    """

    def __init__(self) -> None:
        self.busy = False

    def launch(self, make: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """Start ``make()`` unless a call is in flight; whether it was started."""
        if self.busy:
            return False
        self.busy = True
        launch(self._run(make()))
        return True

    async def _run(self, call: Coroutine[Any, Any, None]) -> None:
        try:
            await call
        finally:
            self.busy = False
