"""Where a room's revealed answers appear: under the activity they belong to, beside the learner's own answer.

An activity that a room counts (a quiz, an exercise, a scenario) registers a board under its place key when it
is built (``quiz:<module>``, ``exercise:<id>``, ``scenario:<id>``). The participant's room view works out which
activity each counted answer belongs to (:func:`owner_of`) and hands every board its bars, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Show = Callable[[str], None]

_boards: dict[str, Show] = {}


def owner_of(activity_key: str) -> str:
    """The place key of the activity a counted answer belongs to (``sort:ex:item`` belongs to ``exercise:ex``)."""
    kind, _, rest = activity_key.partition(":")
    first = rest.split(":", 1)[0]
    owner_kind = {"quiz": "quiz", "sort": "exercise", "order": "exercise", "choice": "scenario", "ending": "scenario"}
    return f"{owner_kind.get(kind, kind)}:{first}"


def register(owner: str, show: Show) -> None:
    """Show the room's answers for ``owner`` with ``show(html)`` from now on (a newer activity replaces an older)."""
    _boards[owner] = show


def show_all(by_owner: dict[str, str]) -> set[str]:
    """Give every board its HTML ('' clears it); returns the owners that had no board to show them."""
    for owner, show in _boards.items():
        show(by_owner.get(owner, ""))
    return set(by_owner) - set(_boards)
