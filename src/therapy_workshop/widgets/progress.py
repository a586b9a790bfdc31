"""Progress that survives a reload without the server keeping anything about the learner.

Widgets report what the learner completed to one :class:`Progress` per kernel. A small front-end widget,
:class:`ProgressStore`, mirrors it into the browser's own localStorage and hands it back after a reload or
a later visit. What comes back from the browser is checked: data from an older version or data that
cannot be read is discarded with a notice, never a crash.
"""

from __future__ import annotations

import json
from typing import Any

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text

VERSION = 1


class ProgressError(ValueError):
    """Stored progress that cannot be used; the message says why, for the notice."""


def serialise(completed: dict[str, list[str]], assessment: dict[str, dict[str, list[int]]], last_module: str) -> str:
    """Progress as the JSON text kept in localStorage."""
    return json.dumps(
        {"version": VERSION, "completed": completed, "assessment": assessment, "last_module": last_module},
        sort_keys=True,
    )


def parse(text: str) -> tuple[dict[str, list[str]], dict[str, dict[str, list[int]]], str]:
    """Read stored progress; raise :class:`ProgressError` if it is old, damaged or not ours."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ProgressError("it could not be read") from None
    if not isinstance(data, dict):
        raise ProgressError("it is not in the expected form")
    if data.get("version") != VERSION:
        raise ProgressError(f"it was saved by another version of the workshop ({data.get('version')!r})")
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
    return {key: sorted(set(value)) for key, value in completed.items()}, assessment, last_module


class Progress(traitlets.HasTraits):
    """What this learner has completed, by module, plus assessment results by topic."""

    completed = traitlets.Dict(help="Module id -> ids of the activities completed there.")
    assessment = traitlets.Dict(help="'pre' or 'post' -> topic id -> [right, total].")
    last_module = traitlets.Unicode("", help="The module the learner last opened.")
    notice = traitlets.Unicode("", help="A message for the learner, e.g. that stored progress was discarded.")

    def record(self, module_id: str, activity_id: str) -> None:
        """Note that ``activity_id`` in ``module_id`` is done (once is enough)."""
        done = set(self.completed.get(module_id, []))
        if activity_id not in done:
            self.completed = {**self.completed, module_id: sorted(done | {activity_id})}

    def record_assessment(self, when: str, scores: dict[str, list[int]]) -> None:
        """Keep the latest pre- or post-assessment result by topic."""
        self.assessment = {**self.assessment, when: scores}

    def reset(self) -> None:
        """Forget everything (and, through the store, clear the browser's copy)."""
        self.completed = {}
        self.assessment = {}
        self.last_module = ""
        self.notice = ""

    def to_json(self) -> str:
        """Progress as stored; empty when there is nothing to keep."""
        if not self.completed and not self.assessment and not self.last_module:
            return ""
        return serialise(dict(self.completed), dict(self.assessment), self.last_module)

    def load(self, text: str) -> None:
        """Take progress found in the browser, or discard it with a notice if it cannot be used."""
        if not text:
            return
        try:
            completed, assessment, last_module = parse(text)
        except ProgressError as error:
            self.reset()
            self.notice = f"Your saved progress was cleared because {error}. You can carry on as normal."
            return
        self.completed = completed
        self.assessment = assessment
        self.last_module = last_module


_PROGRESS = Progress()


def progress() -> Progress:
    """The progress of the learner using this kernel."""
    return _PROGRESS


class ProgressStore(lean.SharedLayout, anywidget.AnyWidget):
    """Invisible bridge between :class:`Progress` and the browser's localStorage."""

    _esm = static_text("progress_store.js")

    loaded = traitlets.Unicode("", help="What the browser had stored, sent once when the page opens.").tag(sync=True)
    ready = traitlets.Bool(False, help="True once the browser has reported.").tag(sync=True)
    to_store = traitlets.Unicode("", help="What the browser should keep ('' clears it).").tag(sync=True)

    def __init__(self, tracker: Progress | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tracker = tracker or progress()
        self.tracker.observe(self._on_progress_change, names=["completed", "assessment", "last_module"])

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
