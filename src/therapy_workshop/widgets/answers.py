"""First answers, announced once, for whoever counts them: the room a participant joined, and nobody else.

An activity calls :func:`announce` when the learner gives a first answer the room counts (a quiz question's
first Check, a categorise or ordering exercise's first Check, each scenario decision and ending). Nothing is
sent anywhere from here: a listener exists only while the learner is in a room (see ``shell/room_member.py``),
so self-study counts nothing. Answers put back from the browser (a restored place) are not announced again:
they were given before this kernel existed, perhaps before the learner joined.

Activity keys follow the room catalogue (``room/catalogue.py``): ``quiz:<module>:<question>``,
``sort:<exercise>:<item>``, ``order:<exercise>``, ``choice:<scenario>:<node>``, ``ending:<scenario>`` and
``assessment:<pre|post>:<topic>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from therapy_workshop.widgets.place import is_restoring

Listener = Callable[[str, Any], None]

_listeners: list[Listener] = []


def announce(activity: str, answer: Any) -> None:
    """Tell every listener about a first answer (not while a stored place is being put back)."""
    if is_restoring():
        return
    for listener in list(_listeners):
        listener(activity, answer)


def listen(listener: Listener) -> Callable[[], None]:
    """Hear every first answer from now on; returns the function that stops listening."""
    _listeners.append(listener)

    def stop() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return stop
