"""What this device keeps: the records go where the learner's choice says, move when it changes, and "clear
everything" removes every one of them and says how many.

The browser is played by :class:`FakeBrowser`, which does to its two storages what ``progress_store.js`` does to
the real ones (the browser test holds the JavaScript to the same behaviour in Chromium): it reads the choice's
key before every read and write, moves and clears when the kernel asks, and answers with what it did.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from therapy_workshop.model.registry import CALLS, parse_cell
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets.device_choice import DeviceChoice, records_text
from therapy_workshop.widgets.draft import ComplaintDraft
from therapy_workshop.widgets.place import PlaceKeeper
from therapy_workshop.widgets.progress import (
    KEEP_KEY,
    KEEP_PLACE,
    LOCAL,
    PREFIX,
    PROGRESS_KEY,
    SESSION,
    BrowserRecord,
    Progress,
    ProgressStore,
    progress,
    serialise,
    storage_name,
)
from therapy_workshop.widgets.quiz import QuizSet
from therapy_workshop.widgets.room_member import ROOM_KEY

FACILITATOR_KEY = PREFIX + "facilitator-key"
ROOM_RECORD = json.dumps({"code": "ABC234", "token": "t0ken"})


class FakeBrowser:
    """Two storages and the rules of ``progress_store.js``, for kernels tested without a browser."""

    def __init__(
        self, local: dict[str, str] | None = None, session: dict[str, str] | None = None, refuse_local: bool = False
    ) -> None:
        self.local = dict(local or {})
        self.session = dict(session or {})
        self.refuse_local = refuse_local  # a browser that will not keep anything on the device

    def storage(self, name: str) -> dict[str, str]:
        return self.local if name == LOCAL else self.session

    def where(self) -> str:
        return LOCAL if self.local.get(KEEP_KEY) == KEEP_PLACE else SESSION

    def put(self, name: str, key: str, value: str) -> bool:
        if name == LOCAL and self.refuse_local:
            return False
        self.storage(name)[key] = value
        return True

    def ours(self) -> dict[str, dict[str, str]]:
        return {
            name: {key: value for key, value in self.storage(name).items() if key.startswith(PREFIX)}
            for name in (LOCAL, SESSION)
        }

    def open(self, record: BrowserRecord) -> None:
        """The record's view renders: it reads (taking in a record left on the device) and reports."""
        key, where = record.storage_key, self.where()
        stored = self.storage(where).get(key)
        moved_in = False
        if where == SESSION and key in self.local:
            left = self.local.pop(key)
            if stored is None:
                self.session[key] = stored = left
                moved_in = True
        record.storage = where
        record.moved_in = moved_in
        record.loaded = stored or ""
        record.ready = True
        record.observe(lambda change: self.keep(record, change["new"]), names="to_store")
        record.send = lambda content, buffers=None: self.command(record, content)  # type: ignore[method-assign]

    def keep(self, record: BrowserRecord, value: str) -> None:
        key, name = record.storage_key, self.where()
        other = SESSION if name == LOCAL else LOCAL
        if value:
            if self.put(name, key, value) or name == SESSION:
                self.storage(other).pop(key, None)
        else:
            self.local.pop(key, None)
            self.session.pop(key, None)
        record.storage = name

    def command(self, record: Any, command: dict[str, Any]) -> None:
        if command["do"] == "move":
            reply = self.move(command)
        else:
            removed = sum(
                1 for name in (LOCAL, SESSION) for key in list(self.storage(name)) if key.startswith(command["prefix"])
            )
            for name in (LOCAL, SESSION):
                for key in [key for key in self.storage(name) if key.startswith(command["prefix"])]:
                    del self.storage(name)[key]
            reply = {"removed": removed, "left": 0}
        record._on_browser_message(record, {**reply, "id": command["id"]}, [])

    def move(self, command: dict[str, Any]) -> dict[str, Any]:
        source, target = (SESSION, LOCAL) if command["keep_place"] else (LOCAL, SESSION)
        moved, ok = 0, True
        for key in [key for key in self.storage(source) if key.startswith(command["prefix"])]:
            if key == KEEP_KEY or key in command["tab_only"]:
                continue
            copied = self.put(target, key, self.storage(source)[key])
            if copied or target == SESSION:
                del self.storage(source)[key]
                moved += 1
            ok = ok and copied
        if command["keep_place"]:
            ok = self.put(LOCAL, KEEP_KEY, KEEP_PLACE) and ok
        else:
            self.local.pop(KEEP_KEY, None)
        return {"moved": moved, "ok": ok, "keep_place": self.where() == LOCAL}


