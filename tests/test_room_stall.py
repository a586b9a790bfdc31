"""A room service that stalls costs a participant one plain line, never a quiz's feedback.

The real room service (:func:`therapy_workshop.hub.room_service.make_app`) runs on its own loop in a background
thread, as on another machine, behind a stand-in front door (a Tornado proxy on 127.0.0.1) that can stall every
request for 10 s and then pass it on, as a service that hangs and then catches up would. The participant's and
the facilitator's real widgets run on the test's own asyncio loop, driven from coroutines on it the way
ipykernel 7 calls widget handlers (on the main thread's running loop, measured), and a heartbeat on that loop
measures how long it was ever held.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import types
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets

from therapy_workshop.facilitator import projector as projector_module
from therapy_workshop.facilitator import room_panel as room_panel_module
from therapy_workshop.facilitator.projector import ProjectorView
from therapy_workshop.facilitator.room_panel import RoomPanel
from therapy_workshop.hub.room_service import SERVICE_NAME, Standing, make_app
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.room import connect
from therapy_workshop.room.catalogue import Catalogue, build_catalogue
from therapy_workshop.room.hub_client import AsyncHubRoomClient, HubRoomClient
from therapy_workshop.room.service import finish_now
from therapy_workshop.room.values import RoomSettings
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets import room_member as room_member_module
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.quiz import QuizSet
from therapy_workshop.widgets.ticker import OneAtATime, launch

from .test_room_member import ANSWERS_WAIT, UNREACHABLE, Kernel

PREFIX = f"/services/{SERVICE_NAME}/"
TOKENS = {"fac-token": "fiona", "p1-token": "pat"}
#: How long the front door holds a request while stalled (unless released sooner).
STALL_SECONDS = 10.0
#: The clients' timeout here (5 s in a kernel): long enough to be outstanding, short enough for a quick test.
TIMEOUT = 1.0
#: The most a handler may take, and the longest the loop may ever be held, while the room stalls.
PROMPT = 0.5
HELD_AT_MOST = 0.25


@dataclass
class Gate:
    """What the front door lets through, and what it has seen (touched on the remote loop only)."""

    stalled: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    most_in_flight: int = 0
    received: list[str] = field(default_factory=list)


class Remote:
    """The room service and its stalling front door, on their own loop in a background thread."""

    def __init__(self, store_path: Path, catalogue: Catalogue) -> None:
        self.loop = asyncio.new_event_loop()
        self.gate = Gate()
        self.service_app = make_app(
            store_path,
            identify=TOKENS.get,
            facilitator_check=lambda name: Standing.FACILITATOR if name == "fiona" else Standing.PARTICIPANT,
            catalogue=catalogue,
            settings=RoomSettings(minimum_count=1),
        )
        ready = threading.Event()
        self.ports: tuple[int, int] = (0, 0)

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.ports = self.loop.run_until_complete(self._start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(5), "the room service did not start"
        self.service_url = f"http://127.0.0.1:{self.ports[0]}{PREFIX}"
        self.front_url = f"http://127.0.0.1:{self.ports[1]}{PREFIX}"

    async def _start(self) -> tuple[int, int]:
        self.gate.released = asyncio.Event()  # made on this loop, where it is awaited
        service_port = await self.service_app.serve("127.0.0.1", 0)
        gate, upstream = self.gate, f"http://127.0.0.1:{service_port}"

        class Front(web.RequestHandler):
            """Passes every request on to the service, after holding it while the gate is stalled."""

            async def get(self, _path: str) -> None:
                gate.received.append(f"{self.request.method} {self.request.path}")
                gate.in_flight += 1
                gate.most_in_flight = max(gate.most_in_flight, gate.in_flight)
                try:
                    if gate.stalled:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(gate.released.wait(), STALL_SECONDS)
                    client = AsyncHTTPClient(force_instance=True)
                    try:
                        answer = await client.fetch(
                            upstream + self.request.uri,
                            method=self.request.method,
                            headers=self.request.headers,
                            body=self.request.body if self.request.method == "POST" else None,
                            follow_redirects=False,
                            raise_error=False,
                        )
                    finally:
                        client.close()
                    self.set_status(answer.code)
                    self.set_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                    # A client that gave up waiting is gone; the service has done the work all the same.
                    with contextlib.suppress(StreamClosedError):
                        await self.finish(answer.body)
                finally:
                    gate.in_flight -= 1

            post = delete = get

        self.front = HTTPServer(web.Application([(r"(/.*)", Front)]))
        sockets = bind_sockets(0, "127.0.0.1")
        self.front.add_sockets(sockets)
        return service_port, int(sockets[0].getsockname()[1])

    def on_loop(self, action: Callable[[], Any]) -> Any:
        async def run() -> Any:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(5)

    def stall(self) -> None:
        def stall() -> None:
            self.gate.stalled = True
            self.gate.released.clear()

        self.on_loop(stall)

    def release(self) -> None:
        def release() -> None:
            self.gate.stalled = False
            self.gate.released.set()

        self.on_loop(release)

    def stop(self) -> None:
        self.release()
        self.on_loop(self.front.stop)
        self.on_loop(self.service_app.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def catalogue(workshop: Workshop) -> Catalogue:
    return build_catalogue(workshop)


@pytest.fixture
def remote(tmp_path: Path, catalogue: Catalogue) -> Iterator[Remote]:
    running = Remote(tmp_path / "rooms.sqlite", catalogue)
    yield running
    running.stop()


class Heartbeat:
    """How late the loop ever ran a callback due every 20 ms: how long anything held it."""

    def __init__(self) -> None:
        self.longest_held = 0.0
        self._stopped = False

    async def run(self) -> None:
        while not self._stopped:
            due = time.perf_counter() + 0.02
            await asyncio.sleep(0.02)
            self.longest_held = max(self.longest_held, time.perf_counter() - due)

    def stop(self) -> None:
        self._stopped = True


async def until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Wait on the loop until ``condition()`` holds; how long it took."""
    start = time.perf_counter()
    while not condition():
        assert time.perf_counter() - start < seconds, f"{what}: not within {seconds} s"
        await asyncio.sleep(0.02)
    return time.perf_counter() - start


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def first_answers(remote: Remote, code: str, workshop: Workshop, count: int) -> list[dict[str, int]]:
    """The room's counts for module 01's first ``count`` questions, options answered by nobody left out."""
    client = HubRoomClient(remote.service_url, "fac-token", catalogue=build_catalogue(workshop))
    counts = client.counts(code)
    keys = [f"quiz:01-rights:{question.id}" for question in workshop.quizzes["01-rights"].questions[:count]]
    return [{option: n for option, n in counts[key].options.items() if n} if key in counts else {} for key in keys]


