"""The room as a JupyterHub service: participants on different servers share one room, through the HTTP client.

Each test runs the service on a free localhost port, on its own event loop in a background thread, with hub users
made up by the test (``identify`` and ``facilitator_check`` are injected). The last tests put a fake hub API in
front of the real :class:`~jupyterhub.services.auth.HubAuth` wiring.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sqlite3
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.error import HTTPError, URLError

import pytest
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from therapy_workshop.hub import room_service
from therapy_workshop.hub.room_service import (
    SERVICE_NAME,
    SERVICE_SCOPES,
    USER_ROLE_SCOPES,
    USER_SCOPES,
    HubStandings,
    RoomServiceApp,
    Standing,
    hub_identify,
    make_app,
)
from therapy_workshop.room import connect
from therapy_workshop.room.catalogue import Activity, AnswerOption, Catalogue
from therapy_workshop.room.codes import ALPHABET, CODE_LENGTH
from therapy_workshop.room.connect import RoomServiceSettingsError, ask_hub_identity, open_room_service
from therapy_workshop.room.hub_client import HubIdentity, HubRoomClient
from therapy_workshop.room.limits import JoinBudget, RateLimit
from therapy_workshop.room.service import finish_now
from therapy_workshop.room.store import RoomStore
from therapy_workshop.room.values import (
    ActivityCounts,
    Membership,
    Outcome,
    Recorded,
    RoomFull,
    RoomResults,
    RoomSettings,
    UnknownActivity,
    UnknownRoom,
)
from therapy_workshop.room.wire import RateLimited
from therapy_workshop.widgets.room_member import open_room_store

Q1, Q2, SORT_A, SORT_B = "quiz:m:q1", "quiz:m:q2", "sort:ex:a", "sort:ex:b"
PREFIX = f"/services/{SERVICE_NAME}/"
TOKENS = {"fac-token": "fiona", "fac2-token": "frank", "admin-token": "ada"} | {
    f"p{number}-token": f"pat{number}" for number in range(1, 5)
}
STANDINGS = {"fiona": Standing.FACILITATOR, "frank": Standing.FACILITATOR, "ada": Standing.ADMIN}
NOT_A_FACILITATOR = (
    "hub user pat1 is not a facilitator: only hub admins and members of the hub group 'facilitators' "
    "open and follow rooms"
)


def exactly(text: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(text)}$"


def quiz(key: str) -> Activity:
    options = (AnswerOption("0", "Yes", True), AnswerOption("1", "No", False), AnswerOption("2", "Maybe", False))
    return Activity(key, "quiz", "m", "quiz", "Quiz", key, options)


def sort_item(key: str) -> Activity:
    options = (AnswerOption("a", "A", True), AnswerOption("b", "B", False))
    return Activity(key, "sort", "m", "ex", "Sort", key, options)


CATALOGUE = Catalogue([quiz(Q1), quiz(Q2), sort_item(SORT_A), sort_item(SORT_B)])


class Clock:
    """Wall time the test moves by hand (idle rooms)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Running:
    """A Tornado application served on a free port, on its own asyncio loop in a background thread."""

    def __init__(self, start: Callable[[], Any]) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.port = self.loop.run_until_complete(start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(5), "the server did not start"

    def call(self, action: Callable[[], Any]) -> Any:
        """Run ``action`` on the server's loop (where the service's store lives) and return its result."""

        async def run() -> Any:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(5)

    def stop(self, also: Callable[[], None] = lambda: None) -> None:
        if self.loop.is_closed():
            return  # stopped by the test already
        self.call(also)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Service:
    """The room service under test, and a client for any of the test's hub users."""

    def __init__(self, app: RoomServiceApp) -> None:
        self.app = app
        self.running = Running(lambda: app.serve("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.running.port}{PREFIX}"

    def client(self, token: str) -> HubRoomClient:
        return HubRoomClient(self.url, token, timeout=2.0, catalogue=CATALOGUE)

    def owners(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.app.rooms.store.path) as connection:
            return list(connection.execute("SELECT code, owner FROM room_owners ORDER BY code"))

    def stop(self) -> None:
        self.running.stop(self.app.stop)


def standing_of(name: str) -> Standing:
    return STANDINGS.get(name, Standing.PARTICIPANT)


@pytest.fixture
def wall() -> Clock:
    return Clock()


@pytest.fixture
def start(tmp_path: Path, wall: Clock) -> Iterator[Callable[..., Service]]:
    """Start a service (``make_app`` keywords may be given); every one started is stopped after the test."""
    started: list[Service] = []

    def starting(**given: Any) -> Service:
        options: dict[str, Any] = {
            "identify": TOKENS.get,
            "facilitator_check": standing_of,
            "catalogue": CATALOGUE,
            "settings": RoomSettings(minimum_count=3),
            "clock": wall,
        } | given
        service = Service(make_app(tmp_path / f"rooms-{len(started)}.sqlite", **options))
        started.append(service)
        return service

    yield starting
    for service in started:
        service.stop()


@pytest.fixture
def service(start: Callable[..., Service]) -> Service:
    return start()


def raw(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, Any] | str]:
    """Status, content type and body (JSON decoded) of one request made without the client."""
    headers = ({"Authorization": f"token {token}"} if token else {}) | (headers or {})
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            status, kind, text = response.status, response.headers["Content-Type"], response.read().decode()
    except HTTPError as error:
        with error:
            status, kind, text = error.code, error.headers["Content-Type"], error.read().decode()
    return status, kind, json.loads(text) if kind.startswith("application/json") else text


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------- one room, several servers
def test_three_participants_on_different_servers_reach_the_facilitators_counts(service: Service) -> None:
    facilitator = service.client("fac-token")
    assert facilitator.whoami() == HubIdentity(name="fiona", facilitator=True)
    room = facilitator.open_room()
    assert room.settings == RoomSettings(minimum_count=3)  # the service's settings: the client sent none
    assert facilitator.open_rooms() == [facilitator.room(room.code)]
    assert facilitator.room(room.code.lower()).code == room.code  # codes are read as the store reads them

    people = [service.client(f"p{number}-token") for number in (1, 2, 3)]
    assert people[0].whoami() == HubIdentity(name="pat1", facilitator=False)
    tokens = [person.join(room.code) for person in people]
    assert len(set(tokens)) == 3
    assert people[0].membership(room.code, tokens[0]) is Membership.JOINED
    assert facilitator.participants(room.code) == 3

    for person, token, option in zip(people, tokens, [0, 0, 1], strict=True):
        assert person.record(room.code, token, Q1, [option]) == Recorded(Outcome.COUNTED)
    assert people[0].record(room.code, tokens[0], Q1, [2]) == Recorded(Outcome.ALREADY_ANSWERED)
    assert people[1].record_many(room.code, tokens[1], {SORT_A: "a", SORT_B: "b"}) == {
        SORT_A: Recorded(Outcome.COUNTED),
        SORT_B: Recorded(Outcome.COUNTED),
    }

    counts = {
        Q1: ActivityCounts(3, {"0": 2, "1": 1, "2": 0}),
        SORT_A: ActivityCounts(1, {"a": 1, "b": 0}),
        SORT_B: ActivityCounts(1, {"a": 0, "b": 1}),
    }
    assert facilitator.counts(room.code) == counts
    assert list(facilitator.counts(room.code)) == [Q1, SORT_A, SORT_B]  # the catalogue's order survives JSON
    assert facilitator.visible_counts(room.code) == RoomResults(
        participants=3, minimum_count=3, shown={Q1: counts[Q1]}, waiting={SORT_A: 1, SORT_B: 1}
    )

    assert people[2].shared_with(room.code, tokens[2]) == {}
    facilitator.set_reveal(room.code, Q1, True)
    assert facilitator.revealed(room.code) == frozenset({Q1})
    assert people[2].shared_with(room.code, tokens[2]) == {Q1: counts[Q1]}
    with pytest.raises(UnknownActivity, match=exactly("unknown activity 'quiz:m:nothing'")):
        facilitator.set_reveal(room.code, "quiz:m:nothing", True)

    assert people[2].leave(room.code, tokens[2]) is True
    assert people[2].leave(room.code, tokens[2]) is False
    assert people[2].membership(room.code, tokens[2]) is Membership.LEFT
    assert people[2].join(room.code, tokens[2]) == tokens[2]  # a reload keeps its token, and counts once
    assert facilitator.end(room.code) is True
    assert facilitator.end(room.code) is False
    assert facilitator.open_rooms() == []


def test_refused_answers_come_back_with_the_stores_reasons(service: Service) -> None:
    facilitator, person = service.client("fac-token"), service.client("p1-token")
    code = facilitator.open_room().code
    token = person.join(code)
    assert person.record(code, token, Q1, "yes") == Recorded(
        Outcome.REFUSED, "a quiz answer is a list of option indexes such as [0], not 'yes'"
    )
    assert person.record(code, token, "quiz:m:nothing", [0]) == Recorded(
        Outcome.REFUSED, "unknown activity 'quiz:m:nothing'"
    )
    assert person.record(code, token, Q1, {1, 2}) == Recorded(Outcome.REFUSED, "the answer is not JSON data (a set)")
    assert person.record(code, token, 7, [0]) == Recorded(  # type: ignore[arg-type]
        Outcome.REFUSED, "an activity key is text, not a int"
    )
    assert person.record(code, "not-joined", Q1, [0]) == Recorded(
        Outcome.REFUSED, f"this participant has not joined room {code}"
    )
    assert person.record_many(code, token, {Q2: [0], SORT_A: object(), SORT_B: "c"}) == {
        Q2: Recorded(Outcome.COUNTED),
        SORT_A: Recorded(Outcome.REFUSED, "the answer is not JSON data (a object)"),
        SORT_B: Recorded(Outcome.REFUSED, "'c' is not a category of this exercise (a, b)"),
    }
    assert person.record("AB", token, Q1, [0]) == Recorded(Outcome.REFUSED, NOT_A_CODE)
    assert person.record_many("AB", token, {Q1: [0]}) == {Q1: Recorded(Outcome.REFUSED, NOT_A_CODE)}
    assert person.record("ABCDEF", token, Q1, [0]) == Recorded(
        Outcome.REFUSED, "no open room has the code ABCDEF (it may have ended)"
    )


NOT_A_CODE = f"'AB' is not a room code: a code is {CODE_LENGTH} characters from {ALPHABET}"


# ---------------------------------------------------------------------- who may do what
def test_a_participant_may_not_open_follow_or_end_rooms(service: Service) -> None:
    code = service.client("fac-token").open_room().code
    person = service.client("p1-token")
    for action in (
        person.open_room,
        person.open_rooms,
        lambda: person.room(code),
        lambda: person.counts(code),
        lambda: person.visible_counts(code),
        lambda: person.revealed(code),
        lambda: person.set_reveal(code, Q1, True),
        lambda: person.end(code),
        lambda: person.participants(code),  # how many came is the facilitator's to know, as the counts are
    ):
        with pytest.raises(PermissionError, match=exactly(NOT_A_FACILITATOR)):
            action()
    assert service.client("fac-token").open_rooms()[0].code == code  # the room is still open


def test_a_facilitator_cannot_touch_another_facilitators_room_but_an_admin_can(service: Service) -> None:
    fiona, frank, ada = service.client("fac-token"), service.client("fac2-token"), service.client("admin-token")
    code = fiona.open_room().code
    other = frank.open_room().code
    not_yours = f"room {code} was opened by another facilitator: only they or a hub admin may follow or end it"
    for action in (
        lambda: frank.counts(code),
        lambda: frank.room(code),
        lambda: frank.participants(code),
        lambda: frank.end(code),
    ):
        with pytest.raises(PermissionError, match=exactly(not_yours)):
            action()
    assert [room.code for room in frank.open_rooms()] == [other]
    assert ada.whoami() == HubIdentity(name="ada", facilitator=True)
    assert {room.code for room in ada.open_rooms()} == {code, other}
    assert ada.counts(code) == {}
    assert ada.end(code) is True
    assert service.owners() == [(other, "frank")]
    assert [room.code for room in fiona.open_rooms()] == []


def test_ending_a_room_deletes_who_opened_it_and_so_does_ending_idle_rooms(service: Service, wall: Clock) -> None:
    facilitator = service.client("fac-token")
    first = facilitator.open_room(RoomSettings(minimum_count=1, idle_seconds=60))
    second = facilitator.open_room(RoomSettings(minimum_count=1, idle_seconds=600))
    assert first.settings == RoomSettings(minimum_count=1, idle_seconds=60)  # a facilitator's own settings
    assert service.owners() == sorted([(first.code, "fiona"), (second.code, "fiona")])
    assert facilitator.end(first.code) is True
    assert service.owners() == [(second.code, "fiona")]
    wall.now += 601
    assert service.running.call(service.app.rooms.end_idle) == [second.code]
    assert service.owners() == []
    with pytest.raises(UnknownRoom, match=exactly(f"no open room has the code {second.code} (it may have ended)")):
        facilitator.counts(second.code)


def test_unknown_and_full_rooms_raise_what_the_store_raises(service: Service) -> None:
    facilitator, person = service.client("fac-token"), service.client("p1-token")
    with pytest.raises(UnknownRoom, match=exactly("no open room has the code ABCDEF (it may have ended)")):
        person.join("ABCDEF")
    with pytest.raises(UnknownRoom, match=exactly("no open room has the code ABCDEF (it may have ended)")):
        facilitator.counts("abc-def")
    with pytest.raises(UnknownRoom, match=exactly(NOT_A_CODE)):
        person.join("AB")
    with pytest.raises(UnknownRoom, match=exactly(NOT_A_CODE)):
        facilitator.participants("AB")
    assert facilitator.end("AB") is False
    code = facilitator.open_room(RoomSettings(max_participants=2)).code
    person.join(code)
    service.client("p2-token").join(code)
    with pytest.raises(RoomFull, match=exactly(f"room {code} is full: it takes 2 participants")):
        service.client("p3-token").join(code)


def test_requests_without_a_hub_token_or_with_a_bad_one_are_refused(service: Service) -> None:
    no_token = "this request has no hub token: send 'Authorization: token <your server's JUPYTERHUB_API_TOKEN>'"
    with pytest.raises(PermissionError, match=exactly(no_token)):
        service.client(" ").whoami()
    assert raw(service.url + "api/me") == (
        401,
        "application/json; charset=utf-8",
        {"error": no_token, "kind": "unauthenticated"},
    )
    refused = "the hub does not accept this token for the room service: it needs the scope access:services!service=room"
    with pytest.raises(PermissionError, match=exactly(refused)):
        service.client("forged").join("ABCDEF")
    with pytest.raises(PermissionError, match=exactly(refused)):
        service.client("forged").record("ABCDEF", "token", Q1, [0])
    assert raw(service.url + "api/rooms", "POST", b"{}", token="forged")[0] == 403
    with pytest.raises(
        ValueError, match=exactly("the room service needs this server's hub API token, and none was given")
    ):
        HubRoomClient(service.url, "")
    with pytest.raises(
        ValueError, match=exactly("the room service's address must be an http(s) URL, not 'file:///etc/'")
    ):
        HubRoomClient("file:///etc/", "token")


def test_an_oversized_request_is_refused_before_it_is_read_and_nothing_is_counted(service: Service) -> None:
    code = service.client("fac-token").open_room().code
    person = service.client("p1-token")
    token = person.join(code)
    with pytest.raises(
        OSError,
        match=exactly(f"the room service at {service.url} answered 400 to api/rooms/{code}/answer, not with its JSON"),
    ):
        person.record(code, token, Q1, ["x" * (room_service.MAX_BODY_BYTES + 1)])
    assert service.client("fac-token").counts(code) == {}
    assert person.record(code, token, Q1, [0]).counted  # the same participant goes on as before


def test_each_hub_user_is_rate_limited_on_joins_and_answers(start: Callable[..., Service]) -> None:
    service = start(rate_limit=RateLimit(writes=4, seconds=60))
    code = service.client("fac-token").open_room().code
    person = service.client("p1-token")
    token = person.join(code)  # 1
    assert person.record(code, token, Q1, [0]).counted  # 2
    assert person.record_many(code, token, {SORT_A: "a", SORT_B: "a"}) == dict.fromkeys(
        [SORT_A, SORT_B], Recorded(Outcome.COUNTED)
    )  # 4
    limited = "too many writes from hub user pat1: at most 4 joins and answers in 60 seconds"
    assert person.record(code, token, Q2, [0]) == Recorded(Outcome.REFUSED, limited)
    assert person.record_many(code, token, {Q2: [0]}) == {Q2: Recorded(Outcome.REFUSED, limited)}
    # Another participant token of the same hub user is limited too: the limit is the hub user's.
    with pytest.raises(RateLimited, match=exactly(limited)):
        person.join(code)
    other = service.client("p2-token")
    assert other.record(code, other.join(code), Q2, [1]).counted


PROXIED = (
    "the room service takes requests only from participants' own servers, never through the hub's public "
    "address: rooms are joined from the workshop's page"
)


def test_requests_through_the_hubs_proxy_are_refused_before_the_hub_is_asked(start: Callable[..., Service]) -> None:
    asked: list[str] = []

    def identify(token: str) -> str | None:
        asked.append(token)
        return TOKENS.get(token)

    service = start(identify=identify)
    code = service.client("fac-token").open_room().code
    asked.clear()
    # configurable-http-proxy adds the X-Forwarded ones (unless told --no-x-forward); Forwarded is the standard's.
    for header in ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"):
        for path, method, body in (
            (f"api/rooms/{code}/join", "POST", b"{}"),
            (f"api/rooms/{code}/answer", "POST", b'{"token": "t", "activity": "quiz:m:q1", "answer": [0]}'),
            (f"api/rooms/{code}/participants", "GET", None),
            ("api/me", "GET", None),
        ):
            # With a participant's token, with the facilitator's, or with none (a script holding only a cookie).
            for token in ("p1-token", "fac-token", None):
                assert raw(service.url + path, method, body, token=token, headers={header: "203.0.113.9"}) == (
                    403,
                    "application/json; charset=utf-8",
                    {"error": PROXIED, "kind": "forbidden"},
                ), (header, path, token)
    assert asked == []  # a flood through the public address costs the hub nothing
    assert raw(service.url, headers={"X-Forwarded-For": "203.0.113.9"}) == (200, "text/plain; charset=utf-8", "ok")
    assert service.client("fac-token").participants(code) == 0
    assert service.client("p1-token").join(code)  # the same request sent directly, as a kernel sends it


def test_a_hub_user_becomes_at_most_three_participants_of_a_room(start: Callable[..., Service]) -> None:
    service = start(rate_limit=RateLimit(writes=100, seconds=60))
    facilitator = service.client("fac-token")
    code, other = facilitator.open_room().code, facilitator.open_room().code
    person = service.client("p1-token")
    tokens = [person.join(code) for _ in range(3)]
    too_many = (
        f"hub user pat1 has joined room {code} as a new participant 3 times already, the most one person may: "
        "a page that kept its place rejoins as the same participant"
    )
    with pytest.raises(PermissionError, match=exactly(too_many)):
        person.join(code)
    with pytest.raises(PermissionError, match=exactly(too_many)):
        person.join(code, "a-token-of-no-room")
    status, _kind, body = raw(service.url + f"api/rooms/{code}/join", "POST", b"{}", token="p1-token")
    assert (status, body) == (403, {"error": too_many, "kind": "forbidden"})
    assert person.join(code, tokens[0]) == tokens[0]  # coming back is free, joined or left
    assert person.leave(code, tokens[1]) is True
    assert person.join(code, tokens[1]) == tokens[1]
    assert person.join(other)  # per room
    assert service.client("p2-token").join(code)  # per hub user
    assert facilitator.participants(code) == 4
    assert person.record(code, tokens[2], Q1, [0]).counted
    assert facilitator.end(code) is True
    assert service.running.call(lambda: service.app.rooms.admissions.joins_by(code, "pat1")) == 0  # forgotten
    assert service.running.call(lambda: service.app.rooms.admissions.joins_by(other, "pat1")) == 1


def test_a_room_takes_a_burst_of_new_participants_then_one_at_a_time(start: Callable[..., Service]) -> None:
    monotonic = Clock()
    service = start(
        join_budget=JoinBudget(burst=2, per_minute=6), rate_limit=RateLimit(writes=100, seconds=60), monotonic=monotonic
    )
    facilitator = service.client("fac-token")
    code = facilitator.open_room().code
    first, second, third = (service.client(f"p{number}-token") for number in (1, 2, 3))
    kept = first.join(code)
    second.join(code)

    def slowly(seconds: int) -> str:
        return (
            f"room {code} is taking new participants more slowly now (at most 2 at once, then 6 a minute): "
            f"try again in {seconds} seconds"
        )

    with pytest.raises(RateLimited, match=exactly(slowly(10))):
        third.join(code)
    status, _kind, body = raw(service.url + f"api/rooms/{code}/join", "POST", b"{}", token="p3-token")
    assert (status, body) == (429, {"error": slowly(10), "kind": "rate-limited"})
    assert first.join(code, kept) == kept  # a participant coming back is never slowed
    monotonic.now += 4
    with pytest.raises(RateLimited, match=exactly(slowly(6))):
        third.join(code)
    monotonic.now += 6
    assert third.join(code)
    with pytest.raises(RateLimited, match=exactly(slowly(10))):
        service.client("p4-token").join(code)
    assert facilitator.participants(code) == 3
    # Another room has a budget of its own; one no larger than the burst is full before it is slowed.
    small = facilitator.open_room(RoomSettings(max_participants=2)).code
    assert service.client("p4-token").join(small)
    assert first.join(small)
    with pytest.raises(RoomFull, match=exactly(f"room {small} is full: it takes 2 participants")):
        second.join(small)


def test_join_budgets_are_checked() -> None:
    assert JoinBudget().describe() == "at most 100 at once, then 60 a minute"
    with pytest.raises(ValueError, match="a join budget lets at least 1 participant in"):
        JoinBudget(burst=0)
    with pytest.raises(ValueError, match="a join budget lets at least 1 participant in"):
        JoinBudget(per_user=0)


def test_bad_requests_and_unknown_addresses_get_one_json_line_never_a_traceback(
    start: Callable[..., Service],
) -> None:
    def broken(name: str) -> Standing:
        raise RuntimeError("secret internals")

    service = start(facilitator_check=broken)
    assert raw(service.url) == (200, "text/plain; charset=utf-8", "ok")
    assert raw(service.url.rstrip("/")) == (200, "text/plain; charset=utf-8", "ok")
    assert raw(service.url + "api/nothing", token="p1-token") == (
        404,
        "application/json; charset=utf-8",
        {"error": "the room service has no such address", "kind": "not-found"},
    )
    status, _kind, body = raw(service.url + "api/rooms/ABCDEF/answers", "POST", b"{not json", token="p1-token")
    assert (status, body) == (400, {"error": "the request body is not JSON", "kind": "bad-request"})
    status, _kind, body = raw(service.url + "api/rooms/ABCDEF/answers", "POST", b'{"answers": 3}', token="p1-token")
    assert (status, body) == (
        400,
        {"error": "answers are a list of [activity key, answer] pairs", "kind": "bad-request"},
    )
    unavailable = "the hub could not be asked whether hub user fiona is a facilitator; try again"
    status, _kind, body = raw(service.url + "api/me", token="fac-token")
    assert (status, body) == (503, {"error": unavailable, "kind": "hub-unavailable"})
    with pytest.raises(
        OSError, match=exactly(f"the room service at {service.url} answered 503 to api/me: {unavailable}")
    ):
        service.client("fac-token").whoami()
    # A client pointed at the wrong prefix says so, rather than reading the wrong answer.
    wrong = HubRoomClient(f"http://127.0.0.1:{service.running.port}/", "p1-token", catalogue=CATALOGUE)
    with pytest.raises(
        OSError,
        match=exactly(
            f"the room service at http://127.0.0.1:{service.running.port}/ answered 404 to api/me: "
            "the room service has no such address"
        ),
    ):
        wrong.whoami()


def test_a_facilitators_settings_are_checked(service: Service) -> None:
    body = json.dumps({"settings": {"minimum_count": 0, "idle_seconds": 60, "max_participants": 5}}).encode()
    status, _kind, answer = raw(service.url + "api/rooms", "POST", body, token="fac-token")
    assert (status, answer) == (
        400,
        {"error": "settings: the minimum count is 1 to 1000 answerers, not 0", "kind": "bad-request"},
    )
    body = json.dumps({"settings": {"minimum_count": True}}).encode()
    status, _kind, answer = raw(service.url + "api/rooms", "POST", body, token="fac-token")
    assert answer == {"error": "settings.minimum_count: expected a whole number, not true/false", "kind": "bad-request"}


def test_a_service_that_is_not_running_is_an_os_error(service: Service) -> None:
    dead = HubRoomClient(f"http://127.0.0.1:{closed_port()}{PREFIX}", "p1-token", timeout=1.0, catalogue=CATALOGUE)
    with pytest.raises(URLError):  # an OSError: the widgets show "room unavailable"
        dead.whoami()
    with pytest.raises(OSError):
        dead.record("ABCDEF", "token", Q1, [0])


# ---------------------------------------------------------------------- choosing the service in a kernel
def test_the_environment_picks_the_hub_service_or_the_store_file(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8000/services/room/"
    client = open_room_service({"THERAPY_WORKSHOP_ROOM_URL": url, "JUPYTERHUB_API_TOKEN": "server-token"})
    assert isinstance(client, HubRoomClient) and client.base_url == url
    assert repr(client) == f"HubRoomClient({url!r})"  # never the token
    store = open_room_service({"THERAPY_WORKSHOP_ROOM_DB": str(tmp_path / "here.sqlite")})
    assert isinstance(store, RoomStore) and store.path == tmp_path / "here.sqlite"
    store.close()
    with pytest.raises(
        RoomServiceSettingsError,
        match=exactly(
            f"THERAPY_WORKSHOP_ROOM_URL is set ({url}) but JUPYTERHUB_API_TOKEN is not: the hub room service "
            "is asked with the single-user server's hub token, which JupyterHub sets for every server it starts"
        ),
    ):
        open_room_service({"THERAPY_WORKSHOP_ROOM_URL": url})
    with pytest.raises(
        RoomServiceSettingsError,
        match=exactly("THERAPY_WORKSHOP_ROOM_URL: the room service's address must be an http(s) URL, not 'room'"),
    ):
        open_room_service({"THERAPY_WORKSHOP_ROOM_URL": "room", "JUPYTERHUB_API_TOKEN": "t"})


def test_widgets_open_the_hub_service_when_the_server_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THERAPY_WORKSHOP_ROOM_URL", "http://127.0.0.1:8000/services/room/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "server-token")
    assert isinstance(open_room_store(), HubRoomClient)
    monkeypatch.delenv("THERAPY_WORKSHOP_ROOM_URL")
    opened = open_room_store()
    assert isinstance(opened, RoomStore)
    opened.close()


def hub_identity(environ: dict[str, str]) -> HubIdentity | None:
    """What a page is told when it asks who its hub user is, asked here with no loop running (it simply blocks)."""
    return finish_now(ask_hub_identity(environ))


def test_hub_identity_is_asked_once_and_a_failure_is_not_kept(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connect, "_IDENTITIES", {})
    assert hub_identity({}) is None
    dead = {"THERAPY_WORKSHOP_ROOM_URL": f"http://127.0.0.1:{closed_port()}/", "JUPYTERHUB_API_TOKEN": "fac-token"}
    assert hub_identity(dead) == HubIdentity(name="", facilitator=False)
    assert connect._IDENTITIES == {}
    environ = {"THERAPY_WORKSHOP_ROOM_URL": service.url, "JUPYTERHUB_API_TOKEN": "fac-token"}
    assert hub_identity(environ) == HubIdentity(name="fiona", facilitator=True)
    service.stop()
    assert hub_identity(environ) == HubIdentity(name="fiona", facilitator=True)  # kept: the service is gone
    participant = {"THERAPY_WORKSHOP_ROOM_URL": service.url, "JUPYTERHUB_API_TOKEN": "p1-token"}
    assert hub_identity(participant) == HubIdentity(name="", facilitator=False)


# ---------------------------------------------------------------------- the real HubAuth wiring
class FakeHub:
    """The hub API calls the service makes: ``GET /user`` with a user's token, ``GET /users/<name>`` with its own."""

    SERVICE_TOKEN = "service-token"
    USERS: ClassVar[dict[str, dict[str, Any]]] = {
        # What JupyterHub 6.1 answers for a server's token (its scopes, intersected with its owner's).
        "pat-server": {
            "kind": "user",
            "name": "pat",
            "scopes": ["access:servers!server=pat/", "access:services!service=room", "users:activity!user=pat"],
        },
        "gia-server": {
            "kind": "user",
            "name": "gia",
            "scopes": ["access:servers!server=gia/", "access:services!service=room"],
        },
        "ada-server": {"kind": "user", "name": "ada", "scopes": ["access:servers!server=ada/", "access:services"]},
        "lab-server": {"kind": "user", "name": "lou", "scopes": ["access:servers!server=lou/"]},
        "culler": {"kind": "service", "name": "idle-culler", "scopes": ["access:services!service=room"]},
        # A token pat minted with default scopes: everything pat holds, servers user-wide (as the real hub said).
        "pat-minted": {
            "kind": "user",
            "name": "pat",
            "scopes": ["access:servers!user=pat", "access:services!service=room", "tokens!user=pat"],
        },
        # One minted with a server token's scopes before pat had a server: the hub resolves no server scope.
        "pat-imitation": {
            "kind": "user",
            "name": "pat",
            "scopes": ["access:services!service=room", "users:activity!user=pat"],
        },
        # A server scope of someone else's server does not make pat's token a server's.
        "pat-other-server": {
            "kind": "user",
            "name": "pat",
            "scopes": ["access:servers!server=patricia/", "access:services!service=room"],
        },
    }
    MODELS: ClassVar[dict[str, dict[str, Any]]] = {
        "pat": {"kind": "user", "name": "pat", "admin": False, "groups": []},
        "gia": {"kind": "user", "name": "gia", "admin": False, "groups": ["facilitators"]},
        "ada": {"kind": "user", "name": "ada", "admin": True, "groups": []},
    }

    def __init__(self) -> None:
        self.lookups: list[str] = []
        self.service_scopes_missing = False
        hub = self

        class Whoami(web.RequestHandler):
            def get(self) -> None:
                token = self.request.headers.get("Authorization", "").removeprefix("token ")
                if token not in hub.USERS:
                    raise web.HTTPError(403)
                self.finish(hub.USERS[token])

        class User(web.RequestHandler):
            def get(self, name: str) -> None:
                if self.request.headers.get("Authorization") != f"token {hub.SERVICE_TOKEN}":
                    raise web.HTTPError(403)
                hub.lookups.append(name)
                if hub.service_scopes_missing:
                    self.finish({"kind": "user", "name": name})
                elif name not in hub.MODELS:
                    raise web.HTTPError(404)
                else:
                    self.finish(hub.MODELS[name])

        self.app = web.Application([("/hub/api/user", Whoami), ("/hub/api/users/([^/]+)", User)])


def test_the_real_hub_auth_wiring_identifies_users_and_facilitators(tmp_path: Path) -> None:
    from jupyterhub.services.auth import HubAuth

    hub = FakeHub()
    wall = Clock()
    holder: dict[str, Any] = {}

    async def start_both() -> int:
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(hub.app)
        server.add_sockets(sockets)
        api_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hub/api"
        auth = HubAuth(api_url=api_url, api_token=hub.SERVICE_TOKEN, access_scopes=set(USER_SCOPES))
        app = make_app(
            tmp_path / "rooms.sqlite",
            identify=hub_identify(auth),
            facilitator_check=HubStandings(api_url, hub.SERVICE_TOKEN, clock=wall),
            catalogue=CATALOGUE,
        )
        holder["app"], holder["server"] = app, server
        return await app.serve("127.0.0.1", 0)

    running = Running(start_both)
    try:
        url = f"http://127.0.0.1:{running.port}{PREFIX}"

        def client(token: str) -> HubRoomClient:
            return HubRoomClient(url, token, timeout=5.0, catalogue=CATALOGUE)

        assert client("pat-server").whoami() == HubIdentity("pat", facilitator=False)
        assert client("gia-server").whoami() == HubIdentity("gia", facilitator=True)
        assert client("ada-server").whoami() == HubIdentity("ada", facilitator=True)
        code = client("gia-server").open_room().code
        assert client("pat-server").join(code)
        refused = (
            "the hub does not accept this token for the room service: it needs the scope access:services!service=room"
        )
        for token in ("lab-server", "culler", "unknown"):
            with pytest.raises(PermissionError, match=exactly(refused)):
                client(token).join(code)
        not_a_server = (
            "this token of hub user pat is not their running server's: the room service takes only the token a "
            "participant's own single-user server holds, never one made by hand"
        )
        for token in ("pat-minted", "pat-imitation", "pat-other-server"):
            with pytest.raises(PermissionError, match=exactly(not_a_server)):
                client(token).join(code)
        assert raw(url + f"api/rooms/{code}/join", "POST", b"{}", token="pat-minted") == (
            403,
            "application/json; charset=utf-8",
            {"error": not_a_server, "kind": "forbidden"},
        )
        assert hub.lookups == ["pat", "gia", "ada"]
        client("gia-server").counts(code)
        assert hub.lookups == ["pat", "gia", "ada"]  # kept for 30 seconds
        wall.now += 31
        hub.service_scopes_missing = True
        unavailable = "the hub could not be asked whether hub user gia is a facilitator; try again"
        with pytest.raises(
            OSError, match=exactly(f"the room service at {url} answered 503 to api/rooms/{code}/counts: {unavailable}")
        ):
            client("gia-server").counts(code)
        assert SERVICE_SCOPES == ["read:users:name", "read:users:groups"]
    finally:

        def stop_both() -> None:
            holder["app"].stop()
            holder["server"].stop()

        running.stop(stop_both)


def test_the_service_module_names_what_the_hub_configuration_needs() -> None:
    assert room_service.SERVICE_NAME == "room"
    assert room_service.USER_SCOPES == ["access:services!service=room"]
    # The user role to configure: JupyterHub's `self` without minting tokens (or sharing servers), and the room.
    assert USER_ROLE_SCOPES == [
        "read:users!user",
        "users:activity!user",
        "servers!user",
        "access:servers!user",
        "access:services!service=room",
    ]
    assert Standing.ADMIN.facilitator and Standing.FACILITATOR.facilitator and not Standing.PARTICIPANT.facilitator


def test_a_facilitator_check_may_answer_true_or_false(start: Callable[..., Service]) -> None:
    service = start(facilitator_check=lambda name: name == "fiona")
    assert service.client("fac-token").whoami() == HubIdentity("fiona", facilitator=True)
    code = service.client("fac-token").open_room().code
    with pytest.raises(PermissionError, match=exactly(NOT_A_FACILITATOR)):
        service.client("p1-token").counts(code)
