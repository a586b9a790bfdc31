"""A participant in a room: joining by link or code, what is counted, reloads, leaving, a room that ends."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.room.catalogue import build_catalogue
from therapy_workshop.room.service import InlineRoomService, RoomService
from therapy_workshop.room.store import RoomStore
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets import answers as answers_module
from therapy_workshop.widgets import place as place_module
from therapy_workshop.widgets import progress as progress_module
from therapy_workshop.widgets import room_boards as boards_module
from therapy_workshop.widgets.assessment import build_assessment
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.progress import Progress
from therapy_workshop.widgets.quiz import QuizSet
from therapy_workshop.widgets.room_member import RoomMembership


@pytest.fixture
def store(tmp_path: Path, workshop: Workshop, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomStore]:
    """The run's room store, where the server would put it (every kernel opens the same file)."""
    path = tmp_path / "rooms.sqlite"
    monkeypatch.setenv("THERAPY_WORKSHOP_ROOM_DB", str(path))
    opened = RoomStore(path, build_catalogue(workshop))
    yield opened
    opened.close()


class Kernel:
    """One participant's kernel: its own progress, place keeper and answer listeners (module globals in a kernel).

    Several participants share this test process, so each one's actions run inside ``with`` its kernel.
    """

    def __init__(self) -> None:
        self.globals = {"progress": Progress(), "keeper": None, "listeners": [], "boards": {}}

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        saved = (progress_module._PROGRESS, place_module._KEEPER, answers_module._listeners, boards_module._boards)
        progress_module._PROGRESS = self.globals["progress"]  # type: ignore[assignment]
        place_module._KEEPER = self.globals["keeper"]  # type: ignore[assignment]
        answers_module._listeners = self.globals["listeners"]  # type: ignore[assignment]
        boards_module._boards = self.globals["boards"]  # type: ignore[assignment]
        try:
            yield
        finally:
            self.globals["keeper"] = place_module._KEEPER
            progress_module._PROGRESS, place_module._KEEPER, answers_module._listeners, boards_module._boards = saved


@dataclass
class Participant:
    kernel: Kernel
    app: WorkshopApp

    @property
    def room(self) -> RoomMembership:
        return self.app.room

    @property
    def quiz_board(self) -> str:
        """What the room's revealed answers say under module 01's quiz, as plain text."""
        page = self.app.pages.get("01-rights")
        quiz = next((child for child in page.children if isinstance(child, QuizSet)), None) if page else None
        return plain_text(quiz.room_board.value) if quiz is not None else ""

    def answer_first_question(self, option: int) -> None:
        with self.kernel.running():
            self.app.go("01-rights")
            quiz = next(child for child in self.app.page.children if isinstance(child, QuizSet))
            if quiz.current.status != "answering":
                quiz.retry()
            quiz.choose(option)
            quiz.check()


def participant(workshop: Workshop, query: str, stored: str = "") -> Participant:
    """A participant's app on a kernel of its own, as the page opens it: the browser's room record, the address."""
    kernel = Kernel()
    with kernel.running():
        app = WorkshopApp(workshop)
        app.room.record.loaded = stored
        app.room.record.ready = True
        app.location.query = query
    return Participant(kernel, app)


def sync_store_of(person: Participant) -> RoomService:
    """The synchronous store behind a participant's room widget (the SQLite file, run inline)."""
    inline = person.room._room_store()
    assert isinstance(inline, InlineRoomService)
    return inline.service


def first_question_counts(store: RoomStore, code: str, workshop: Workshop) -> dict[str, int]:
    key = f"quiz:01-rights:{workshop.quizzes['01-rights'].questions[0].id}"
    counts = store.counts(code).get(key)  # only activities someone answered are listed
    return dict(counts.options) if counts else {}