def kernel(workshop: Workshop, browser: FakeBrowser) -> tuple[Progress, ProgressStore, BrowserRecord, DeviceChoice]:
    """One learner's kernel on a page that shows the header's control, with its progress and room records."""
    tracker = progress()
    PlaceKeeper(tracker)
    store = ProgressStore(tracker)
    room = BrowserRecord(storage_key=ROOM_KEY)
    control = DeviceChoice(workshop.ui, tracker, compact=True)
    browser.open(store)
    browser.open(room)
    return tracker, store, room, control


def visit(tracker: Progress) -> None:
    tracker.record("01-rights", "visited")
    tracker.last_module = "01-rights"


# ---------------------------------------------------------------------------- the default
def test_the_default_keeps_nothing_so_records_live_in_this_tab_only(workshop: Workshop) -> None:
    browser = FakeBrowser()
    tracker, store, room, control = kernel(workshop, browser)
    assert tracker.keep_place is False and control.keep_place is False
    assert storage_name(False) == "sessionStorage" and storage_name(True) == "localStorage"
    visit(tracker)
    room.to_store = ROOM_RECORD
    assert store.storage == room.storage == "sessionStorage"
    assert browser.ours() == {LOCAL: {}, SESSION: {PROGRESS_KEY: tracker.to_json(), ROOM_KEY: ROOM_RECORD}}
    assert control.notice == ""


def test_a_kernel_that_has_not_heard_from_the_browser_keeps_nothing(workshop: Workshop) -> None:
    assert Progress().keep_place is False
    assert DeviceChoice(workshop.ui, Progress()).keep_place is False


def test_with_keep_my_place_the_records_go_to_local_storage(workshop: Workshop) -> None:
    browser = FakeBrowser(local={KEEP_KEY: KEEP_PLACE})
    tracker, store, room, control = kernel(workshop, browser)
    assert tracker.keep_place is True and control.keep_place is True
    visit(tracker)
    room.to_store = ROOM_RECORD
    assert store.storage == room.storage == "localStorage"
    assert browser.ours() == {
        LOCAL: {KEEP_KEY: KEEP_PLACE, PROGRESS_KEY: tracker.to_json(), ROOM_KEY: ROOM_RECORD},
        SESSION: {},
    }


def test_a_reload_under_keep_my_place_reads_the_record_back_from_the_device(workshop: Workshop) -> None:
    record = serialise({"01-rights": ["visited"]}, {}, "01-rights")
    tracker, _store, _room, _control = kernel(workshop, FakeBrowser(local={KEEP_KEY: KEEP_PLACE, PROGRESS_KEY: record}))
    assert tracker.last_module == "01-rights" and tracker.notice == ""


# ---------------------------------------------------------------------------- changing the choice
def test_choosing_keep_my_place_moves_the_tabs_records_onto_the_device_and_says_how_many(workshop: Workshop) -> None:
    browser = FakeBrowser(session={FACILITATOR_KEY: "k", "someone-else/x": "theirs"})
    tracker, _store, room, control = kernel(workshop, browser)
    header, start_page = control, DeviceChoice(workshop.ui, tracker)
    visit(tracker)
    room.to_store = ROOM_RECORD
    start_page.choose(True)
    assert start_page.notice == (
        "Done. This device now keeps your place. We moved 2 records from this tab onto this device."
    )
    assert browser.ours() == {
        LOCAL: {KEEP_KEY: KEEP_PLACE, PROGRESS_KEY: tracker.to_json(), ROOM_KEY: ROOM_RECORD},
        SESSION: {FACILITATOR_KEY: "k"},  # the facilitator's key is for this tab only, whatever the choice
    }
    assert browser.session["someone-else/x"] == "theirs"
    assert header.keep_place is True and tracker.keep_place is True
    # What the learner does next goes to the device too.
    tracker.record("02-conduct", "visited")
    assert json.loads(browser.local[PROGRESS_KEY])["completed"]["02-conduct"] == ["visited"]


