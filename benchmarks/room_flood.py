"""Scripted joins against a workshop hub's room while real participants join it (``python benchmarks/room_flood.py``).

A visitor needs nothing but ``/hub/tmplogin`` to hold a hub cookie, and with JupyterHub's ``self`` role they can
mint hub tokens with it; every visit is a new temporary account, so limits per account mean nothing. This starts
``make hub`` on free ports (as the hub tests do, :func:`tests.browser.hub.start_hub`), has the facilitator open a
room from their server, and then, at the same time:

- **the flood**: ``--accounts`` temporary accounts (200), each logged in with ``/hub/tmplogin`` only (no server),
  minting two hub tokens (one with default scopes, one asking for a server token's scopes), then trying to join
  the room and answer by five ways: through the hub's public address (the proxy) with its cookie, its minted
  token, its imitation token, and straight to the service's own port with the two tokens (as a process inside
  the hub's network would);
- **live scripts**: ``--live-scripts`` accounts (2) with servers of their own, each trying ``--live-joins`` (50)
  new joins with its server's token, as a script driving a live page's kernel could at best;
- **three real participants**, each with a server, joining and answering with their server's token, as their
  kernels do (the token is read from the server's environment, which the kernel inherits), retrying when told to
  wait, as a person pressing "Join" again would.

Then the facilitator reads the room. Reported: how many scripted joins got in (by way), whether the real three
were counted, and how long it all took. Every request goes to 127.0.0.1; every loop is bounded in count and by
``--deadline``. Nothing is asserted: ``tests/browser/test_room_flood_on_hub.py`` asserts the refusals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from report import report  # noqa: E402

from tests.browser.hub import RunningHub, start_hub  # noqa: E402

#: The scopes of a server's token (Spawner.server_token_scopes), as a script imitating one would ask for them.
IMITATION_SCOPES = ["access:servers!server", "access:services!service=room", "users:activity!user"]
#: The ways a scripted account tries to join: (label, through the proxy?, credential).
WAYS = (
    ("proxy, cookie", True, "cookie"),
    ("proxy, minted token", True, "minted"),
    ("proxy, imitation token", True, "imitation"),
    ("direct, minted token", False, "minted"),
    ("direct, imitation token", False, "imitation"),
)
REQUEST_TIMEOUT = 30.0


@dataclass
class Account:
    """One hub user as a script holds it: its cookies and whatever tokens it could get."""

    hub_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    name: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    async def fetch(
        self, url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """One request with this account's cookies, redirects not followed; status, JSON (or text), headers."""
        assert urlsplit(url).hostname == "127.0.0.1", f"this bench talks to 127.0.0.1 only, not {url}"
        sent = {"Cookie": "; ".join(f"{key}={value}" for key, value in self.cookies.items())} if self.cookies else {}
        if body is not None:
            sent["Content-Type"] = "application/json"
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(
                url,
                method=method,
                body=None if body is None else json.dumps(body),
                headers=sent | (headers or {}),
                follow_redirects=False,
                request_timeout=REQUEST_TIMEOUT,
            ),
            raise_error=False,
        )
        for header in response.headers.get_list("Set-Cookie"):
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        text = response.body.decode("utf-8", "replace") if response.body else ""
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = text
        return response.code, data, dict(response.headers)

    async def log_in(self, path: str = "/hub/tmplogin") -> None:
        """The hub's login (a temporary account, or the facilitator's link), its cookie, and the user's name."""
        status, _data, _headers = await self.fetch(self.hub_url + path if path.startswith("/") else path)
        if status not in (302, 303):
            raise RuntimeError(f"the login answered {status}")
        status, model, _headers = await self.fetch(self.hub_url + "/hub/api/user")
        if status != 200:
            raise RuntimeError(f"/hub/api/user answered {status} to the new cookie")
        self.name = model["name"]

    async def mint(self, label: str, scopes: list[str] | None = None) -> int:
        """Ask the hub for a token, as the hub's token page does; the status (201 when it made one)."""
        body: dict[str, Any] = {"note": f"room flood {label}"} | ({"scopes": scopes} if scopes else {})
        status, data, _headers = await self.fetch(
            f"{self.hub_url}/hub/api/users/{self.name}/tokens",
            "POST",
            body,
            headers={"X-XSRFToken": self.cookies.get("_xsrf", "")},
        )
        if status == 201:
            self.tokens[label] = data["token"]
        return status

    async def start_server(self, timeout: float = 180.0) -> None:
        """Start this user's server and wait until the hub says it is ready."""
        await self.fetch(self.hub_url + "/hub/spawn")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _status, model, _headers = await self.fetch(self.hub_url + "/hub/api/user")
            if isinstance(model, dict) and model.get("server") and not model.get("pending"):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"the server of {self.name} did not start in {timeout:g} s")