def test_answers_get_feedback_at_once_while_the_room_stalls_and_count_once_when_it_is_back(
    workshop: Workshop, remote: Remote, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_member_module, "SHARED_EVERY", 0.3)  # the page's look, every 2 s in a kernel
    code = HubRoomClient(remote.service_url, "fac-token", catalogue=catalogue).open_room().code
    questions = workshop.quizzes["01-rights"].questions
    kernel = Kernel()

    async def participant() -> None:
        heartbeat = Heartbeat()
        with kernel.running():
            app = WorkshopApp(workshop)
            room = app.room
            room._open_store = lambda: HubRoomClient(remote.front_url, "p1-token", TIMEOUT, catalogue=catalogue)
            room.record.loaded = ""
            room.record.ready = True
            app.location.query = f"?room={code}"
            await until(lambda: room.code == code, 3, "joining")
            app.go("01-rights")
            quiz = next(child for child in app.page.children if isinstance(child, QuizSet))

            remote.stall()
            beating = asyncio.ensure_future(heartbeat.run())
            first = timed(lambda: (quiz.choose(0), quiz.check()))
            first_feedback = quiz.current.feedback_text
            await until(lambda: remote.gate.in_flight == 1, 2, "the first answer reaching the stalled room")
            quiz.next()
            second = timed(lambda: (quiz.choose(1), quiz.check()))  # while the first answer's request waits
            second_feedback = quiz.current.feedback_text
            outstanding = remote.gate.in_flight
            looks = [timed(room.refresh) for _ in range(5)]  # the page's looks meanwhile: nothing more is sent
            await asyncio.sleep(0.2)
            waiting_requests = len(remote.gate.received)
            await until(lambda: room.message.html != "", TIMEOUT + 2, "the room line")
            line = plain_text(room.message.html)
            remote.release()
            back = await until(lambda: not room._waiting and room.message.html == "", 5, "the waiting answers sent")
        heartbeat.stop()
        await beating

        assert (first < PROMPT, second < PROMPT, max(looks) < PROMPT) == (True, True, True), (first, second, looks)
        assert outstanding == 1
        assert heartbeat.longest_held < HELD_AT_MOST
        assert first_feedback.startswith("Not quite.") and plain_text(questions[0].options[0].feedback) in (
            first_feedback
        )
        assert plain_text(questions[1].options[1].feedback) in second_feedback
        assert line == ANSWERS_WAIT
        assert waiting_requests == 2, remote.gate.received  # the join, then one answer: looks and the 2nd wait
        assert remote.gate.most_in_flight == 1, remote.gate.received
        assert back < 2

    asyncio.run(participant())
    # The stalled request went through when the room caught up, and the answers were sent again: each counts once.
    assert first_answers(remote, code, workshop, 2) == [{"0": 1}, {"1": 1}]


