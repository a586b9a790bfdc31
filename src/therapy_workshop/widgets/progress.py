"""Progress that survives a reload without the server keeping anything about the learner.

Widgets report what the learner completed, and where they are in each activity, to one :class:`Progress` per
kernel. A small front-end widget, :class:`ProgressStore`, mirrors it into the browser and hands it back after a
reload. What comes back from the browser is checked: data from an unknown version or data that cannot be read is
discarded with a notice, never a crash.

*Which* storage of the browser holds it is the learner's choice (see :mod:`therapy_workshop.widgets.device_choice`):
with "Keep my place on this device" it is localStorage, as long as they like; otherwise, and by default, it is
sessionStorage, which lasts while the tab is open (a reload keeps the place) and is gone when it closes. The
browser keeps that choice in one place, :data:`KEEP_KEY` in localStorage, and the page's script reads it before
every read and write, so a record always goes where the device's choice says, whichever tab made it.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text

#: The record's format. Version 1 kept progress only; version 2 adds the learner's place in each activity.
VERSION = 2
#: Older formats that can still be read: their progress is kept, anything else in them is not.
READABLE_VERSIONS = (1, 2)


class ProgressError(ValueError):
    """Stored progress that cannot be used; the message says why, for the notice."""


@dataclass(frozen=True)
class Stored:
    """What a stored record holds, once checked. ``place_problem`` says why a place was left out ('' if not)."""

    completed: dict[str, list[str]]
    assessment: dict[str, dict[str, list[int]]]
    last_module: str
    place: dict[str, dict[str, Any]] = field(default_factory=dict)
    place_problem: str = ""


def serialise(
    completed: dict[str, list[str]],
    assessment: dict[str, dict[str, list[int]]],
    last_module: str,
    place: dict[str, dict[str, Any]] | None = None,
) -> str:
    """Progress (and the place in each activity) as the JSON text kept in localStorage."""
    return json.dumps(
        {
            "version": VERSION,
            "completed": completed,
            "assessment": assessment,
            "last_module": last_module,
            "place": place or {},
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def parse(text: str) -> Stored:
    """Read a stored record; raise :class:`ProgressError` if its progress is old, damaged or not ours.

    A damaged place does not cost the learner their progress: it is left out, and ``place_problem`` says why.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ProgressError("it could not be read") from None
    if not isinstance(data, dict):
        raise ProgressError("it is not in the expected form")
    version = data.get("version")
    if version not in READABLE_VERSIONS:
        raise ProgressError(f"it was saved by another version of the workshop ({version!r})")
    completed = data.get("completed", {})
    assessment = data.get("assessment", {})
    last_module = data.get("last_module", "")
    if not (
        isinstance(completed, dict)
        and all(isinstance(key, str) and isinstance(value, list) for key, value in completed.items())
        and all(isinstance(item, str) for value in completed.values() for item in value)
    ):
        raise ProgressError("its list of completed activities is damaged")
    if not (
        isinstance(assessment, dict)
        and all(
            isinstance(scores, dict)
            and all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair)
                for pair in scores.values()
            )
            for scores in assessment.values()
        )
    ):
        raise ProgressError("its assessment results are damaged")
    if not isinstance(last_module, str):
        raise ProgressError("its last module is damaged")
    place, place_problem = _parse_place(version, data.get("place"))
    return Stored(
        {key: sorted(set(value)) for key, value in completed.items()}, assessment, last_module, place, place_problem
    )


def _parse_place(version: int, place: Any) -> tuple[dict[str, dict[str, Any]], str]:
    """The place part of a record: activity key -> that activity's state, or ({}, why it was left out)."""
    if place is None:
        return {}, ""
    if version != VERSION:
        return {}, "it was saved in an older format"
    if not (isinstance(place, dict) and all(isinstance(state, dict) for state in place.values())):
        return {}, "it is damaged"
    return place, ""


