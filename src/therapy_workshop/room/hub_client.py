"""The room service of a JupyterHub, reached over HTTP from a participant's (or facilitator's) kernel.

:class:`HubRoomClient` implements :class:`~therapy_workshop.room.service.RoomService`, so widgets cannot tell it
from the SQLite store: the same values come back, and the same exceptions with the same messages. Its calls
block, each one request (``urllib``), for scripts, tests and anything not on a kernel's loop.
:class:`AsyncHubRoomClient` (:meth:`HubRoomClient.asynchronous`) implements
:class:`~therapy_workshop.room.service.AsyncRoomService`, the same calls as coroutines, for widgets: a kernel
answers its whole page from one event loop, so a request that waited there for a slow or restarting service
(up to the timeout, 5 s) would hold back every click on the page. It waits with Tornado's client on the
kernel's own loop instead: Tornado is already loaded in every kernel (ipykernel runs on it), so it adds nothing
to install or to a kernel's start. Both are the same code (:class:`AsyncHubRoomClient`'s coroutines) over two
ways of making one request, so they cannot drift apart.

How it behaves, and why:

- **The server's own hub token** (``JUPYTERHUB_API_TOKEN``) is sent as ``Authorization: token …``: the service
  asks the hub whose it is, so a participant never logs in twice, and the service knows which hub user wrote.
- **Errors read like the store's.** The service's ``kind`` says which: an unknown room raises
  :class:`~therapy_workshop.room.values.UnknownRoom`, a full one :class:`~therapy_workshop.room.values.RoomFull`,
  an unknown activity :class:`~therapy_workshop.room.values.UnknownActivity`, settings out of range
  ``ValueError``, and 401/403 ``PermissionError``. A service that cannot be reached, times out, answers 5xx or
  sends something that is not its JSON raises ``OSError``, which the widgets already show as "room unavailable".
- **Answers never raise for a refusal.** :meth:`HubRoomClient.record` and :meth:`HubRoomClient.record_many`
  return a refused :class:`~therapy_workshop.room.values.Recorded` with the reason for everything the store
  would refuse, and for the service's own per-hub-user rate limit (429).
- **Codes are read here first** (:func:`~therapy_workshop.room.codes.normalise_code`), exactly as the store
  reads them, so text that is not a code never becomes part of an address and gets the store's own answer.
- **No redirects, no environment proxies.** A redirect could carry the token to another host, and a proxy
  meant for the internet has no business between a server and its hub (JupyterHub's own clients ignore
  ``http_proxy`` too). Tornado's simple client never reads proxy variables, and follows no redirect here.
- **One timeout for the whole request** (``timeout``, 5 s by default): after it the room counts as unavailable
  for this call, and a widget tries again later.
- **Participant tokens travel in request bodies, never in addresses**, so no access log can hold one.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar
from urllib.error import HTTPError
from urllib.parse import urlsplit

from therapy_workshop.room import wire
from therapy_workshop.room.catalogue import Catalogue, current_catalogue
from therapy_workshop.room.codes import RoomCodeError, normalise_code
from therapy_workshop.room.service import AsyncRoomService, RoomService, finish_now
from therapy_workshop.room.values import (
    ActivityCounts,
    Membership,
    Outcome,
    Recorded,
    Room,
    RoomFull,
    RoomResults,
    RoomSettings,
    UnknownActivity,
    UnknownRoom,
)

Value = TypeVar("Value")

#: How long one request may take before the room counts as unavailable (a participant's answer waits for it).
DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class HubIdentity:
    """Who the hub says this kernel's server belongs to, and whether the room service takes them as a facilitator.

    ``name`` is ``""`` when the service could not be asked: then nobody is a facilitator, and a reload asks again.
    """

    name: str
    facilitator: bool


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an error: the token must only ever go to the address it was configured for."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> None:
        return None


class AsyncHubRoomClient:
    """The rooms kept by the hub's room service, asked with this server's hub token ``api_token``, as coroutines.

    ``base_url`` is the service's address with its prefix, e.g. ``http://127.0.0.1:8000/services/room/``.
    ``catalogue`` (by default this process's workshop) gives the activities' labels and options for the bars;
    the service checks answers against its own, built from the same content.

    On a running event loop (a kernel's) each request waits with Tornado's client, giving the loop back. With no
    loop running (a script, or a test calling a widget's Python twin) nothing else waits on a loop, so the
    request simply blocks: the coroutine then finishes in one step, and
    :func:`~therapy_workshop.room.service.finish_now` can run it without a loop.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        catalogue: Catalogue | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the room service's address must be an http(s) URL, not {base_url!r}")
        if not api_token:
            raise ValueError("the room service needs this server's hub API token, and none was given")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self._token = api_token
        self._catalogue = catalogue
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"  # never the token

    @property
    def catalogue(self) -> Catalogue:
        """The activities this kernel's workshop has, built once per process on first use."""
        if self._catalogue is None:
            self._catalogue = current_catalogue()
        return self._catalogue

    async def whoami(self) -> HubIdentity:
        """The hub user behind this client's token, and whether the service takes them as a facilitator."""
        data = await self._json("GET", "api/me")
        name, facilitator = data.get("name"), data.get("facilitator")
        if not isinstance(name, str) or not isinstance(facilitator, bool):
            raise self._unreadable("api/me", "a name and whether they are a facilitator")
        return HubIdentity(name=name, facilitator=facilitator)

    # ------------------------------------------------------------------ facilitator
    async def open_room(self, settings: RoomSettings | None = None) -> Room:
        """Open a room; ``settings`` None lets the service use its own (its ``ROOM_MINIMUM``)."""
        body = {"settings": wire.settings_to_json(settings) if settings is not None else None}
        return await self._read(wire.room_from_json, "POST", "api/rooms", body, field="room")

    async def room(self, code: str) -> Room:
        """The open room with this code (one this facilitator opened, unless they are a hub admin)."""
        return await self._read(wire.room_from_json, "GET", self._room_path(code), field="room")

    async def open_rooms(self) -> list[Room]:
        """The rooms this facilitator opened that are open now (every open room for a hub admin)."""
        return await self._read(wire.rooms_from_json, "GET", "api/rooms", field="rooms")

    async def counts(self, code: str) -> dict[str, ActivityCounts]:
        """Every answered activity's counts, nothing hidden."""
        return await self._read(wire.counts_from_json, "GET", self._room_path(code, "counts"), field="counts")

    async def visible_counts(self, code: str) -> RoomResults:
        """The counts a facilitator may be shown, activities under the room's minimum held back."""
        return await self._read(wire.results_from_json, "GET", self._room_path(code, "results"), field="results")

    async def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """Show (or stop showing) an activity's bars to the participants who answered it."""
        await self._json("POST", self._room_path(code, "reveals"), {"activity": activity_key, "on": on})

    async def revealed(self, code: str) -> frozenset[str]:
        """The activities whose bars participants may see."""
        path = self._room_path(code, "reveals")
        keys = (await self._json("GET", path)).get("revealed")
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise self._unreadable(path, "a list of activity keys")
        return frozenset(keys)

    async def end(self, code: str) -> bool:
        """Delete everything about the room; ``False`` if no room had that code."""
        try:
            code = normalise_code(code)
        except RoomCodeError:
            return False  # as the store answers: there is no such room to end
        return await self._flag("DELETE", f"api/rooms/{code}", None, "ended")

    # ------------------------------------------------------------------ participant
    async def join(self, code: str, token: str | None = None) -> str:
        """Join the room; the participant token to keep in the browser (``token`` back if it was this room's)."""
        path = self._room_path(code, "join")
        fresh = (await self._json("POST", path, {"token": token})).get("token")
        if not isinstance(fresh, str):
            raise self._unreadable(path, "a participant token")
        return fresh

    async def leave(self, code: str, token: str) -> bool:
        """Stop counting this participant's answers; ``False`` if they were not joined."""
        return await self._flag("POST", self._room_path(code, "leave"), {"token": token}, "left")

    async def membership(self, code: str, token: str) -> Membership:
        """Whether the token is joined to the room, has left it, or is not one of its participants."""
        path = self._room_path(code, "membership")
        value = (await self._json("POST", path, {"token": token})).get("membership")
        if value not in set(Membership):
            raise self._unreadable(path, "a membership")
        return Membership(value)

    async def participants(self, code: str) -> int:
        """How many are joined now."""
        path = self._room_path(code, "participants")
        number = (await self._json("GET", path)).get("participants")
        if isinstance(number, bool) or not isinstance(number, int):
            raise self._unreadable(path, "a number of participants")
        return number

    async def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """Count a first answer; a refusal (the store's, or the service's rate limit) is returned, not raised."""
        if not isinstance(activity_key, str):
            return Recorded(Outcome.REFUSED, _not_a_key(activity_key))
        try:
            code = normalise_code(code)
        except RoomCodeError as error:
            return Recorded(Outcome.REFUSED, str(error))
        if not _is_json(answer):
            return Recorded(Outcome.REFUSED, _not_json(answer))
        path = f"api/rooms/{code}/answer"
        try:
            data = await self._json("POST", path, {"token": token, "activity": activity_key, "answer": answer})
        except (wire.RateLimited, ValueError) as refused:  # 429, or a body the service could not take (400)
            return Recorded(Outcome.REFUSED, str(refused))
        return self._recorded(path, data.get("recorded"))

    async def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """Several answers of one action; one outcome per key, in the same order, refusals returned.

        Answers go as ``[key, answer]`` pairs and outcomes come back as a list in the same order, so every key
        keeps its own outcome whatever its type.
        """
        keys = list(answers)
        try:
            code = normalise_code(code)
        except RoomCodeError as error:
            return dict.fromkeys(keys, Recorded(Outcome.REFUSED, str(error)))
        # What JSON cannot carry is refused here with the store's words; the other answers still go.
        results = {
            key: Recorded(Outcome.REFUSED, _not_a_key(key) if not isinstance(key, str) else _not_json(answers[key]))
            for key in keys
            if not isinstance(key, str) or not _is_json(answers[key])
        }
        sent = [key for key in keys if key not in results]
        if sent:
            path = f"api/rooms/{code}/answers"
            body = {"token": token, "answers": [[key, answers[key]] for key in sent]}
            try:
                data = await self._json("POST", path, body)
            except (wire.RateLimited, ValueError) as refused:
                results.update(dict.fromkeys(sent, Recorded(Outcome.REFUSED, str(refused))))
            else:
                outcomes = data.get("recorded")
                if not isinstance(outcomes, list) or len(outcomes) != len(sent):
                    raise self._unreadable(path, f"{len(sent)} outcomes")
                results.update({key: self._recorded(path, each) for key, each in zip(sent, outcomes, strict=True)})
        return {key: results[key] for key in keys}

    async def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """The bars this participant may see: revealed activities they answered, over the room's minimum."""
        return await self._read(
            wire.counts_from_json, "POST", self._room_path(code, "shared"), {"token": token}, field="shared"
        )

    # ------------------------------------------------------------------ inside
    def _room_path(self, code: str, action: str = "") -> str:
        """The address of a room (or of one action on it); ``UnknownRoom`` for text that is not a code."""
        try:
            code = normalise_code(code)
        except RoomCodeError as error:
            raise UnknownRoom(str(error)) from None
        return f"api/rooms/{code}/{action}" if action else f"api/rooms/{code}"

    async def _read(
        self, reader: Callable[[object, str], Value], method: str, path: str, body: object = None, *, field: str
    ) -> Value:
        """``field`` of the service's answer, read by one of :mod:`~therapy_workshop.room.wire`'s readers."""
        data = await self._json(method, path, body)
        try:
            return reader(data.get(field), field)
        except wire.WireError as error:
            raise OSError(f"the room service at {self.base_url} sent an unreadable answer to {path}: {error}") from None

    async def _flag(self, method: str, path: str, body: object, field: str) -> bool:
        value = (await self._json(method, path, body)).get(field)
        if not isinstance(value, bool):
            raise self._unreadable(path, f"{field}: true or false")
        return value

    def _recorded(self, path: str, data: object) -> Recorded:
        try:
            return wire.recorded_from_json(data)
        except wire.WireError as error:
            raise OSError(f"the room service at {self.base_url} sent an unreadable answer to {path}: {error}") from None

    async def _json(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        """One request; the service's JSON object, or the exception its error stands for."""
        headers = {"Authorization": f"token {self._token}", "Accept": "application/json"} | (
            {} if body is None else {"Content-Type": "application/json"}
        )
        data_sent = None if body is None else json.dumps(body).encode()
        if self._waits_on_loop():
            status, raw = await self._exchange_on_loop(method, path, headers, data_sent)
        else:
            status, raw = self._exchange_blocking(method, path, headers, data_sent)
        if status >= 300:  # redirects too: the token goes nowhere else (see the module's notes)
            raise self._error(path, status, raw)
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self._unreadable(path, "a JSON object")
        return data

    def _waits_on_loop(self) -> bool:
        """Whether a request gives the loop back while it waits: when one is running here."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def _exchange_blocking(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        """One request with ``urllib``, waiting here: the status and the body."""
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return int(response.status), response.read()
        except HTTPError as error:
            try:
                return error.code, _body_of(error)
            finally:
                error.close()
        except http.client.HTTPException as error:  # a reply cut short: not an OSError of its own
            raise OSError(f"the room service at {self.base_url} broke off its answer to {path}: {error!r}") from None

    async def _exchange_on_loop(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        """One request with Tornado's client on the running loop: the status and the body.

        A client of its own per request (``force_instance``), closed after: the shared one belongs to one loop,
        and every request opens its own connection anyway, as the blocking exchange does.
        """
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

        request = HTTPRequest(
            self.base_url + path,
            method=method,
            headers=headers,
            body=body,
            connect_timeout=self.timeout,
            request_timeout=self.timeout,
            follow_redirects=False,
        )
        client = AsyncHTTPClient(force_instance=True)
        try:
            response = await client.fetch(request, raise_error=False)
        except HTTPClientError as error:  # 599: a timeout, or a reply cut short
            if error.response is not None and error.code != 599:
                return error.code, error.response.body or b""
            raise OSError(f"the room service at {self.base_url} did not answer {path}: {error}") from None
        finally:
            client.close()
        return response.code, response.body or b""

    def _error(self, path: str, status: int, raw: bytes) -> Exception:
        """The exception the service's error stands for (see the module's notes)."""
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        message, kind = (data.get("error"), data.get("kind")) if isinstance(data, dict) else (None, None)
        if not isinstance(message, str) or not isinstance(kind, str):
            # Not the service's own error: the proxy's or the hub's page (service not running, wrong prefix).
            return OSError(f"the room service at {self.base_url} answered {status} to {path}, not with its JSON")
        if kind == wire.UNKNOWN_ROOM:
            return UnknownRoom(message)
        if kind == wire.ROOM_FULL:
            return RoomFull(message)
        if kind == wire.UNKNOWN_ACTIVITY:
            return UnknownActivity(message)
        if kind == wire.RATE_LIMITED:
            return wire.RateLimited(message)
        if kind == wire.BAD_REQUEST:
            return ValueError(message)
        if status in (401, 403):
            return PermissionError(message)
        return OSError(f"the room service at {self.base_url} answered {status} to {path}: {message}")

    def _unreadable(self, path: str, expected: str) -> OSError:
        return OSError(f"the room service at {self.base_url} did not answer {path} with {expected}")


class _BlockingCalls(AsyncHubRoomClient):
    """:class:`AsyncHubRoomClient` whose requests always block, even on a running loop (see :class:`HubRoomClient`)."""

    def _waits_on_loop(self) -> bool:
        return False


class HubRoomClient:
    """The rooms kept by the hub's room service, asked with this server's hub token ``api_token``; calls block.

    The same calls as :class:`AsyncHubRoomClient` (arguments, values, exceptions), each waiting for its answer
    here, even on a running loop: for code that must have the answer before it goes on (the page asking once who
    its hub user is), and for scripts and tests. Widgets use :meth:`asynchronous`.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        catalogue: Catalogue | None = None,
    ) -> None:
        self._calls = _BlockingCalls(base_url, api_token, timeout, catalogue=catalogue)

    def __repr__(self) -> str:
        return f"HubRoomClient({self.base_url!r})"  # never the token

    def __enter__(self) -> HubRoomClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection.

        It is here so that the client stands in for :class:`~therapy_workshop.room.store.RoomStore` anywhere.
        """

    @property
    def base_url(self) -> str:
        """The service's address with its prefix, ending in ``/``."""
        return self._calls.base_url

    @property
    def timeout(self) -> float:
        """How long one request may take, in seconds."""
        return self._calls.timeout

    @property
    def catalogue(self) -> Catalogue:
        """The activities this kernel's workshop has, built once per process on first use."""
        return self._calls.catalogue

    def asynchronous(self) -> AsyncHubRoomClient:
        """The same service, token, timeout and catalogue, asked with coroutines that give the loop back."""
        calls = self._calls
        return AsyncHubRoomClient(calls.base_url, calls._token, calls.timeout, catalogue=calls.catalogue)

    def whoami(self) -> HubIdentity:
        """See :meth:`AsyncHubRoomClient.whoami`."""
        return finish_now(self._calls.whoami())

    # ------------------------------------------------------------------ facilitator
    def open_room(self, settings: RoomSettings | None = None) -> Room:
        """See :meth:`AsyncHubRoomClient.open_room`."""
        return finish_now(self._calls.open_room(settings))

    def room(self, code: str) -> Room:
        """See :meth:`AsyncHubRoomClient.room`."""
        return finish_now(self._calls.room(code))

    def open_rooms(self) -> list[Room]:
        """See :meth:`AsyncHubRoomClient.open_rooms`."""
        return finish_now(self._calls.open_rooms())

    def counts(self, code: str) -> dict[str, ActivityCounts]:
        """See :meth:`AsyncHubRoomClient.counts`."""
        return finish_now(self._calls.counts(code))

    def visible_counts(self, code: str) -> RoomResults:
        """See :meth:`AsyncHubRoomClient.visible_counts`."""
        return finish_now(self._calls.visible_counts(code))

    def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """See :meth:`AsyncHubRoomClient.set_reveal`."""
        finish_now(self._calls.set_reveal(code, activity_key, on))

    def revealed(self, code: str) -> frozenset[str]:
        """See :meth:`AsyncHubRoomClient.revealed`."""
        return finish_now(self._calls.revealed(code))

    def end(self, code: str) -> bool:
        """See :meth:`AsyncHubRoomClient.end`."""
        return finish_now(self._calls.end(code))

    # ------------------------------------------------------------------ participant
    def join(self, code: str, token: str | None = None) -> str:
        """See :meth:`AsyncHubRoomClient.join`."""
        return finish_now(self._calls.join(code, token))

    def leave(self, code: str, token: str) -> bool:
        """See :meth:`AsyncHubRoomClient.leave`."""
        return finish_now(self._calls.leave(code, token))

    def membership(self, code: str, token: str) -> Membership:
        """See :meth:`AsyncHubRoomClient.membership`."""
        return finish_now(self._calls.membership(code, token))

    def participants(self, code: str) -> int:
        """See :meth:`AsyncHubRoomClient.participants`."""
        return finish_now(self._calls.participants(code))

    def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """See :meth:`AsyncHubRoomClient.record`."""
        return finish_now(self._calls.record(code, token, activity_key, answer))

    def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """See :meth:`AsyncHubRoomClient.record_many`."""
        return finish_now(self._calls.record_many(code, token, answers))

    def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """See :meth:`AsyncHubRoomClient.shared_with`."""
        return finish_now(self._calls.shared_with(code, token))


def _body_of(error: HTTPError) -> bytes:
    try:
        return error.read()
    except (OSError, http.client.HTTPException):
        return b""


def _is_json(answer: object) -> bool:
    try:
        json.dumps(answer)
    except (TypeError, ValueError):
        return False
    return True


def _not_a_key(key: object) -> str:
    """The store's own words for an activity key that is not text (:mod:`therapy_workshop.room.answers`)."""
    return f"an activity key is text, not a {type(key).__name__}"


def _not_json(answer: object) -> str:
    """The store's own words for an answer that is not JSON data (:mod:`therapy_workshop.room.answers`)."""
    return f"the answer is not JSON data (a {type(answer).__name__})"


def _implements_the_interface(client: HubRoomClient) -> RoomService:
    """Never called: mypy checks here that :class:`HubRoomClient` has every method of the interface, as typed."""
    return client


def _implements_the_async_interface(client: AsyncHubRoomClient) -> AsyncRoomService:
    """Never called: mypy checks here that :class:`AsyncHubRoomClient` has every coroutine of the interface."""
    return client