def test_the_facilitators_panel_says_a_stalled_room_and_never_waits_for_it(
    workshop: Workshop, remote: Remote, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_panel_module, "REFRESH_EVERY", 0.2)  # every second in a kernel
    code = HubRoomClient(remote.service_url, "fac-token", catalogue=catalogue).open_room().code

    async def facilitator() -> None:
        heartbeat = Heartbeat()
        panel = RoomPanel(
            workshop, open_store=lambda: HubRoomClient(remote.front_url, "fac-token", TIMEOUT, catalogue=catalogue)
        )
        panel.module_id = "01-rights"
        await until(lambda: panel.code == code and panel.results.value != "", 3, "following the open room")
        remote.stall()
        beating = asyncio.ensure_future(heartbeat.run())
        sent_before = len(remote.gate.received)
        looks = [timed(panel.refresh) for _ in range(5)]
        starting = timed(panel.start)
        await asyncio.sleep(0.2)
        sent_while_stalled = remote.gate.received[sent_before:]
        await until(lambda: panel.problem.value != "", TIMEOUT + 2, "the panel's line")
        said = plain_text(panel.problem.value)
        shown_while_stalled = plain_text(panel.results.value)
        remote.release()
        await until(lambda: panel.problem.value == "", 3, "the panel back")
        panel._stop()
        heartbeat.stop()
        await beating

        assert (max(looks) < PROMPT, starting < PROMPT) == (True, True), (looks, starting)
        assert heartbeat.longest_held < HELD_AT_MOST
        assert said == UNREACHABLE
        assert "No answers yet." in shown_while_stalled  # the last results stay on screen
        # One look (two requests, one after the other) and the Start press: never a look on top of a look.
        assert [line.split()[0] for line in sent_while_stalled] == ["GET", "POST"], sent_while_stalled
        assert remote.gate.most_in_flight == 2

    asyncio.run(facilitator())


