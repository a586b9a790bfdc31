"""Where the learner is in each activity, kept in their own browser so a fresh kernel can put them back.

A reload, a later visit or a lost kernel starts a fresh kernel with fresh widgets. Each activity whose place
matters (a quiz, an exercise, a scenario, a builder) is *remembered* under a key such as ``quiz:01-rights``. It
says what its place is (:meth:`Remembered.place_state`, plain JSON) and puts itself back from such a state with
its own Python twins of the buttons (:meth:`Remembered.restore_place`), so a restored activity is in a state the
learner could have clicked their way to, feedback included. The states travel with the learner's progress
(:mod:`therapy_workshop.widgets.progress`) to the browser: this tab's sessionStorage by default, localStorage if
the learner chose to keep their place on this device. Nothing is kept on the server.

A stored place is checked against today's content as it is put back: an item, option or node that no longer
exists is dropped quietly (content may have changed between visits). A state that is not in the shape this
version writes raises :class:`PlaceError` before anything is changed; that activity then starts afresh and the
learner is told once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from weakref import WeakValueDictionary

from therapy_workshop.widgets import room_boards
from therapy_workshop.widgets.progress import Progress, progress


class PlaceError(ValueError):
    """A stored state that is not in the shape this version writes; the message names the part."""


_restoring = False


@contextmanager
def restoring_place() -> Iterator[None]:
    """While a place is put back: keyboard focus stays where the learner has it, and nothing is re-saved."""
    global _restoring  # one kernel, one learner: a module flag
    previous, _restoring = _restoring, True
    try:
        yield
    finally:
        _restoring = previous


def is_restoring() -> bool:
    """Whether a stored place is being put back right now (focus requests are then ignored)."""
    return _restoring


class Remembered:
    """Mixin for an activity whose place is kept. Subclasses call :meth:`place_changed` after every change."""

    place_key: str = ""
    place_keeper: PlaceKeeper | None = None

    def place_state(self) -> dict[str, Any]:
        """Where the learner is, as JSON-ready data; ``{}`` for an untouched activity."""
        raise NotImplementedError

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Go to ``state``: check its shape first (raise :class:`PlaceError`), then replay it with the twins."""
        raise NotImplementedError

    def show_room(self, shown: str) -> None:
        """Show what the room answered to this activity, once revealed, in its ``room_board`` (if it has one)."""
        board = getattr(self, "room_board", None)
        if board is not None and board.value != shown:
            board.value = shown

    def place_changed(self) -> None:
        """Save the new place (not while one is being restored: the keeper saves once, at the end)."""
        if self.place_keeper is not None and not is_restoring():
            self.place_keeper.save(self)


class PlaceKeeper:
    """Remembers the activities of this kernel and puts each back from the stored place when it can."""

    def __init__(self, tracker: Progress) -> None:
        self.tracker = tracker
        # Weak: a page the app has dropped (after Reset) takes its activities with it.
        self._live: WeakValueDictionary[str, Remembered] = WeakValueDictionary()
        tracker.on_load(self._on_load)
        tracker.observe(self._on_reset, names="resets")

    def remember(self, widget: Remembered, key: str) -> None:
        """Keep ``widget``'s place under ``key`` from now on, starting from the stored place if there is one."""
        widget.place_key = key
        widget.place_keeper = self
        self._live[key] = widget
        state = self.tracker.place.get(key)
        if state is not None:
            self._restore(widget, state)

    def save(self, widget: Remembered) -> None:
        """Store ``widget``'s place (an empty place is forgotten)."""
        if self._live.get(widget.place_key) is not widget:
            return  # an older widget for the same key (a notebook cell run twice): the newer one counts
        state = widget.place_state()
        self.tracker.record_place(widget.place_key, state or None)

    def _on_load(self) -> None:
        for key, widget in list(self._live.items()):
            state = self.tracker.place.get(key)
            if state is not None:
                self._restore(widget, state)

    def _on_reset(self, _change: dict[str, Any]) -> None:
        """After "Reset my progress", every activity already built goes back to its start, as a fresh one would."""
        for widget in list(self._live.values()):
            self._restore(widget, {})

    def _restore(self, widget: Remembered, state: Any) -> None:
        try:
            if not isinstance(state, Mapping):
                raise PlaceError("it is not a record")
            with restoring_place():
                widget.restore_place(state)
        except PlaceError as error:
            self.tracker.report_place_problem("part of it could not be read")
            print(f"A stored place for {widget.place_key} was dropped: {error}", file=sys.__stderr__, flush=True)
        except Exception as error:  # a stored place must never break the page
            self.tracker.report_place_problem("part of it no longer fits the workshop")
            print(
                f"A stored place for {widget.place_key} could not be replayed: {error!r}",
                file=sys.__stderr__,
                flush=True,
            )
        self.save(widget)