async def room_call(
    base: str, path: str, *, token: str | None = None, account: Account | None = None, body: Any = None
) -> tuple[int, Any]:
    """One request to the room service at ``base`` with a hub token, or with only an account's cookies."""
    caller = account or Account(hub_url="")
    if account is None:
        caller.cookies = {}
    headers = {"Authorization": f"token {token}"} if token else {}
    if account is not None and not token:
        headers["X-XSRFToken"] = account.cookies.get("_xsrf", "")
    status, data, _headers = await caller.fetch(base + path, "POST" if body is not None else "GET", body, headers)
    return status, data


@dataclass
class Hub:
    """The running hub and what the bench learned of it."""

    running: RunningHub
    proxied_room: str
    direct_room: str = ""
    code: str = ""
    activity: str = ""

    def server_token(self, name: str) -> str:
        """The server's hub token, as its kernels inherit it (read from the server's environment)."""
        environ: dict[str, str] = self.running.user_servers()[name].environ()
        self.direct_room = environ["THERAPY_WORKSHOP_ROOM_URL"]
        return environ["JUPYTERHUB_API_TOKEN"]


#: Words of the service's refusals, and what the report calls them.
REFUSALS = (
    ("through the hub's public address", "refused: came through the proxy"),
    ("is not their running server's", "refused: not a server's token"),
    ("as a new participant", "refused: one person's joins used"),
    ("taking new participants more slowly", "refused: room's join budget"),
    ("has no hub token", "refused: no token"),
    ("too many writes from hub user", "refused: the hub user's write limit"),
)


def refusal(status: int, data: Any) -> str:
    """A refusal in a few words: which of the service's rules it was."""
    message = data.get("error", "") if isinstance(data, dict) else str(data)
    return next((f"{status} {name}" for words, name in REFUSALS if words in message), f"{status} {message[:60]}")


async def join_and_answer(hub: Hub, base: str, *, token: str | None = None, account: Account | None = None) -> str:
    """Try to join the room and answer its activity once; what happened, in one word or an error's kind."""
    status, data = await room_call(base, f"api/rooms/{hub.code}/join", token=token, account=account, body={})
    if status != 200:
        return refusal(status, data)
    answer = {"token": data["token"], "activity": hub.activity, "answer": [0]}
    status, data = await room_call(base, f"api/rooms/{hub.code}/answer", token=token, account=account, body=answer)
    if status == 200 and data["recorded"]["outcome"] == "counted":
        return "joined and counted"
    return "joined, answer refused"


async def scripted_account(hub: Hub, seen: dict[str, Counter[str]], errors: Counter[str]) -> None:
    """One temporary account from /hub/tmplogin only: its cookie, two minted tokens, five ways in."""
    account = Account(hub.running.url)
    try:
        await account.log_in()
        seen["mint (default scopes)"][str(await account.mint("minted"))] += 1
        seen["mint (server token's scopes)"][str(await account.mint("imitation", IMITATION_SCOPES))] += 1
    except Exception as error:  # a failed login is counted, not fatal
        errors[f"login: {type(error).__name__}"] += 1
        return
    for label, proxied, credential in WAYS:
        base = hub.proxied_room if proxied else hub.direct_room
        token = None if credential == "cookie" else account.tokens.get(credential)
        if credential != "cookie" and token is None:
            seen[label]["no token to try"] += 1
            continue
        try:
            seen[label][await join_and_answer(hub, base, token=token, account=account if token is None else None)] += 1
        except Exception as error:
            errors[f"{label}: {type(error).__name__}"] += 1


async def flood(hub: Hub, accounts: int, concurrency: int, seen: dict[str, Counter[str]], errors: Counter[str]) -> None:
    """``accounts`` scripted accounts, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await scripted_account(hub, seen, errors)

    await asyncio.gather(*(one() for _ in range(accounts)))


async def live_script(hub: Hub, token: str, joins: int, seen: Counter[str]) -> None:
    """A script with a server of its own: ``joins`` new joins in a row with the server's token."""
    for _ in range(joins):
        seen[await join_and_answer(hub, hub.direct_room, token=token)] += 1


async def real_participant(hub: Hub, token: str, delay: float, deadline: float) -> dict[str, Any]:
    """Join (again when told to wait, as long as the deadline allows) and answer, as a participant's kernel does."""
    await asyncio.sleep(delay)
    start = time.perf_counter()
    tries = 0
    while True:
        tries += 1
        status, data = await room_call(hub.direct_room, f"api/rooms/{hub.code}/join", token=token, body={})
        if status != 429 or time.monotonic() > deadline or tries >= 20:
            break
        await asyncio.sleep(3.0)  # a person pressing "Join" again
    outcome: dict[str, Any] = {"join": status, "tries": tries, "seconds": time.perf_counter() - start}
    if status == 200:
        answer = {"token": data["token"], "activity": hub.activity, "answer": [0]}
        status, data = await room_call(hub.direct_room, f"api/rooms/{hub.code}/answer", token=token, body=answer)
        outcome["answer"] = data["recorded"]["outcome"] if status == 200 else f"{status}"
    else:
        outcome["refusal"] = data.get("error") if isinstance(data, dict) else data
    return outcome