def test_the_projector_never_waits_for_a_stalled_room(
    workshop: Workshop, remote: Remote, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Looks only when asked (its twin, as the timer calls it): what reaches the room is then known exactly.
    monkeypatch.setattr(projector_module, "REFRESH_EVERY", 60.0)
    code = HubRoomClient(remote.service_url, "fac-token", catalogue=catalogue).open_room().code
    first = next(activity for activity in catalogue.values() if activity.module_id == "01-rights")
    person = HubRoomClient(remote.service_url, "p1-token", catalogue=catalogue)
    assert person.record(code, person.join(code), first.key, [1]).outcome.value == "counted"

    async def projecting() -> None:
        heartbeat = Heartbeat()
        projector = ProjectorView(
            workshop, open_store=lambda: HubRoomClient(remote.front_url, "fac-token", TIMEOUT, catalogue=catalogue)
        )
        projector.module_id = "01-rights"
        await until(lambda: "1 answered" in projector.text and not projector._looks.busy, 3, "the room's answers")
        remote.stall()
        beating = asyncio.ensure_future(heartbeat.run())
        sent_before = len(remote.gate.received)
        looks = [timed(projector.refresh) for _ in range(5)]
        stepping = timed(projector.next)
        moved = projector.text
        await asyncio.sleep(0.2)
        sent_while_stalled = remote.gate.received[sent_before:]
        await until(lambda: projector.problem.value != "", TIMEOUT + 2, "the projector's line")
        said = plain_text(projector.problem.value)
        back = timed(projector.previous)
        shown_while_stalled = projector.text
        remote.release()
        await until(lambda: not projector._looks.busy, 1, "the stalled look given up")
        projector.refresh()
        await until(lambda: projector.problem.value == "", 3, "the projector back")
        projector._stop()
        heartbeat.stop()
        await beating

        assert (max(looks) < PROMPT, stepping < PROMPT, back < PROMPT) == (True, True, True), (looks, stepping, back)
        assert heartbeat.longest_held < HELD_AT_MOST
        assert said == UNREACHABLE
        assert moved.startswith("Activity 2 of 12 ") and "No answers yet." in moved  # Next moved at once
        # Back on the first activity, the answers last fetched stay on screen under the line.
        assert shown_while_stalled.startswith(f"Activity 1 of 12 {UNREACHABLE} ") and "1 answered" in (
            shown_while_stalled
        )
        assert sent_while_stalled == [f"GET {PREFIX}api/rooms"]  # one look, never a look on top of a look

    asyncio.run(projecting())


@pytest.mark.parametrize("view", ["facilitator", "results"])
def test_the_hub_facilitator_check_never_holds_the_loop_and_an_admin_gets_the_view_once_it_answers(
    workshop: Workshop, remote: Remote, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    monkeypatch.setattr(connect, "_IDENTITIES", {})
    monkeypatch.setenv(connect.ROOM_URL_VARIABLE, remote.front_url)
    kernel = Kernel()

    async def opening(token: str, stalled: bool) -> tuple[WorkshopApp, float, bool]:
        """The app opened at ``?view=…`` by the hub user of ``token``; how long the loop was held meanwhile."""
        monkeypatch.setenv(connect.TOKEN_VARIABLE, token)
        heartbeat = Heartbeat()
        beating = asyncio.ensure_future(heartbeat.run())
        with kernel.running():
            if stalled:
                remote.stall()
            app = WorkshopApp(workshop)
            opened = timed(lambda: setattr(app.location, "query", f"?view={view}&module=01-rights"))
            if stalled:
                await until(lambda: remote.gate.in_flight == 1, 2, "the hub asked who this is")
                meanwhile = (app.facilitator, app.projecting, app.room_panel, app.projector)
                app.go("01-rights")  # the participant view works meanwhile: a quiz answers at once
                quiz = next(child for child in app.page.children if isinstance(child, QuizSet))
                checking = timed(lambda: (quiz.choose(0), quiz.check()))
                assert quiz.current.feedback_text.startswith("Not quite.")
                await asyncio.sleep(0.3)
                remote.release()
                assert (opened < PROMPT, checking < PROMPT) == (True, True), (opened, checking)
                assert meanwhile == (False, False, None, None)
            await until(lambda: not app._hub_check.busy, 3, "the hub's answer")
            chosen = app.facilitator if view == "facilitator" else app.projecting
            for panel in (app.room_panel, app.projector):
                if panel is not None:
                    panel._stop()
        heartbeat.stop()
        await beating
        return app, heartbeat.longest_held, chosen

    admin, held, chosen = asyncio.run(opening("fac-token", stalled=True))
    assert held < HELD_AT_MOST
    assert chosen
    if view == "facilitator":
        assert admin.room_panel is not None and "Facilitator" in plain_text(admin.facilitator_panel.value)
    else:
        assert admin.body.children == (admin.projector,) and admin.header.layout.display == "none"
    participant, _held, chosen = asyncio.run(opening("p1-token", stalled=False))
    assert not chosen and (participant.room_panel, participant.projector) == (None, None)


def test_the_async_client_gives_the_loop_back_and_says_a_timeout_as_unreachable(
    remote: Remote, catalogue: Catalogue
) -> None:
    client = AsyncHubRoomClient(remote.front_url, "fac-token", TIMEOUT, catalogue=catalogue)
    remote.stall()

    async def ask() -> tuple[BaseException, float]:
        heartbeat = Heartbeat()
        beating = asyncio.ensure_future(heartbeat.run())
        start = time.perf_counter()
        with pytest.raises(OSError) as raised:
            await client.open_rooms()
        took = time.perf_counter() - start
        heartbeat.stop()
        await beating
        assert heartbeat.longest_held < HELD_AT_MOST
        return raised.value, took

    error, took = asyncio.run(ask())
    assert str(error) == (f"the room service at {remote.front_url} did not answer api/rooms: Timeout during request")
    assert TIMEOUT <= took < TIMEOUT + 1


def test_the_async_client_answers_as_the_blocking_one(remote: Remote, catalogue: Catalogue) -> None:
    blocking = HubRoomClient(remote.service_url, "fac-token", catalogue=catalogue)
    code = blocking.open_room().code
    token = HubRoomClient(remote.service_url, "p1-token", catalogue=catalogue).join(code)
    first = next(iter(catalogue.values()))
    answer = first.options[0].value
    asynchronous = HubRoomClient(remote.service_url, "p1-token", catalogue=catalogue).asynchronous()
    assert repr(asynchronous) == f"AsyncHubRoomClient({remote.service_url!r})"  # never the token

    async def calls() -> list[object]:
        return [
            await asynchronous.record(code, token, first.key, answer),
            await asynchronous.record(code, token, first.key, answer),
            await asynchronous.membership(code, token),
        ]

    counted, again, membership = asyncio.run(calls())
    assert (counted.outcome.value, again.outcome.value, membership.value) == ("counted", "already-answered", "joined")
    assert again == blocking.record(code, token, first.key, answer)
    assert blocking.counts(code)[first.key].options[answer] == 1
    with pytest.raises(Exception) as from_async:
        asyncio.run(asynchronous.membership("ZZZZZZ", token))
    with pytest.raises(Exception) as from_blocking:
        blocking.membership("ZZZZZZ", token)
    assert (type(from_async.value), str(from_async.value)) == (type(from_blocking.value), str(from_blocking.value))
    # With no loop running, nothing waits on one: the same coroutine finishes at once.
    assert finish_now(asynchronous.membership(code, token)).value == "joined"


def test_a_call_in_flight_makes_the_next_one_a_no_op_until_it_ends() -> None:
    started: list[int] = []

    async def slow(number: int) -> None:
        started.append(number)
        await asyncio.sleep(0.05)

    async def run() -> list[bool]:
        one = OneAtATime()
        asked = [one.launch(lambda: slow(1)), one.launch(lambda: slow(2))]
        await until(lambda: not one.busy, 1, "the first call")
        asked.append(one.launch(lambda: slow(3)))
        await until(lambda: not one.busy, 1, "the third call")
        return asked

    assert asyncio.run(run()) == [True, False, True]
    assert started == [1, 3]


@types.coroutine
def _wait_once() -> Generator[None, None, None]:
    yield


def test_without_a_running_loop_a_call_that_would_wait_is_refused_plainly() -> None:
    async def waits() -> None:
        await _wait_once()

    with pytest.raises(RuntimeError, match=r"^a room call that was to finish at once waited on an event loop$"):
        launch(waits())