_KEEPER: PlaceKeeper | None = None


def keeper() -> PlaceKeeper:
    """The place keeper of this kernel's learner."""
    global _KEEPER  # made on first use
    if _KEEPER is None:
        _KEEPER = PlaceKeeper(progress())
    return _KEEPER


def remember(widget: Remembered, key: str) -> None:
    """Keep ``widget``'s place under ``key`` (``quiz:<module>``, ``exercise:<id>``, ``scenario:<id>``, ...).

    The same key names the activity's board for a room's revealed answers (see :mod:`widgets.room_boards`).
    """
    keeper().remember(widget, key)
    room_boards.register(key, widget.show_room)


# ---------------------------------------------------------------------------- reading stored states
def field_of(state: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    """``state[name]`` if it has the right type, ``default`` if it is missing; :class:`PlaceError` otherwise."""
    if name not in state:
        return default
    value = state[name]
    # bool is an int in Python; a stored true where a number belongs is damage, not a number.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise PlaceError(f"{name!r} should be {_kind_name(kind)}, not {type(value).__name__}")
    return value


def int_list(value: Any, name: str) -> list[int]:
    """A stored list of option indexes; anything else is :class:`PlaceError`."""
    if not isinstance(value, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        raise PlaceError(f"{name!r} should be a list of numbers")
    return list(value)


def str_map(value: Any, name: str, kind: type) -> dict[str, Any]:
    """A stored mapping from ids to values of ``kind``; anything else is :class:`PlaceError`."""
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, kind) and not isinstance(item, bool) for key, item in value.items()
    ):
        raise PlaceError(f"{name!r} should map names to {_kind_name(kind)}")
    return dict(value)


def one_of(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    """A stored word that must be one of ``allowed``."""
    if value not in allowed:
        raise PlaceError(f"{name!r} should be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def known_options(indexes: list[int], count: int, multiple: bool) -> list[int]:
    """The stored option indexes that still exist; a single-choice group keeps at most one."""
    kept = sorted({index for index in indexes if 0 <= index < count})
    return kept if multiple or len(kept) <= 1 else []


def chosen_by_section(groups: Sequence[Any], section_ids: Sequence[str]) -> dict[str, list[int]]:
    """Section id -> the option indexes chosen in that section's group, for the sections with a choice."""
    return {section: list(group.selected) for group, section in zip(groups, section_ids, strict=True) if group.selected}


def read_chosen_by_section(value: Any, name: str) -> dict[str, list[int]]:
    """A stored :func:`chosen_by_section`; anything else is :class:`PlaceError`."""
    return {section: int_list(indexes, name) for section, indexes in str_map(value, name, list).items()}


def choose_by_section(groups: Sequence[Any], section_ids: Sequence[str], chosen: Mapping[str, list[int]]) -> None:
    """Choose again what :func:`read_chosen_by_section` read, leaving out sections and options no longer there."""
    for group, section in zip(groups, section_ids, strict=True):
        group.selected = known_options(chosen.get(section, []), len(group.option_html), group.multiple)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true or false", int: "a number", str: "text", list: "a list", dict: "a record"}
    return " or ".join(names.get(each, each.__name__) for each in _as_tuple(kind))
