"""The facilitator's room: start, join link and QR, bars only from 5 answers, reveal, end deletes."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typst
from purepix import qr
from purepix.codecs import png

from therapy_workshop.facilitator.room_panel import RoomPanel
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.room.service import InlineRoomService
from therapy_workshop.room.store import RoomStore
from therapy_workshop.room.values import UnknownRoom
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets.feedback import plain_text

from .test_room_member import participant, store  # noqa: F401 (the store fixture is shared)

FIRST = "quiz:01-rights:rights-end-any-time"
QR_SVG = re.compile(r'<div class="tw-room-qr" role="img" aria-label="([^"]*)">(<svg .*?</svg>)</div>')


def scan_qr(svg: str) -> str:
    """What a phone reads from the QR code the page shows: the SVG drawn as a picture (by typst, no browser
    here) and decoded by purepix, a QR reader that shares no code with segno, which made it."""
    document = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)  # inline SVG, on its own
    source = '#set page(width: auto, height: auto, margin: 1cm)\n#image(bytes(sys.inputs.svg), format: "svg")'
    picture = typst.compile(source.encode(), format="png", ppi=72.0, sys_inputs={"svg": document})
    assert isinstance(picture, bytes)
    return qr.decode_text(png.loads(picture))


def facilitator(workshop: Workshop, key: str) -> WorkshopApp:
    app = WorkshopApp(workshop)
    app.location.page_url = "http://192.168.1.20:8866/"
    app.location.query = f"?view=facilitator&key={key}&module=01-rights"
    return app


def room_with_answers(workshop: Workshop, key: str, answers: list[int], joined: int) -> tuple[RoomPanel, list[Any]]:
    """A started room with ``joined`` participants, the first of whom answer module 01's first question."""
    panel: RoomPanel = facilitator(workshop, key).room_panel
    panel.start()
    code = panel.code
    people = [participant(workshop, f"?room={code}") for _ in range(joined)]
    for person, option in zip(people, answers, strict=False):
        person.answer_first_question(option)
    return panel, people


def test_participants_never_get_a_room_panel(workshop: Workshop, store: RoomStore) -> None:  # noqa: F811
    app = participant(workshop, "?view=facilitator&module=01-rights").app
    assert app.room_panel is None and app.facilitator_room.children == ()


def test_starting_a_room_shows_its_code_join_link_and_qr_code(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    app = facilitator(workshop, facilitator_key)
    panel: RoomPanel = app.room_panel
    assert panel.code == ""
    panel.start()
    code = panel.code
    assert len(code) == 6 and store.room(code).code == code
    summary = plain_text(panel.summary.value)
    assert f"Room {code}" in summary and "0 joined" in summary
    assert f"Participants join at: http://192.168.1.20:8866/?room={code}" in summary
    # The QR code, read as a phone's camera reads it, opens the same link; its text alternative says the link.
    (found,) = QR_SVG.findall(panel.summary.value)
    label, svg = found
    assert scan_qr(svg) == f"http://192.168.1.20:8866/?room={code}"
    assert label == f"Participants join at: http://192.168.1.20:8866/?room={code}"


def test_bars_appear_only_once_five_have_answered(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    panel, people = room_with_answers(workshop, facilitator_key, [0, 1, 0, 1], joined=6)
    panel.refresh()
    text = plain_text(panel.results.value)
    assert "Waiting: 4 of 5 answers needed before the bars show." in text
    assert "4 answered" not in text
    people[4].answer_first_question(0)
    panel.refresh()
    text = plain_text(panel.results.value)
    assert "5 answered" in text
    assert "(right answer)" in text
    assert "6 joined" in plain_text(panel.summary.value)
    assert "Debrief:" in text


def test_reveal_is_per_activity_and_reaches_only_those_who_answered(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    panel, people = room_with_answers(workshop, facilitator_key, [0] * 5, joined=6)
    code = panel.code
    assert store.revealed(code) == frozenset()
    panel.reveal.selected = [0]
    assert store.revealed(code) == frozenset({FIRST})
    for person in people:
        with person.kernel.running():
            person.room.refresh()
    assert "5 answered" in people[0].quiz_board
    assert people[5].quiz_board == ""


def test_ending_takes_a_second_press_and_deletes_the_room(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    panel: RoomPanel = facilitator(workshop, facilitator_key).room_panel
    panel.start()
    code = panel.code
    participant(workshop, f"?room={code}").answer_first_question(0)
    panel.end()
    assert store.room(code).code == code  # asked, not yet done
    assert panel.confirm_button.description == f"Yes, end room {code} and delete its results"
    panel.confirm_end()
    assert panel.code == ""
    with pytest.raises(UnknownRoom):
        store.room(code)


def test_the_projector_steps_through_activities_and_shows_the_answer_only_when_asked(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    code = store.open_room().code
    people = [participant(workshop, f"?room={code}") for _ in range(5)]
    for person in people:
        person.answer_first_question(1)
    screen = WorkshopApp(workshop)
    screen.location.query = f"?view=results&key={facilitator_key}&module=01-rights"
    projector = screen.projector
    assert screen.body.children == (projector,)
    assert screen.header.layout.display == "none"
    assert projector.text.startswith("Activity 1 of 12 ")
    assert "5 answered" in projector.text
    assert "(right answer)" not in projector.text
    projector.show_answer()
    assert "(right answer)" in projector.text
    projector.next()
    assert projector.text.startswith("Activity 2 of 12 ") and "No answers yet." in projector.text
    assert not projector.answer_shown
    projector.previous()
    assert "5 answered" in projector.text


def test_the_projector_needs_the_key(workshop: Workshop, store: RoomStore) -> None:  # noqa: F811
    screen = WorkshopApp(workshop)
    screen.location.query = "?view=results&module=01-rights"
    assert screen.projector is None and not screen.projecting


def test_a_room_started_with_a_smaller_minimum_shows_bars_sooner(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROOM_MINIMUM", "3")
    panel, _people = room_with_answers(workshop, facilitator_key, [0, 0, 0], joined=3)
    panel.refresh()
    assert "3 answered" in plain_text(panel.results.value)


def test_a_room_that_cannot_be_reached_is_said_in_the_panel_and_nothing_breaks(
    workshop: Workshop,
    store: RoomStore,  # noqa: F811
    facilitator_key: str,
) -> None:
    panel: RoomPanel = facilitator(workshop, facilitator_key).room_panel
    panel.start()
    code = panel.code
    said = "The room cannot be reached right now. Please try again in a moment. Everything else works as usual."

    class Unreachable:
        """A hub's room service while it restarts: every call is refused."""

        def __getattr__(self, _name: str) -> Any:
            def refused(*_arguments: object) -> None:
                raise ConnectionRefusedError(111, "Connection refused")

            return refused

    working = panel._room_store()
    unreachable = Unreachable()
    unreachable.catalogue = working.catalogue  # the client builds it from the content, not from the service
    panel._store = InlineRoomService(unreachable)
    panel.refresh()
    assert plain_text(panel.problem.value) == said
    panel.confirm_end()
    assert panel.code == code  # not ended: the facilitator can press End again
    panel.reveal.selected = [0]  # a reveal that cannot be sent waits for the next refresh
    panel._store = working
    panel.refresh()
    assert panel.problem.value == ""
    assert store.room(code).code == code