def first_quiz_question() -> str:
    """An activity every participant can answer with ``[0]``: the workshop's first quiz question."""
    from therapy_workshop.room.catalogue import current_catalogue

    return next(key for key, activity in current_catalogue().items() if activity.kind == "quiz")


async def run(running: RunningHub, arguments: argparse.Namespace) -> list[tuple[str, str]]:
    """The facilitator's room, then the flood, the live scripts and the real three at once; the report's rows."""
    AsyncHTTPClient.configure(None, max_clients=max(10, arguments.concurrency + 8))
    hub = Hub(running, proxied_room=running.url + "/services/room/", activity=first_quiz_question())
    deadline = time.monotonic() + arguments.deadline

    facilitator = Account(running.url)
    await facilitator.log_in(running.facilitator_link)
    real = [Account(running.url) for _ in range(3)]
    live = [Account(running.url) for _ in range(arguments.live_scripts)]
    for account in real + live:
        await account.log_in()
    await asyncio.gather(*(account.start_server() for account in [facilitator, *real, *live]))
    facilitator_token = hub.server_token(facilitator.name)
    assert urlsplit(hub.direct_room).hostname == "127.0.0.1", hub.direct_room
    status, data = await room_call(hub.direct_room, "api/rooms", token=facilitator_token, body={"settings": None})
    assert status == 201, (status, data)
    hub.code = data["room"]["code"]

    seen: dict[str, Counter[str]] = {label: Counter() for label, _proxied, _credential in WAYS}
    seen |= {"mint (default scopes)": Counter(), "mint (server token's scopes)": Counter()}
    live_seen: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    real_tokens = [hub.server_token(account.name) for account in real]
    live_tokens = [hub.server_token(account.name) for account in live]
    started = time.perf_counter()
    work = asyncio.gather(
        flood(hub, arguments.accounts, arguments.concurrency, seen, errors),
        *(live_script(hub, token, arguments.live_joins, live_seen) for token in live_tokens),
        *(real_participant(hub, token, 1.0 + number, deadline) for number, token in enumerate(real_tokens)),
    )
    results = await asyncio.wait_for(work, timeout=max(1.0, deadline - time.monotonic()))
    took = time.perf_counter() - started
    outcomes: list[dict[str, Any]] = [each for each in results[1 + len(live_tokens) :] if isinstance(each, dict)]

    _status, counted = await room_call(hub.direct_room, f"api/rooms/{hub.code}/counts", token=facilitator_token)
    _status, joined = await room_call(hub.direct_room, f"api/rooms/{hub.code}/participants", token=facilitator_token)
    answered = counted["counts"].get(hub.activity, {}).get("answerers", 0) if isinstance(counted, dict) else "?"

    def summary(counter: Counter[str]) -> str:
        return ", ".join(f"{what}: {number}" for what, number in counter.most_common()) or "none"

    scripted_in = sum(counter["joined and counted"] + counter["joined, answer refused"] for counter in seen.values())
    rows = [
        ("scripted accounts (tmplogin only)", str(arguments.accounts)),
        *((f"  {label}", summary(counter)) for label, counter in seen.items()),
        ("  scripted joins that got in", str(scripted_in)),
        (f"live scripts ({len(live)} servers x {arguments.live_joins} joins)", summary(live_seen)),
        *(
            (
                f"real participant {number}",
                f"join {each['join']} after {each['tries']} tries, {each['seconds']:.2f} s; "
                f"answer {each.get('answer', each.get('refusal'))}",
            )
            for number, each in enumerate(outcomes, 1)
        ),
        ("real participants counted", f"{sum(each.get('answer') == 'counted' for each in outcomes)} of 3"),
        ("room: participants / answered the question", f"{joined.get('participants', joined)} / {answered}"),
        ("flood, live scripts and real joins took", f"{took:.1f} s"),
        ("client errors", summary(errors)),
    ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="scripted temporary accounts (tmplogin only)")
    parser.add_argument("--concurrency", type=int, default=20, help="scripted accounts at work at once")
    parser.add_argument("--live-scripts", type=int, default=2, help="scripted accounts with servers of their own")
    parser.add_argument("--live-joins", type=int, default=50, help="new joins each live script tries")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds the whole run may take")
    arguments = parser.parse_args()
    if not 0 <= arguments.accounts <= 1000 or not 0 <= arguments.live_scripts <= 10 or arguments.live_joins > 500:
        parser.error("at most 1000 accounts, 10 live scripts and 500 joins each: this runs on the hub's own machine")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="room-flood-") as folder:
        running = start_hub(Path(folder))
        try:
            rows = asyncio.run(run(running, arguments))
        finally:
            left = running.stop()
            if left:
                running.kill()
                print(f"processes left after the hub stopped: {left}", file=sys.stderr)
    command = (
        f"python benchmarks/room_flood.py --accounts {arguments.accounts} --live-scripts {arguments.live_scripts} "
        f"--live-joins {arguments.live_joins}"
    )
    report(rows, command, started, "room-flood-latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