def test_self_study_counts_nothing_and_never_opens_the_store(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    app = participant(workshop, "?module=01-rights")
    assert app.room.code == "" and app.room._store is None
    app.answer_first_question(0)
    assert sum(first_question_counts(store, room.code, workshop).values()) == 0


def test_joining_by_link_says_what_is_counted_and_counts_the_first_answer_only(
    workshop: Workshop, store: RoomStore
) -> None:
    room = store.open_room()
    app = participant(workshop, f"?room={room.code}")
    assert app.room.code == room.code
    assert plain_text(app.room.line.value) == (
        f"You are in room {room.code}. Your first answer to each activity is counted anonymously with the room's "
        "answers. Nothing identifies you: no name, no address, nothing you type."
    )
    app.answer_first_question(0)
    app.answer_first_question(1)  # Try again, then another answer: the first one stands
    counts = first_question_counts(store, room.code, workshop)
    assert counts["0"] == 1 and sum(counts.values()) == 1
    assert json.loads(app.room.record.to_store)["code"] == room.code


def test_a_reload_stays_in_the_room_as_the_same_participant(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    first = participant(workshop, f"?room={room.code}")
    first.answer_first_question(0)
    again = participant(workshop, "?module=01-rights", stored=first.room.record.to_store)
    assert again.room.code == room.code and again.room.token == first.room.token
    again.answer_first_question(1)  # the place was not restored here, so this is a "second first" answer
    assert sum(first_question_counts(store, room.code, workshop).values()) == 1
    assert store.participants(room.code) == 1


def test_a_typed_code_joins_and_a_wrong_one_is_explained(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    app = participant(workshop, "")
    assert app.app.current == "00-start"
    assert app.room.form.layout.display != "none"
    with app.kernel.running():
        app.room.join("ZZZZZZ")
    assert app.room.code == ""
    assert plain_text(app.room.message.html) == (
        "There is no open room with the code “ZZZZZZ”. Check the code with your facilitator."
    )
    with app.kernel.running():
        app.room.join(f" {room.code.lower()} ")
    assert app.room.code == room.code
    assert app.room.form.layout.display == "none"


def test_leaving_stops_counting_and_forgets_the_room(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    app = participant(workshop, f"?room={room.code}")
    with app.kernel.running():
        app.room.leave()
    assert app.room.code == "" and app.room.record.to_store == ""
    assert plain_text(app.room.message.html) == "You left the room. Nothing more you answer is counted."
    app.answer_first_question(0)
    assert sum(first_question_counts(store, room.code, workshop).values()) == 0
    assert store.participants(room.code) == 0


def test_clearing_everything_this_site_stored_leaves_the_room(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    app = participant(workshop, f"?room={room.code}")
    assert app.room.code == room.code and store.participants(room.code) == 1
    with app.kernel.running():
        # What happens when the browser answers "Clear everything this site stored on this device" (it removed two
        # records: the progress and the room); the browser side is tested in tests/test_device_choice.py.
        app.app.device._cleared({"removed": 2})
    assert app.room.code == "" and app.room.record.to_store == ""
    assert plain_text(app.room.message.html) == "You left the room. Nothing more you answer is counted."
    assert store.participants(room.code) == 0
    app.answer_first_question(0)
    assert sum(first_question_counts(store, room.code, workshop).values()) == 0


def test_a_room_that_ended_is_said_and_forgotten(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    first = participant(workshop, f"?room={room.code}")
    store.end(room.code)
    first.answer_first_question(0)
    assert first.room.code == ""
    assert plain_text(first.room.message.html) == (
        "The room you joined has ended, and its results were deleted. Nothing you answer is counted now."
    )
    later = participant(workshop, "", stored=json.dumps({"code": room.code, "token": first.room.token or "x" * 22}))
    assert later.room.code == "" and later.room.record.to_store == ""


def test_revealed_results_show_only_to_participants_who_answered(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    people = [participant(workshop, f"?room={room.code}") for _ in range(6)]
    for person in people[:5]:
        person.answer_first_question(0)
    key = f"quiz:01-rights:{workshop.quizzes['01-rights'].questions[0].id}"
    store.set_reveal(room.code, key, True)
    for person in people:
        with person.kernel.running():
            person.room.refresh()
    assert "How the room answered" in people[0].quiz_board
    assert "5 answered" in people[0].quiz_board
    assert people[5].quiz_board == ""
    assert people[0].room.shared.value == ""  # shown under the quiz, beside the learner's own answer


def test_an_assessment_counts_score_bands_by_topic_not_a_score(workshop: Workshop, store: RoomStore) -> None:
    room = store.open_room()
    person = participant(workshop, f"?room={room.code}")
    with person.kernel.running():
        widget = build_assessment(workshop, "pre")
        quiz = widget.start()
        for _ in quiz.quiz.questions:
            quiz.choose(0)
            quiz.check()
            quiz.next()
    counts = store.counts(room.code)
    bands = {key: each.options for key, each in counts.items() if key.startswith("assessment:pre:")}
    assert bands, "no assessment topic was counted"
    assert all(sum(options.values()) == 1 and set(options) == {"0-49", "50-74", "75-100"} for options in bands.values())


def test_a_room_store_that_fails_never_stops_the_learners_own_answer_and_it_is_sent_later(
    workshop: Workshop, store: RoomStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = store.open_room()
    person = participant(workshop, f"?room={room.code}")

    def broken(*_arguments: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    with monkeypatch.context() as patched:
        patched.setattr(sync_store_of(person), "record", broken)
        person.answer_first_question(0)
    quiz = next(child for child in person.app.page.children if isinstance(child, QuizSet))
    assert quiz.current.status == "checked" and quiz.current.feedback_text.startswith(("That's right.", "Not quite."))
    assert plain_text(person.room.message.html) == ANSWERS_WAIT
    assert person.room.code == room.code  # still in the room: the answer waits, and the next look sends it
    with person.kernel.running():
        person.room.refresh()
    assert person.room.message.html == ""
    counts = first_question_counts(store, room.code, workshop)
    assert counts["0"] == 1 and sum(counts.values()) == 1


UNREACHABLE = "The room cannot be reached right now. Please try again in a moment. Everything else works as usual."
ANSWERS_WAIT = (
    "The room cannot be reached right now. Your answers are kept on this page and sent when the room is back. "
    "Everything else works as usual."
)


def test_on_a_hub_a_room_service_that_cannot_be_reached_is_said_and_the_app_goes_on(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the service is restarting, or the network dropped
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("THERAPY_WORKSHOP_ROOM_URL", f"http://127.0.0.1:{port}/services/room/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "a-server-token")
    person = participant(workshop, "?room=ABC234")
    assert person.room.code == ""
    assert plain_text(person.room.message.html) == UNREACHABLE
    person.answer_first_question(0)  # the learner's own quiz works as ever
    quiz = next(child for child in person.app.page.children if isinstance(child, QuizSet))
    assert quiz.current.status == "checked"
    kept = participant(workshop, "", stored=json.dumps({"code": "ABC234", "token": "t" * 22}))
    assert plain_text(kept.room.message.html) == UNREACHABLE
    assert kept.room.code == ""  # not in the room here, but the browser keeps its record: a reload tries again


def test_a_joined_participant_whose_room_cannot_be_reached_keeps_working_and_can_leave(
    workshop: Workshop, store: RoomStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = store.open_room()
    person = participant(workshop, f"?room={room.code}")

    def unreachable(*_arguments: object) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    for method in ("shared_with", "leave", "membership"):
        monkeypatch.setattr(sync_store_of(person), method, unreachable)
    with person.kernel.running():
        person.room.refresh()  # the page's 2-second look: nothing raised, nothing changed
        assert person.room.code == room.code
        person.room.leave()
    assert person.room.code == "" and person.room.record.to_store == ""
    assert plain_text(person.room.message.html) == "You left the room. Nothing more you answer is counted."