def test_choosing_keep_nothing_moves_the_records_into_this_tab_and_deletes_them_from_the_device(
    workshop: Workshop,
) -> None:
    record = serialise({"01-rights": ["visited"]}, {}, "01-rights")
    browser = FakeBrowser(local={KEEP_KEY: KEEP_PLACE, PROGRESS_KEY: record, "someone-else/x": "theirs"})
    tracker, _store, _room, control = kernel(workshop, browser)
    control.keep_place = False  # the radio button, as the page sets it
    assert control.notice == (
        "Done. This device now keeps nothing after this tab closes. We moved one record off this device and into "
        "this tab only."
    )
    assert browser.ours() == {LOCAL: {}, SESSION: {PROGRESS_KEY: record}}
    assert browser.local == {"someone-else/x": "theirs"}
    assert tracker.keep_place is False and tracker.last_module == "01-rights"  # nothing lost in this tab


def test_choosing_what_is_already_chosen_moves_nothing(workshop: Workshop) -> None:
    browser = FakeBrowser()
    _tracker, _store, _room, control = kernel(workshop, browser)
    control.choose(False)
    assert control.notice == "" and browser.ours() == {LOCAL: {}, SESSION: {}}


def test_a_browser_that_will_not_keep_anything_on_the_device_says_so_and_keeps_nothing(workshop: Workshop) -> None:
    browser = FakeBrowser(refuse_local=True)
    tracker, _store, _room, control = kernel(workshop, browser)
    visit(tracker)
    control.choose(True)
    assert control.notice == (
        "This browser did not let us save anything on this device. Your place stays only while this tab is open."
    )
    assert tracker.keep_place is False and control.keep_place is False
    assert browser.ours() == {LOCAL: {}, SESSION: {PROGRESS_KEY: tracker.to_json()}}


def test_a_record_left_on_the_device_by_an_earlier_version_moves_into_this_tab_with_a_notice(
    workshop: Workshop,
) -> None:
    # Before the choice existed, everything was kept on the device: it now keeps nothing unless the learner opts in.
    record = serialise({"01-rights": ["visited"]}, {}, "01-rights")
    browser = FakeBrowser(local={PROGRESS_KEY: record, ROOM_KEY: ROOM_RECORD})
    tracker, _store, room, control = kernel(workshop, browser)
    assert browser.ours() == {LOCAL: {}, SESSION: {PROGRESS_KEY: record, ROOM_KEY: ROOM_RECORD}}
    assert tracker.last_module == "01-rights" and room.loaded == ROOM_RECORD
    assert tracker.notice == (
        "This device now keeps nothing after this tab closes. So we moved your saved place off this device and into "
        "this tab only. To keep it, choose “Keep my place on this device” at the top of the page."
    )
    control.choose(True)
    assert tracker.notice == ""  # chosen: the notice has done its job
    assert set(browser.ours()[LOCAL]) == {KEEP_KEY, PROGRESS_KEY, ROOM_KEY}


# ---------------------------------------------------------------------------- clear everything
def test_clear_everything_removes_every_key_of_ours_from_both_storages_and_says_how_many(workshop: Workshop) -> None:
    browser = FakeBrowser(local={KEEP_KEY: KEEP_PLACE, "someone-else/x": "theirs"}, session={FACILITATOR_KEY: "k"})
    tracker, _store, room, control = kernel(workshop, browser)
    visit(tracker)
    room.to_store = ROOM_RECORD
    assert sum(len(keys) for keys in browser.ours().values()) == 4
    control.clear()
    assert control.notice == (
        "Cleared. We deleted 4 records that this site stored. Your activities start again, and this device now "
        "keeps nothing after this tab closes."
    )
    assert browser.ours() == {LOCAL: {}, SESSION: {}}
    assert browser.local == {"someone-else/x": "theirs"}
    assert tracker.to_json() == "" and tracker.keep_place is False and control.keep_place is False


