"""A real hub's room takes joins only from participants' running servers (``make hub``; no browser needed).

A script that only visited ``/hub/tmplogin`` holds a hub cookie and can mint hub tokens; every visit is a new
temporary account. On one hub (a start costs 10-20 s), in order: the facilitator opens a room from their server
and a real participant joins and answers with their server's token, as their kernel does; everything a script
holds is refused with the service's own words (through the hub's public address: the cookie, a minted token,
even a real server's token; straight to the service: minted tokens); only the facilitator reads how many joined;
a server's token stops working when the server stops. ``benchmarks/room_flood.py`` measures the same at scale.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest

from .hub import PROXY, RunningHub, start_hub

pytestmark = pytest.mark.hub

PROXIED = (
    "the room service takes requests only from participants' own servers, never through the hub's public "
    "address: rooms are joined from the workshop's page"
)
UNKNOWN_TOKEN = (
    "the hub does not accept this token for the room service: it needs the scope access:services!service=room"
)


def not_a_server(name: str) -> str:
    return (
        f"this token of hub user {name} is not their running server's: the room service takes only the token a "
        "participant's own single-user server holds, never one made by hand"
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass
class Account:
    """A hub user as a script holds it: cookies from the hub's login, and a name."""

    hub_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    name: str = ""

    def request(
        self, url: str, method: str = "GET", body: object = None, token: str | None = None, cookies: bool = True
    ) -> tuple[int, Any]:
        """Status and JSON (or text) of one request to 127.0.0.1, with this account's cookies or a hub token."""
        assert urlsplit(url).hostname == "127.0.0.1", url
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"token {token}"
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
            headers["X-XSRFToken"] = self.cookies.get("_xsrf", "")
        data = None if body is None else json.dumps(body).encode()
        try:
            with OPENER.open(urllib.request.Request(url, data, headers, method=method), timeout=30) as response:
                status, raw, got = response.status, response.read(), response.headers
        except HTTPError as error:
            with error:
                status, raw, got = error.code, error.read(), error.headers
        for header in got.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def log_in(self, url: str) -> None:
        status, _body = self.request(url)
        assert status in (302, 303), f"the login answered {status}"
        status, model = self.request(self.hub_url + "/hub/api/user")
        assert status == 200, model
        self.name = model["name"]

    def start_server(self, timeout: float = 120.0) -> None:
        self.request(self.hub_url + "/hub/spawn")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _status, model = self.request(self.hub_url + "/hub/api/user")
            if model.get("server") and not model.get("pending"):
                return
            time.sleep(0.3)
        raise AssertionError(f"{self.name}'s server did not start in {timeout:g} s")

    def mint(self, scopes: list[str] | None = None) -> tuple[int, str | None]:
        """A token asked of the hub as its token page asks (201 and the token, or the refusal's status)."""
        body: dict[str, Any] = {"note": "made by a script"} | ({"scopes": scopes} if scopes else {})
        status, answer = self.request(f"{self.hub_url}/hub/api/users/{self.name}/tokens", "POST", body)
        return status, answer.get("token") if status == 201 else None


@dataclass
class Room:
    """The hub, the room's code, and who is in it."""

    hub: RunningHub
    direct: str  # the service's own address, as kernels have it (THERAPY_WORKSHOP_ROOM_URL)
    proxied: str  # the hub's public address of the service
    code: str
    activity: str
    facilitator_token: str
    participant: Account
    participant_token: str
    participant_place: str


def server_environment(hub: RunningHub, name: str) -> dict[str, str]:
    """A user's server's environment: what their kernels inherit (their hub token, the room's address)."""
    environ: dict[str, str] = hub.user_servers()[name].environ()
    return environ


def call(base: str, path: str, token: str | None = None, body: object = None, account: Account | None = None) -> Any:
    """One request to the room service (with a token, or with only an account's cookies)."""
    holder = account or Account(hub_url="")
    return holder.request(
        base + path, "POST" if body is not None else "GET", body, token=token, cookies=account is not None
    )


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    if not PROXY.exists() and shutil.which("npm") is None:
        pytest.skip("no npm to install JupyterHub's proxy with (apt-get install nodejs npm)")
    hub = start_hub(tmp_path_factory.mktemp("hub"), {"ROOM_MINIMUM": "1", "FACILITATOR_KEY": ""})
    try:
        from therapy_workshop.room.catalogue import current_catalogue

        activity = next(key for key, each in current_catalogue().items() if each.kind == "quiz")
        facilitator, participant = Account(hub.url), Account(hub.url)
        facilitator.log_in(hub.facilitator_link)
        participant.log_in(hub.url + "/hub/tmplogin")
        facilitator.start_server()
        participant.start_server()
        facilitator_env = server_environment(hub, facilitator.name)
        direct = facilitator_env["THERAPY_WORKSHOP_ROOM_URL"]
        facilitator_token = facilitator_env["JUPYTERHUB_API_TOKEN"]
        participant_token = server_environment(hub, participant.name)["JUPYTERHUB_API_TOKEN"]
        status, opened = call(direct, "api/rooms", facilitator_token, {"settings": None})
        assert status == 201, opened
        code = opened["room"]["code"]
        status, joined = call(direct, f"api/rooms/{code}/join", participant_token, {})
        assert status == 200, joined
        yield Room(
            hub=hub,
            direct=direct,
            proxied=hub.url + "/services/room/",
            code=code,
            activity=activity,
            facilitator_token=facilitator_token,
            participant=participant,
            participant_token=participant_token,
            participant_place=joined["token"],
        )
    finally:
        hub.stop()
        hub.kill()


