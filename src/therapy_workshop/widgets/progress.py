"""Progress that survives a reload without the server keeping anything about the learner.

Widgets report what the learner completed, and where they are in each activity, to one :class:`Progress` per
kernel. A small front-end widget, :class:`ProgressStore`, mirrors it into the browser's own localStorage and
hands it back after a reload or a later visit. What comes back from the browser is checked: data from an
unknown version or data that cannot be read is discarded with a notice, never a crash.
"""

from __future__ import annotations

import json
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._load_listeners: list[Callable[[], None]] = []

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


_PROGRESS = Progress()


def progress() -> Progress:
    """The progress of the learner using this kernel."""
    return _PROGRESS


class BrowserRecord(lean.SharedLayout, anywidget.AnyWidget):
    """Invisible bridge to one record in the browser's localStorage: what it held, and what it should hold now.

    The record never reaches the server's disk: the browser sends it once when the page opens (``loaded``) and
    writes back whatever the kernel sets in ``to_store`` ('' removes it).
    """

    _esm = static_text("progress_store.js")

    storage_key = traitlets.Unicode(help="The localStorage key of the record.").tag(sync=True)
    loaded = traitlets.Unicode("", help="What the browser had stored, sent once when the page opens.").tag(sync=True)
    ready = traitlets.Bool(False, help="True once the browser has reported.").tag(sync=True)
    to_store = traitlets.Unicode("", help="What the browser should keep ('' clears it).").tag(sync=True)
    lost_text = traitlets.Unicode("", help="Said outside the app if the notebook's kernel is lost.").tag(sync=True)


#: Where progress and the learner's place are kept in the browser.
PROGRESS_KEY = "your-rights-in-therapy/progress"


class ProgressStore(BrowserRecord):
    """The browser's copy of :class:`Progress`: taken in when the page opens, written back on every change."""

    def __init__(self, tracker: Progress | None = None, **kwargs: Any) -> None:
        super().__init__(storage_key=PROGRESS_KEY, **kwargs)
        self.tracker = tracker or progress()
        self.tracker.observe(self._on_progress_change, names=["completed", "assessment", "last_module", "place"])

    @traitlets.observe("loaded")
    def _on_loaded_change(self, change: dict[str, Any]) -> None:
        self.tracker.load(change["new"])
        self.to_store = self.tracker.to_json()

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