def test_clear_everything_puts_the_activities_and_typed_text_back_to_their_start(workshop: Workshop) -> None:
    browser = FakeBrowser()
    tracker, _store, _room, control = kernel(workshop, browser)
    from therapy_workshop.widgets.place import keeper

    quiz = QuizSet(workshop.quizzes["01-rights"], workshop.ui, workshop.sources)
    keeper().remember(quiz, "quiz:01-rights")
    draft = ComplaintDraft(workshop.activities.drafts["04-reporting"], workshop.ui)
    keeper().remember(draft, "draft:04-reporting")
    quiz.current.choose(0)
    quiz.current.check()
    draft.fill("what", "They shared my story.")
    assert set(json.loads(browser.session[PROGRESS_KEY])["place"]) == {"quiz:01-rights", "draft:04-reporting"}
    control._on_page_message(control, {"clear": True}, [])  # the button, as the page reports it
    assert browser.ours() == {LOCAL: {}, SESSION: {}}
    assert draft.place_state() == {} and quiz.place_state() == {}
    assert "They shared my story." not in draft.text
    assert tracker.place == {}


def test_clear_with_nothing_stored_says_so(workshop: Workshop) -> None:
    _tracker, _store, _room, control = kernel(workshop, FakeBrowser())
    control.clear()
    assert control.notice.startswith("Cleared. We deleted no records that this site stored.")


@pytest.mark.parametrize(("count", "words"), [(0, "no records"), (1, "one record"), (3, "3 records")])
def test_how_many_records_is_said_in_words(workshop: Workshop, count: int, words: str) -> None:
    assert records_text(workshop.ui, count) == words


# ---------------------------------------------------------------------------- where the control is
def test_the_app_header_offers_the_choice_on_every_page_beside_the_progress_count(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    assert app.device.compact is True and app.device.tracker is app.tracker
    row = app.header.children[2]
    assert list(row.children) == [app.progress_line, app.device]
    app.go("03-ending")
    assert app.device in app.header.children[2].children


def test_the_start_page_asks_with_a_registered_call(repo_root: Any) -> None:
    assert CALLS["device_choice"].example == "device_choice()"
    notebook = json.loads((repo_root / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    calls = [parse_cell("".join(cell["source"])) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert sum(getattr(call, "name", None) == "device_choice" for call in calls) == 1


def test_the_controls_words_are_the_contents(workshop: Workshop) -> None:
    control = DeviceChoice(workshop.ui)
    assert control.words["keep_nothing"] == "Keep nothing after this tab closes"
    assert control.words["keep_place"] == "Keep my place on this device"
    assert control.words["clear"] == "Clear everything this site stored on this device"
    assert control.words["downloads"] == (
        "Files you download are saved in this device's Downloads folder. They stay there until you delete them."
    )
    assert "10 minutes" in control.words["clear_pass"]


def _syllables(word: str) -> int:
    # A common heuristic (vowel groups, a silent final e), close enough to hold plain words under a ceiling.
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", re.sub(r"^y", "", word))))


def test_the_words_read_at_grade_8_or_below(workshop: Workshop) -> None:
    texts = [
        str(getattr(workshop.ui, name)).format(records="2 records", count=2)
        for name in type(workshop.ui).model_fields
        if name.startswith(("device_", "clear_"))
    ]
    text = " ".join(each if each.endswith((".", "?")) else each + "." for each in texts)
    words = re.findall(r"[A-Za-z0-9'’]+", text)
    sentences = len(re.findall(r"[.?!](?:\s|$)", text))
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(_syllables, words)) / len(words) - 15.59
    assert grade <= 8, f"Flesch-Kincaid grade {grade:.1f}"