def test_a_participants_server_token_joins_and_answers_and_only_the_facilitator_reads_how_many(room: Room) -> None:
    answer = {"token": room.participant_place, "activity": room.activity, "answer": [0]}
    status, recorded = call(room.direct, f"api/rooms/{room.code}/answer", room.participant_token, answer)
    assert (status, recorded["recorded"]["outcome"]) == (200, "counted")
    assert call(room.direct, f"api/rooms/{room.code}/participants", room.facilitator_token) == (
        200,
        {"participants": 1},
    )
    assert call(room.direct, f"api/rooms/{room.code}/participants", room.participant_token) == (
        403,
        {
            "error": f"hub user {room.participant.name} is not a facilitator: only hub admins and members of the "
            "hub group 'facilitators' open and follow rooms",
            "kind": "forbidden",
        },
    )


def test_nothing_reaches_the_room_through_the_hubs_public_address(room: Room) -> None:
    script = Account(room.hub.url)
    script.log_in(room.hub.url + "/hub/tmplogin")
    _status, minted = script.mint()
    refused = (403, {"error": PROXIED, "kind": "forbidden"})
    assert call(room.proxied, f"api/rooms/{room.code}/join", body={}, account=script) == refused
    assert call(room.proxied, "api/me", account=script) == refused
    if minted is not None:  # a hub whose users may mint tokens (JupyterHub's `self` role)
        assert call(room.proxied, f"api/rooms/{room.code}/join", minted, {}) == refused
    # Even a real server's token: the proxy marks what it forwards, and kernels never come that way.
    assert call(room.proxied, f"api/rooms/{room.code}/join", room.participant_token, {}) == refused
    status, text = call(room.proxied, "")
    assert (status, text) == (200, "ok")  # the health check says only that it runs


def test_tokens_a_visitor_can_mint_are_not_a_servers(room: Room) -> None:
    script = Account(room.hub.url)
    script.log_in(room.hub.url + "/hub/tmplogin")
    default_status, minted = script.mint()
    imitation_status, imitation = script.mint(["access:servers!server", "access:services!service=room"])
    # JupyterHub's `self` role lets users mint (201); the user role without `tokens` does not (403).
    assert {default_status, imitation_status} <= {201, 403}
    for token in (each for each in (minted, imitation) if each is not None):
        assert call(room.direct, f"api/rooms/{room.code}/join", token, {}) == (
            403,
            {"error": not_a_server(script.name), "kind": "forbidden"},
        )
    assert call(room.direct, f"api/rooms/{room.code}/participants", room.facilitator_token) == (
        200,
        {"participants": 1},
    )


def test_a_servers_token_goes_with_the_server(room: Room) -> None:
    visitor = Account(room.hub.url)
    visitor.log_in(room.hub.url + "/hub/tmplogin")
    visitor.start_server()
    token = server_environment(room.hub, visitor.name)["JUPYTERHUB_API_TOKEN"]
    status, _body = visitor.request(f"{room.hub.url}/hub/api/users/{visitor.name}/server", "DELETE")
    assert status in (202, 204), status
    deadline = time.monotonic() + 60
    while visitor.name in room.hub.user_servers() and time.monotonic() < deadline:
        time.sleep(0.3)
    _status, model = visitor.request(room.hub.url + "/hub/api/user")
    assert model["server"] is None, model
    # The hub deletes a server's token when the server stops: the page is gone, and so is the way in. (The
    # service's HubAuth keeps an answer for a token it saw for up to 5 minutes; this one it never saw.)
    assert call(room.direct, f"api/rooms/{room.code}/join", token, {}) == (
        403,
        {"error": UNKNOWN_TOKEN, "kind": "forbidden"},
    )
