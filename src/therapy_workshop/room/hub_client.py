"""The room service of a JupyterHub, reached over HTTP from a participant's (or facilitator's) kernel.

:class:`HubRoomClient` implements :class:`~therapy_workshop.room.service.RoomService`, so widgets cannot tell it
from the SQLite store: the same values come back, and the same exceptions with the same messages. It runs in
every participant's kernel, so it uses only the standard library (``urllib``): no HTTP client to install, and
nothing heavy to import on a kernel's start. Calls are synchronous, each one short request, as the store's
are one short transaction.

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
  ``http_proxy`` too).
- **Participant tokens travel in request bodies, never in addresses**, so no access log can hold one.
"""

from __future__ import annotations

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
from therapy_workshop.room.service import RoomService
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


class HubRoomClient:
    """The rooms kept by the hub's room service, asked with this server's hub token ``api_token``.

    ``base_url`` is the service's address with its prefix, e.g. ``http://127.0.0.1:8000/services/room/``.
    ``catalogue`` (by default this process's workshop) gives the activities' labels and options for the bars;
    the service checks answers against its own, built from the same content.
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
    def catalogue(self) -> Catalogue:
        """The activities this kernel's workshop has, built once per process on first use."""
        if self._catalogue is None:
            self._catalogue = current_catalogue()
        return self._catalogue

    def whoami(self) -> HubIdentity:
        """The hub user behind this client's token, and whether the service takes them as a facilitator."""
        data = self._json("GET", "api/me")
        name, facilitator = data.get("name"), data.get("facilitator")
        if not isinstance(name, str) or not isinstance(facilitator, bool):
            raise self._unreadable("api/me", "a name and whether they are a facilitator")
        return HubIdentity(name=name, facilitator=facilitator)

    # ------------------------------------------------------------------ facilitator
    def open_room(self, settings: RoomSettings | None = None) -> Room:
        """Open a room; ``settings`` None lets the service use its own (its ``ROOM_MINIMUM``)."""
        body = {"settings": wire.settings_to_json(settings) if settings is not None else None}
        return self._read(wire.room_from_json, "POST", "api/rooms", body, field="room")

    def room(self, code: str) -> Room:
        """The open room with this code (one this facilitator opened, unless they are a hub admin)."""
        return self._read(wire.room_from_json, "GET", self._room_path(code), field="room")

    def open_rooms(self) -> list[Room]:
        """The rooms this facilitator opened that are open now (every open room for a hub admin)."""
        return self._read(wire.rooms_from_json, "GET", "api/rooms", field="rooms")

    def counts(self, code: str) -> dict[str, ActivityCounts]:
        """Every answered activity's counts, nothing hidden."""
        return self._read(wire.counts_from_json, "GET", self._room_path(code, "counts"), field="counts")

    def visible_counts(self, code: str) -> RoomResults:
        """The counts a facilitator may be shown, activities under the room's minimum held back."""
        return self._read(wire.results_from_json, "GET", self._room_path(code, "results"), field="results")

    def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """Show (or stop showing) an activity's bars to the participants who answered it."""
        self._json("POST", self._room_path(code, "reveals"), {"activity": activity_key, "on": on})

    def revealed(self, code: str) -> frozenset[str]:
        """The activities whose bars participants may see."""
        path = self._room_path(code, "reveals")
        keys = self._json("GET", path).get("revealed")
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise self._unreadable(path, "a list of activity keys")
        return frozenset(keys)

    def end(self, code: str) -> bool:
        """Delete everything about the room; ``False`` if no room had that code."""
        try:
            code = normalise_code(code)
        except RoomCodeError:
            return False  # as the store answers: there is no such room to end
        return self._flag("DELETE", f"api/rooms/{code}", None, "ended")

    # ------------------------------------------------------------------ participant
    def join(self, code: str, token: str | None = None) -> str:
        """Join the room; the participant token to keep in the browser (``token`` back if it was this room's)."""
        path = self._room_path(code, "join")
        fresh = self._json("POST", path, {"token": token}).get("token")
        if not isinstance(fresh, str):
            raise self._unreadable(path, "a participant token")
        return fresh

    def leave(self, code: str, token: str) -> bool:
        """Stop counting this participant's answers; ``False`` if they were not joined."""
        return self._flag("POST", self._room_path(code, "leave"), {"token": token}, "left")

    def membership(self, code: str, token: str) -> Membership:
        """Whether the token is joined to the room, has left it, or is not one of its participants."""
        path = self._room_path(code, "membership")
        value = self._json("POST", path, {"token": token}).get("membership")
        if value not in set(Membership):
            raise self._unreadable(path, "a membership")
        return Membership(value)

    def participants(self, code: str) -> int:
        """How many are joined now."""
        path = self._room_path(code, "participants")
        number = self._json("GET", path).get("participants")
        if isinstance(number, bool) or not isinstance(number, int):
            raise self._unreadable(path, "a number of participants")
        return number

    def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
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
            data = self._json("POST", path, {"token": token, "activity": activity_key, "answer": answer})
        except (wire.RateLimited, ValueError) as refused:  # 429, or a body the service could not take (400)
            return Recorded(Outcome.REFUSED, str(refused))
        return self._recorded(path, data.get("recorded"))

    def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
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
                data = self._json("POST", path, body)
            except (wire.RateLimited, ValueError) as refused:
                results.update(dict.fromkeys(sent, Recorded(Outcome.REFUSED, str(refused))))
            else:
                outcomes = data.get("recorded")
                if not isinstance(outcomes, list) or len(outcomes) != len(sent):
                    raise self._unreadable(path, f"{len(sent)} outcomes")
                results.update({key: self._recorded(path, each) for key, each in zip(sent, outcomes, strict=True)})
        return {key: results[key] for key in keys}

    def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """The bars this participant may see: revealed activities they answered, over the room's minimum."""
        return self._read(
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

    def _read(
        self, reader: Callable[[object, str], Value], method: str, path: str, body: object = None, *, field: str
    ) -> Value:
        """``field`` of the service's answer, read by one of :mod:`~therapy_workshop.room.wire`'s readers."""
        data = self._json(method, path, body)
        try:
            return reader(data.get(field), field)
        except wire.WireError as error:
            raise OSError(f"the room service at {self.base_url} sent an unreadable answer to {path}: {error}") from None

    def _flag(self, method: str, path: str, body: object, field: str) -> bool:
        value = self._json(method, path, body).get(field)
        if not isinstance(value, bool):
            raise self._unreadable(path, f"{field}: true or false")
        return value

    def _recorded(self, path: str, data: object) -> Recorded:
        try:
            return wire.recorded_from_json(data)
        except wire.WireError as error:
            raise OSError(f"the room service at {self.base_url} sent an unreadable answer to {path}: {error}") from None

    def _json(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        """One request; the service's JSON object, or the exception its error stands for."""
        request = urllib.request.Request(
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"token {self._token}", "Accept": "application/json"}
            | ({} if body is None else {"Content-Type": "application/json"}),
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except HTTPError as error:
            try:
                raise self._error(path, error.code, _body_of(error)) from None
            finally:
                error.close()
        except http.client.HTTPException as error:  # a reply cut short: not an OSError of its own
            raise OSError(f"the room service at {self.base_url} broke off its answer to {path}: {error!r}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self._unreadable(path, "a JSON object")
        return data

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