class Progress(traitlets.HasTraits):
    """What this learner has completed, by module, plus assessment results by topic and their place."""

    completed = traitlets.Dict(help="Module id -> ids of the activities completed there.")
    assessment = traitlets.Dict(help="'pre' or 'post' -> topic id -> [right, total].")
    last_module = traitlets.Unicode("", help="The module the learner last opened.")
    place = traitlets.Dict(help="Activity key -> where the learner is in it (see widgets/place.py).")
    notice = traitlets.Unicode("", help="A message for the learner, e.g. that stored progress was discarded.")
    place_problem = traitlets.Unicode("", help="Why a stored place was discarded, for the notice ('' if it was not).")
    resets = traitlets.Int(0, help="How many times the learner pressed Reset: activities on the page start afresh.")
    keep_place = traitlets.Bool(
        False, help="Whether this device keeps the learner's place (their choice, as the browser reports it)."
    )
    moved_in = traitlets.Bool(
        False, help="A record found on this device was moved into this tab when the page opened (it keeps nothing)."
    )
    everything_cleared = traitlets.Int(
        0, help="How many times the learner cleared everything this site stored: a room they were in is left too."
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._load_listeners: list[Callable[[], None]] = []
        self._store: weakref.ref[ProgressStore] | None = None

    def record(self, module_id: str, activity_id: str) -> None:
        """Note that ``activity_id`` in ``module_id`` is done (once is enough)."""
        done = set(self.completed.get(module_id, []))
        if activity_id not in done:
            self.completed = {**self.completed, module_id: sorted(done | {activity_id})}

    def record_assessment(self, when: str, scores: dict[str, list[int]]) -> None:
        """Keep the latest pre- or post-assessment result by topic."""
        self.assessment = {**self.assessment, when: scores}

    def record_place(self, key: str, state: dict[str, Any] | None) -> None:
        """Keep where the learner is in the activity ``key`` (``None`` forgets it)."""
        place = dict(self.place)
        if state is None:
            place.pop(key, None)
        else:
            place[key] = state
        if place != self.place:
            self.place = place

    def reset(self) -> None:
        """Forget everything (and, through the store, clear the browser's copy): the Reset button."""
        self._clear()
        self.resets += 1

    def _clear(self) -> None:
        self.completed = {}
        self.assessment = {}
        self.last_module = ""
        self.place = {}
        self.notice = ""
        self.place_problem = ""

    def to_json(self) -> str:
        """Progress as stored; empty when there is nothing to keep."""
        if not self.completed and not self.assessment and not self.last_module and not self.place:
            return ""
        return serialise(dict(self.completed), dict(self.assessment), self.last_module, dict(self.place))

    def load(self, text: str) -> None:
        """Take progress found in the browser ('' if none), or discard it with a notice if it cannot be used."""
        try:
            stored = parse(text) if text else None
        except ProgressError as error:
            self._clear()
            self.notice = f"Your saved progress was cleared because {error}. You can carry on as normal."
            stored = None
        if stored is not None:
            self.completed = stored.completed
            self.assessment = stored.assessment
            self.last_module = stored.last_module
            self.place = stored.place
            self.place_problem = stored.place_problem
        for listener in self._load_listeners:
            listener()

    def on_load(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` whenever the browser's stored record has been taken in (or discarded).

        The place keeper uses it to put activities already on the page back where the record says.
        """
        self._load_listeners.append(listener)

    def report_place_problem(self, reason: str) -> None:
        """Say (once per load) that part of the stored place could not be used and was dropped."""
        if not self.place_problem:
            self.place_problem = reason

    @property
    def store(self) -> ProgressStore | None:
        """The browser's copy of this progress, made last (``None`` before there is one): it moves and clears."""
        return self._store() if self._store is not None else None


_PROGRESS = Progress()


def progress() -> Progress:
    """The progress of the learner using this kernel."""
    return _PROGRESS


#: Every key the workshop writes in the browser starts with this, so "clear everything" can find them all.
PREFIX = "your-rights-in-therapy/"
#: Where progress and the learner's place are kept in the browser.
PROGRESS_KEY = PREFIX + "progress"
#: The learner's choice, in localStorage: :data:`KEEP_PLACE` when they chose to keep their place on this device;
#: absent when they keep nothing, so that nothing on the device says they were here. (A contract: the quick exit
#: reads the same key.)
KEEP_KEY = PREFIX + "keep"
KEEP_PLACE = "place"
#: Kept for one tab only whatever the choice (the facilitator's key, see the page template): never moved.
TAB_ONLY_KEYS = (PREFIX + "facilitator-key",)
LOCAL = "localStorage"
SESSION = "sessionStorage"


def storage_name(keep_place: bool) -> str:
    """The browser storage that holds the records: localStorage only when the learner chose to keep their place.

    sessionStorage is the default because it outlives a reload (a lost kernel or a dropped line costs nothing)
    but not the tab: closing it leaves no record of the visit on a shared or watched device.
    """
    return LOCAL if keep_place else SESSION


class BrowserRecord(lean.SharedLayout, anywidget.AnyWidget):
    """Invisible bridge to one record in the browser's storage: what it held, and what it should hold now.

    The record never reaches the server's disk: the browser sends it once when the page opens (``loaded``) and
    writes back whatever the kernel sets in ``to_store`` ('' removes it), into the storage the device's choice
    names at that moment (:func:`storage_name`). A record left in localStorage while the device keeps nothing (an
    earlier version kept everything there) is moved into this tab as the page opens, and ``moved_in`` says so.
    """

    _esm = static_text("progress_store.js")

    storage_key = traitlets.Unicode(help="The key of the record in the browser's storage.").tag(sync=True)
    keep_key = traitlets.Unicode(KEEP_KEY, help="The localStorage key holding the learner's choice.").tag(sync=True)
    keep_value = traitlets.Unicode(KEEP_PLACE, help="Its value when they chose to keep their place.").tag(sync=True)
    loaded = traitlets.Unicode("", help="What the browser had stored, sent once when the page opens.").tag(sync=True)
    ready = traitlets.Bool(False, help="True once the browser has reported.").tag(sync=True)
    to_store = traitlets.Unicode("", help="What the browser should keep ('' clears it).").tag(sync=True)
    storage = traitlets.Unicode(
        "", help="Where the browser keeps the record: localStorage or sessionStorage ('' until it reports)."
    ).tag(sync=True)
    moved_in = traitlets.Bool(
        False, help="The browser moved this record from localStorage into this tab as the page opened."
    ).tag(sync=True)
    lost_text = traitlets.Unicode("", help="Said outside the app if the notebook's kernel is lost.").tag(sync=True)


Reply = Callable[[dict[str, Any]], None]


class ProgressStore(BrowserRecord):
    """The browser's copy of :class:`Progress`: taken in when the page opens, written back on every change.

    It also carries the two things that act on every record of the workshop at once, because it is on every page
    that keeps progress: :meth:`move_records` (the learner changed what this device keeps) and
    :meth:`clear_records` ("clear everything"). The browser answers each with what it did.
    """

    def __init__(self, tracker: Progress | None = None, **kwargs: Any) -> None:
        super().__init__(storage_key=PROGRESS_KEY, **kwargs)
        self.tracker = tracker or progress()
        self.tracker._store = weakref.ref(self)
        self._replies: dict[int, Reply] = {}
        self._asked = 0
        self.tracker.observe(self._on_progress_change, names=["completed", "assessment", "last_module", "place"])
        self.on_msg(self._on_browser_message)

    # ------------------------------------------------------------------ asking the browser
    def move_records(self, keep_place: bool, then: Reply) -> None:
        """Move every record into the storage ``keep_place`` names, and keep or remove the choice's key.

        Keep my place: this tab's records go to localStorage. Keep nothing: localStorage's records come into this
        tab's sessionStorage and are deleted from localStorage, with the choice's key. ``then`` gets the browser's
        answer: ``{"moved": n, "keep_place": bool, "ok": bool}``.
        """
        command = {"do": "move", "keep_place": keep_place, "tab_only": list(TAB_ONLY_KEYS)}
        self._ask(command, then)

    def clear_records(self, then: Reply) -> None:
        """Remove every key starting with :data:`PREFIX` from both storages; ``then`` gets ``{"removed": n}``."""
        self._ask({"do": "clear"}, then)

    def _ask(self, command: dict[str, Any], then: Reply) -> None:
        self._asked += 1
        self._replies[self._asked] = then
        self.send({**command, "id": self._asked, "prefix": PREFIX})

    def _on_browser_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("id"), int):
            return
        then = self._replies.pop(content["id"], None)
        if then is not None:
            then(content)

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("loaded")
    def _on_loaded_change(self, change: dict[str, Any]) -> None:
        # The browser reports where it keeps records, and whether it moved one in, with what it had: both are
        # known before the record is read, so a notice about a damaged record says the last word.
        self._report_storage()
        if self.moved_in:
            self.tracker.moved_in = True
        self.tracker.load(change["new"])
        self.to_store = self.tracker.to_json()

    @traitlets.observe("storage")
    def _on_storage_change(self, _change: dict[str, Any]) -> None:
        self._report_storage()

    def _report_storage(self) -> None:
        if self.storage:
            self.tracker.keep_place = self.storage == LOCAL

    @traitlets.observe("ready")
    def _on_ready_change(self, _change: dict[str, Any]) -> None:
        self.to_store = self.tracker.to_json()

    def _on_progress_change(self, _change: dict[str, Any]) -> None:
        if self.ready:
            self.to_store = self.tracker.to_json()


def track(widget: traitlets.HasTraits, module_id: str, activity_id: str, trait: str, done: Any) -> None:
    """Record ``activity_id`` as done when ``widget.<trait>`` takes a value for which ``done(value)`` is true."""

    def on_change(change: dict[str, Any]) -> None:
        if done(change["new"]):
            progress().record(module_id, activity_id)

    widget.observe(on_change, names=trait)


def required_activities(workshop: Any, module_id: str) -> list[str]:
    """What a module asks the learner to complete: its quiz, exercises and scenarios, or just a visit."""
    required = ["quiz"] if module_id in workshop.quizzes else []
    required += sorted(
        activity_id
        for activity_id, owner in workshop.activities.module_of.items()
        if owner == module_id and (activity_id in workshop.exercises or activity_id in workshop.scenarios)
    )
    return required or ["visited"]


def module_status(workshop: Any, tracker: Progress) -> dict[str, tuple[int, int]]:
    """Module id -> (activities done, activities required)."""
    status = {}
    for module in workshop.modules:
        required = required_activities(workshop, module.id)
        done = set(tracker.completed.get(module.id, []))
        status[module.id] = (len(done & set(required)), len(required))
    return status


def completed_modules(workshop: Any, tracker: Progress) -> list[str]:
    """Ids of the modules whose required activities are all done, in workshop order."""
    return [module_id for module_id, (done, total) in module_status(workshop, tracker).items() if done == total]


def modules_done_text(workshop: Any, tracker: Progress) -> str:
    """The "3 of 7 modules done." line; the start page is not counted, it has nothing to complete."""
    done = set(completed_modules(workshop, tracker))
    counted = workshop.modules[1:]
    return str(workshop.ui.format("modules_done", done=sum(m.id in done for m in counted), total=len(counted)))
