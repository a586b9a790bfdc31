"""The room store served to every participant's server: a JupyterHub-managed service, over HTTP and JSON.

On a hub, participants' kernels run on different single-user servers, so they cannot share one SQLite file. The
hub starts this service (``python -m therapy_workshop.hub.room_service``), proxies ``/services/room/`` to it, and
each kernel reaches it with :class:`~therapy_workshop.room.hub_client.HubRoomClient` and its server's own hub
token. The service keeps one :class:`~therapy_workshop.room.store.RoomStore` on the hub's disk, so every rule of
the store (first answer wins, minimum counts, idle rooms end, ending deletes) holds here unchanged.

Who may do what, and why:

- **Only participants' own servers are served, never the hub's public address.** On every deployment kernels
  reach the service directly (``make hub`` and The Littlest JupyterHub: ``127.0.0.1``; Kubernetes: the hub
  Service's room port, which only user pods may reach), while the hub's proxy, which also routes
  ``/services/room/`` to it, adds ``X-Forwarded-For`` to everything it forwards (configurable-http-proxy does
  unless started with ``--no-x-forward``). A request carrying any forwarding header (:data:`FORWARDED_HEADERS`)
  came from outside and is refused (403) before the hub is asked anything: a script that only visited
  ``/hub/tmplogin`` holds a hub cookie, and could mint a hub token, but can send neither from where the service
  listens. To join and answer it would have to drive a live page, a server and a kernel of its own.
- **Every request names a hub user, with their running server's token.** Its ``Authorization: token …`` is
  asked of the hub (JupyterHub's :class:`~jupyterhub.services.auth.HubAuth`); the token must carry
  ``access:services!service=room`` (:data:`USER_SCOPES`, given to every user and every server token by the
  hub's configuration) and be a single-user server's own: JupyterHub 6 answers a token with the scopes it
  holds now (its own, intersected with its owner's), and a server's token holds
  ``access:servers!server=<user>/…`` (:data:`SERVER_SCOPE`), which the hub resolves only for a server token
  and which a token stops holding when the server stops (the token is deleted with it). A token a user mints
  with default scopes holds the user-wide ``access:servers!user=<user>`` instead, so it is refused; one minted
  to imitate a server's scopes is refused only once users may no longer mint tokens (:data:`USER_ROLE_SCOPES`,
  the user role without ``tokens``). No token: 401; a token the hub does not know, without that scope, or not
  a server's: 403. Cookies are never read, so a web page a user visits cannot act for them here.
- **Facilitators** are hub admins and members of the group ``$THERAPY_WORKSHOP_FACILITATORS_GROUP``
  (``facilitators``), looked up with the service's own token (:data:`SERVICE_SCOPES`) and kept 30 seconds. Only
  they open, follow, reveal and end rooms, and only their own: a room someone else opened answers 403, except
  to a hub admin, who may act on any room (a facilitator who left without ending theirs).
- **Any hub user** joins, leaves, answers and reads what was shared with them, as the participant tokens of
  the store allow. Joins and answers are rate limited per hub user as well (429): the store limits each
  participant token, and one hub user could make many tokens. How many are joined is the facilitators' to
  read, as the counts are.
- **New participants are limited per room**, which no new account resets
  (:class:`~therapy_workshop.room.limits.RoomAdmissions`): a room takes a burst of 100 at once, then one a
  second (429, saying when to try again), and one hub user becomes at most three of a room's participants
  (403). Coming back with the token the page kept is not a new participant.
- **Who opened a room** is kept in the same SQLite file, in a ``room_owners`` table of this module (the store's
  own tables are untouched): rooms outlive a restart of the service (the hub restarts its services when it
  restarts), so their owners must too. A room's row is deleted when the room ends, whether a facilitator ended
  it or it was idle too long; the store overwrites deleted rows, and so does this table.
- **Errors are one JSON line**, ``{"error": "...", "kind": "..."}`` (kinds in :mod:`therapy_workshop.room.wire`),
  never a traceback. Refusals are logged in one line with the address and the reason; participant tokens
  travel only in request bodies and hub tokens only in a header, so neither reaches a log.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import re
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import quote, urlsplit

from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets

from therapy_workshop.room import wire
from therapy_workshop.room.catalogue import Catalogue
from therapy_workshop.room.codes import RoomCodeError, normalise_code
from therapy_workshop.room.limits import JoinBudget, RateLimit, RateLimiter, RoomAdmissions, Verdict, seconds_to_say
from therapy_workshop.room.schema import connect
from therapy_workshop.room.store import STORE_ENV, STORE_FILE, RoomStore
from therapy_workshop.room.values import (
    Membership,
    Room,
    RoomFull,
    RoomSettings,
    UnknownActivity,
    UnknownRoom,
    room_settings,
)

#: The service's name in the hub's configuration: its address is ``/services/room/``.
SERVICE_NAME = "room"
#: The scopes of the service's own role: the two that make ``GET /hub/api/users/<name>`` answer ``admin``
#: (``read:users:name``) and ``groups`` (``read:users:groups``), and nothing else (JupyterHub 6.1, scopes.py
#: and ``APIHandler.user_model``). Identifying a request's token needs no scope of the service's: the hub is
#: asked with that token itself.
SERVICE_SCOPES = ["read:users:name", "read:users:groups"]
#: What every user, and every single-user server's token, needs to use the room.
USER_SCOPES = [f"access:services!service={SERVICE_NAME}"]
#: The scope every single-user server's token holds, and a token made otherwise does not: ``access:servers``
#: filtered to one of the token owner's own servers (``!server=<user>/<server name>``). JupyterHub resolves the
#: ``!server`` filter of ``Spawner.server_token_scopes`` when it makes the server's token (user.py, ``spawn``).
SERVER_SCOPE = "access:servers!server="
#: The hub's ``user`` role as it should be: JupyterHub's ``self`` without ``tokens`` (minting, listing and
#: revoking one's own tokens) and the server-sharing scopes, plus the room. With ``self`` a visitor can mint a
#: token with a server token's scopes; nothing in the workshop needs a user to make tokens.
USER_ROLE_SCOPES = [
    "read:users!user",
    "users:activity!user",
    "servers!user",
    "access:servers!user",
    *USER_SCOPES,
]
#: Headers a proxy adds to what it forwards. Kernels reach the service directly and send none of them.
FORWARDED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded")
#: The hub group whose members are facilitators (hub admins always are).
GROUP_VARIABLE = "THERAPY_WORKSHOP_FACILITATORS_GROUP"
#: The address to listen on, when it is not the host of ``JUPYTERHUB_SERVICE_URL`` (Zero to JupyterHub: 0.0.0.0).
BIND_VARIABLE = "THERAPY_WORKSHOP_ROOM_BIND"
DEFAULT_GROUP = "facilitators"
#: How long the hub's answer to "is this user a facilitator?" is kept.
STANDING_MAX_AGE = 30.0
#: How often rooms idle past their time are ended.
END_IDLE_EVERY = 60.0
#: Largest request body: the largest real one (a sort of two dozen items) is a few kilobytes.
MAX_BODY_BYTES = 64 * 1024

log = logging.getLogger("therapy_workshop.room.service")


class Standing(Enum):
    """What a hub user may do with rooms."""

    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    #: A hub admin: a facilitator who may also follow and end rooms other facilitators opened.
    ADMIN = "admin"

    @property
    def facilitator(self) -> bool:
        """Whether they may open and follow rooms."""
        return self is not Standing.PARTICIPANT


#: Who owns a hub token: the hub user's name, or None if the hub does not accept it for this service.
Identify = Callable[[str], Awaitable[str | None] | str | None]
#: What a hub user may do, by name; a plain ``bool`` says facilitator or not (and never admin).
StandingCheck = Callable[[str], Awaitable[Standing | bool] | Standing | bool]


@dataclass(frozen=True)
class Caller:
    """The hub user behind a request, and what they may do."""

    name: str
    standing: Standing


class Unauthenticated(Exception):
    """A request without a hub token (401)."""


class NotAllowed(Exception):
    """A hub user asking for something their standing does not allow (403)."""


class TooManyWrites(Exception):
    """A hub user writing faster than the service's limit (429)."""


class HubUnavailable(Exception):
    """The hub could not be asked who is calling (503); the log has the hub's answer."""


# ---------------------------------------------------------------------- owners and rules
class RoomOwners:
    """Which hub user opened which room, in a small table next to the store's, in the same file."""

    def __init__(self, path: Path) -> None:
        self._connection = connect(path)  # the store's connection settings: WAL, busy timeout, secure_delete
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS room_owners (code TEXT PRIMARY KEY, owner TEXT NOT NULL) WITHOUT ROWID"
        )

    def add(self, code: str, owner: str) -> None:
        """Record who opened ``code`` (replacing any row left from an earlier room with that code)."""
        self._connection.execute("INSERT OR REPLACE INTO room_owners (code, owner) VALUES (?, ?)", (code, owner))

    def owner_of(self, code: str) -> str | None:
        """Who opened ``code``, if anyone is recorded."""
        row = self._connection.execute("SELECT owner FROM room_owners WHERE code = ?", (code,)).fetchone()
        return None if row is None else str(row[0])

    def codes_of(self, owner: str) -> set[str]:
        """The codes ``owner`` opened (ended rooms included until :meth:`forget_ended`)."""
        return {row[0] for row in self._connection.execute("SELECT code FROM room_owners WHERE owner = ?", (owner,))}

    def forget_ended(self) -> None:
        """Delete the rows of rooms the store no longer has: ended by a facilitator, or idle too long."""
        self._connection.execute("DELETE FROM room_owners WHERE code NOT IN (SELECT code FROM rooms)")

    def close(self) -> None:
        """Close this table's connection."""
        self._connection.close()


class ServedRooms:
    """The store with the service's rules on top: facilitators' own rooms, and a write limit per hub user."""

    def __init__(
        self,
        store: RoomStore,
        *,
        settings: RoomSettings,
        rate_limit: RateLimit,
        join_budget: JoinBudget | None = None,
        facilitators_group: str = DEFAULT_GROUP,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.settings = settings
        self.facilitators_group = facilitators_group
        self.owners = RoomOwners(store.path)
        self.rate_limit = rate_limit
        self._limiter = RateLimiter(rate_limit, monotonic)
        self.join_budget = join_budget or JoinBudget()
        self.admissions = RoomAdmissions(self.join_budget, monotonic)

    def check_facilitator(self, caller: Caller) -> None:
        """``NotAllowed`` unless the caller is a facilitator."""
        if not caller.standing.facilitator:
            raise NotAllowed(
                f"hub user {caller.name} is not a facilitator: only hub admins and members of the hub group "
                f"{self.facilitators_group!r} open and follow rooms"
            )

    def open_room(self, caller: Caller, settings: RoomSettings | None) -> Room:
        """Open a room owned by the caller, with their settings or the service's."""
        self.check_facilitator(caller)
        room = self.store.open_room(settings or self.settings)
        self.owners.forget_ended()  # opening ends idle rooms first
        self.owners.add(room.code, caller.name)
        log.info("room %s opened by %s", room.code, caller.name)
        return room

    def open_rooms(self, caller: Caller) -> list[Room]:
        """The open rooms the caller opened (every open room for a hub admin)."""
        self.check_facilitator(caller)
        rooms = self.store.open_rooms()
        if caller.standing is Standing.ADMIN:
            return rooms
        mine = self.owners.codes_of(caller.name)
        return [room for room in rooms if room.code in mine]

    def followed(self, caller: Caller, code: str) -> Room:
        """An open room the caller may follow; ``UnknownRoom`` or ``NotAllowed`` otherwise."""
        self.check_facilitator(caller)
        room = self.store.room(code)
        if caller.standing is not Standing.ADMIN and self.owners.owner_of(room.code) != caller.name:
            raise self._not_yours(room.code)
        return room

    def end(self, caller: Caller, code: str) -> bool:
        """End the caller's room (any room, for an admin); ``False`` if there was none with that code.

        A room nobody is recorded as owning (opened before this table existed) is an admin's to end while it is
        open; once it is not open, anyone may delete what is left of it.
        """
        self.check_facilitator(caller)
        try:
            code = normalise_code(code)
        except RoomCodeError:
            return False
        if caller.standing is not Standing.ADMIN:
            owner = self.owners.owner_of(code)
            if owner != caller.name and (owner is not None or self._is_open(code)):
                raise self._not_yours(code)
        ended = self.store.end(code)
        self._forget_ended()
        if ended:
            log.info("room %s ended by %s", code, caller.name)
        return ended

    def end_idle(self) -> list[str]:
        """End rooms idle past their time, and forget who opened them and who joined them."""
        ended = self.store.end_idle()
        self._forget_ended()
        return ended

    def participants(self, caller: Caller, code: str) -> int:
        """How many are joined in a room the caller may follow: a participant learns nothing from a count."""
        return self.store.participants(self.followed(caller, code).code)

    def join(self, caller: Caller, code: str, kept: str | None) -> str:
        """Join ``code`` as the caller: back with the token their page ``kept``, or as a new participant.

        Coming back (a token of this room, joined or left) is free. A new participant is refused when the caller
        became :attr:`JoinBudget.per_user` of this room's participants already (``NotAllowed``), or when the room
        has taken its burst of new participants and not yet its next one (``TooManyWrites``, saying when).
        """
        room = self.store.room(code)  # UnknownRoom first: no budget is kept for a code that is not a room
        if kept is not None and self.store.membership(room.code, kept) is not Membership.NOT_JOINED:
            return self.store.join(room.code, kept)
        budget = self.join_budget
        if self.admissions.joins_by(room.code, caller.name) >= budget.per_user:
            raise NotAllowed(
                f"hub user {caller.name} has joined room {room.code} as a new participant {budget.per_user} times "
                "already, the most one person may: a page that kept its place rejoins as the same participant"
            )
        wait = self.admissions.wait(room.code)
        if wait > 0 and room.settings.max_participants > budget.burst:  # a smaller room is full first: say so
            raise TooManyWrites(
                f"room {room.code} is taking new participants more slowly now ({budget.describe()}): "
                f"try again in {seconds_to_say(wait)}"
            )
        token = self.store.join(room.code, None)
        self.admissions.admitted(room.code, caller.name)
        self.owners.forget_ended()  # joining ends idle rooms first
        return token

    def allow_writes(self, caller: Caller, count: int) -> None:
        """Count ``count`` writes (joins or answers) against the caller; ``TooManyWrites`` over the limit."""
        verdict = self._limiter.allow(caller.name.encode(), count)
        if verdict is not Verdict.ALLOWED:
            raise TooManyWrites(
                f"too many writes from hub user {caller.name}: at most {self.rate_limit.writes} joins and answers "
                f"in {self.rate_limit.seconds:g} seconds"
            )

    def close(self) -> None:
        """Close the store's and the owners' connections (the rooms stay in the file)."""
        self.owners.close()
        self.store.close()

    def _forget_ended(self) -> None:
        """Forget the owners and the admissions of rooms that are no longer open."""
        self.owners.forget_ended()
        self.admissions.forget({room.code for room in self.store.open_rooms()})

    def _is_open(self, code: str) -> bool:
        try:
            self.store.room(code)
        except UnknownRoom:
            return False
        return True

    @staticmethod
    def _not_yours(code: str) -> NotAllowed:
        return NotAllowed(
            f"room {code} was opened by another facilitator: only they or a hub admin may follow or end it"
        )


# ---------------------------------------------------------------------- HTTP
class RoomServiceApp(web.Application):
    """The service's Tornado application: :meth:`serve` serves it, :meth:`stop` stops serving it."""

    def __init__(self, rooms: ServedRooms, handlers: list[Any], **settings: Any) -> None:
        super().__init__(handlers, **settings)
        self.rooms = rooms
        self._server: HTTPServer | None = None
        self._timer: PeriodicCallback | None = None

    async def serve(self, host: str, port: int) -> int:
        """Serve on ``host``:``port`` from the running loop, ending idle rooms every minute; the port bound.

        ``port`` 0 takes a free one (tests). The store's calls are short transactions on a file only this process
        writes, so they run on the loop itself, as the hub runs its own database calls.
        """
        sockets = bind_sockets(port, host)
        self._server = HTTPServer(self, max_body_size=MAX_BODY_BYTES)
        self._server.add_sockets(sockets)
        self._timer = PeriodicCallback(self._end_idle, END_IDLE_EVERY * 1000)
        self._timer.start()
        return int(sockets[0].getsockname()[1])

    def _end_idle(self) -> None:
        self.rooms.end_idle()

    def stop(self) -> None:
        """Stop listening and ending idle rooms, and close the store; the rooms stay in the file."""
        if self._timer is not None:
            self._timer.stop()
        if self._server is not None:
            self._server.stop()
        self.rooms.close()


class _JsonHandler(web.RequestHandler):
    """Answers in JSON, errors as one ``{"error", "kind"}`` line, refusals logged as one line."""

    def set_default_headers(self) -> None:
        """Counts change every second: nothing here may be cached on the way."""
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    @property
    def rooms(self) -> ServedRooms:
        """The rooms this application serves."""
        return cast(RoomServiceApp, self.application).rooms

    def reply(self, data: Mapping[str, Any], status: int = 200) -> None:
        """Send ``data`` as the answer."""
        self.set_status(status)
        self.finish(json.dumps(data, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The error's status, kind and message (see :func:`_error_reply`); never a traceback."""
        error = kwargs["exc_info"][1] if "exc_info" in kwargs else None
        status, kind, message = _error_reply(error, status_code)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        if status == 401:
            self.set_header("WWW-Authenticate", "token")
        self.finish(json.dumps(wire.error_to_json(message, kind), ensure_ascii=False))

    def log_exception(
        self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        """A refusal is one warning line; only a failure of the service itself is logged with its traceback."""
        if value is not None and _is_refusal(value):
            status, _kind, message = _error_reply(value, 500)
            log.warning("%d %s: %s", status, self._request_summary(), message)
            return
        super().log_exception(typ, value, tb)


class _HubUserHandler(_JsonHandler):
    """A request from a hub user: the token's owner is found before anything else happens."""

    caller_name = ""
    _parsed: dict[str, Any] | None = None

    async def prepare(self) -> None:
        """403 through a proxy; 401 without a token, 403 for a token the hub does not accept here, 503 if it cannot say.

        A forwarded request is refused before the hub is asked: a flood through the public address costs the hub
        nothing.
        """
        if any(header in self.request.headers for header in FORWARDED_HEADERS):
            raise NotAllowed(
                "the room service takes requests only from participants' own servers, never through the hub's "
                "public address: rooms are joined from the workshop's page"
            )
        token = _token_from(self.request.headers.get("Authorization", ""))
        if not token:
            raise Unauthenticated(
                "this request has no hub token: send 'Authorization: token <your server's JUPYTERHUB_API_TOKEN>'"
            )
        identify: Identify = self.settings["identify"]
        try:
            name = await _resolved(identify(token))
        except NotAllowed:  # the hub knows the token, and it is not one this service takes
            raise
        except (HubUnavailable, web.HTTPError) as error:  # HubAuth's way of saying the hub did not answer
            log.error("the hub could not be asked whose token a request to %s carries: %s", self.request.path, error)
            raise HubUnavailable("the hub could not be asked who sent this request; try again") from None
        except Exception:
            log.exception("the hub could not be asked whose token a request to %s carries", self.request.path)
            raise HubUnavailable("the hub could not be asked who sent this request; try again") from None
        if not name:
            raise NotAllowed(
                f"the hub does not accept this token for the room service: it needs the scope {USER_SCOPES[0]}"
            )
        self.caller_name = name

    async def caller(self) -> Caller:
        """The hub user, with their standing (asked of the hub now and then; see :class:`HubStandings`)."""
        check: StandingCheck = self.settings["facilitator_check"]
        unavailable = HubUnavailable(
            f"the hub could not be asked whether hub user {self.caller_name} is a facilitator; try again"
        )
        try:
            standing = await _resolved(check(self.caller_name))
        except (HubUnavailable, web.HTTPError) as error:
            log.error("the hub could not be asked whether %s is a facilitator: %s", self.caller_name, error)
            raise unavailable from None
        except Exception:
            log.exception("the hub could not be asked whether %s is a facilitator", self.caller_name)
            raise unavailable from None
        if isinstance(standing, bool):
            standing = Standing.FACILITATOR if standing else Standing.PARTICIPANT
        return Caller(self.caller_name, standing)

    def participant(self) -> Caller:
        """The hub user as a participant: what they may do does not depend on their standing."""
        return Caller(self.caller_name, Standing.PARTICIPANT)

    def body(self) -> dict[str, Any]:
        """The request's JSON object (an empty body is an empty object), read once."""
        if self._parsed is None:
            try:
                data = json.loads(self.request.body) if self.request.body else {}
            except ValueError:
                raise wire.WireError("the request body is not JSON") from None
            if not isinstance(data, dict):
                raise wire.WireError("the request body must be a JSON object")
            self._parsed = data
        return self._parsed

    def token(self) -> str:
        """The participant token in the body; text that is not one gets the store's refusal, as it would there."""
        token = self.body().get("token")
        return token if isinstance(token, str) else ""


class HealthHandler(web.RequestHandler):
    """``GET <prefix>``: one line saying the service runs, for the hub and for people checking."""

    def get(self) -> None:
        """``ok``."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("ok")


class NotFoundHandler(_JsonHandler):
    """Any address the service does not have: 404 in JSON, asked of nobody."""

    def prepare(self) -> None:
        """Refuse at once."""
        raise web.HTTPError(404)


class MeHandler(_HubUserHandler):
    """``GET api/me``: the caller's hub name and whether they are a facilitator."""

    async def get(self) -> None:
        """``{"name", "facilitator"}``."""
        caller = await self.caller()
        self.reply({"name": caller.name, "facilitator": caller.standing.facilitator})


class RoomsHandler(_HubUserHandler):
    """``GET api/rooms``: the caller's open rooms. ``POST api/rooms``: open one (201)."""

    async def get(self) -> None:
        """``{"rooms": [room, ...]}``."""
        rooms = self.rooms.open_rooms(await self.caller())
        self.reply({"rooms": [wire.room_to_json(room) for room in rooms]})

    async def post(self) -> None:
        """``{"settings": {...} | null}`` → ``{"room": room}``."""
        caller = await self.caller()
        self.rooms.check_facilitator(caller)  # before the body is read: a participant learns nothing more
        sent = self.body().get("settings")
        settings = None if sent is None else wire.settings_from_json(sent)
        self.reply({"room": wire.room_to_json(self.rooms.open_room(caller, settings))}, status=201)


class RoomHandler(_HubUserHandler):
    """``GET api/rooms/<code>``: the room. ``DELETE api/rooms/<code>``: end it."""

    async def get(self, code: str) -> None:
        """``{"room": room}``."""
        self.reply({"room": wire.room_to_json(self.rooms.followed(await self.caller(), code))})

    async def delete(self, code: str) -> None:
        """``{"ended": true|false}``."""
        self.reply({"ended": self.rooms.end(await self.caller(), code)})


class CountsHandler(_HubUserHandler):
    """``GET api/rooms/<code>/counts``: every count, nothing hidden."""

    async def get(self, code: str) -> None:
        """``{"counts": {activity: counts}}``."""
        followed = self.rooms.followed(await self.caller(), code).code
        self.reply({"counts": wire.counts_to_json(self.rooms.store.counts(followed))})


class ResultsHandler(_HubUserHandler):
    """``GET api/rooms/<code>/results``: the counts a facilitator may be shown."""

    async def get(self, code: str) -> None:
        """``{"results": results}``."""
        followed = self.rooms.followed(await self.caller(), code).code
        self.reply({"results": wire.results_to_json(self.rooms.store.visible_counts(followed))})


class RevealsHandler(_HubUserHandler):
    """``GET api/rooms/<code>/reveals``: what participants may see. ``POST``: show or hide one activity."""

    async def get(self, code: str) -> None:
        """``{"revealed": [activity, ...]}``."""
        followed = self.rooms.followed(await self.caller(), code).code
        self.reply({"revealed": sorted(self.rooms.store.revealed(followed))})

    async def post(self, code: str) -> None:
        """``{"activity": key, "on": true|false}`` → ``{}``."""
        followed = self.rooms.followed(await self.caller(), code).code
        body = self.body()
        activity, on = body.get("activity"), body.get("on")
        if not isinstance(activity, str) or not isinstance(on, bool):
            raise wire.WireError("a reveal is {'activity': <activity key>, 'on': true or false}")
        self.rooms.store.set_reveal(followed, activity, on)
        self.reply({})


class JoinHandler(_HubUserHandler):
    """``POST api/rooms/<code>/join``: ``{"token": kept | null}`` → ``{"token": token}``."""

    def post(self, code: str) -> None:
        """Join (rate limited per hub user, new participants per room); 404 unknown room, 409 full."""
        kept = self.body().get("token")
        self.rooms.allow_writes(self.participant(), 1)
        self.reply({"token": self.rooms.join(self.participant(), code, kept if isinstance(kept, str) else None)})


class LeaveHandler(_HubUserHandler):
    """``POST api/rooms/<code>/leave``: ``{"token"}`` → ``{"left": true|false}``."""

    def post(self, code: str) -> None:
        """Leave."""
        self.reply({"left": self.rooms.store.leave(code, self.token())})


class MembershipHandler(_HubUserHandler):
    """``POST api/rooms/<code>/membership``: ``{"token"}`` → ``{"membership": "joined"|"left"|"not-joined"}``."""

    def post(self, code: str) -> None:
        """Where the token stands (POST, so that the token stays out of addresses and logs)."""
        self.reply({"membership": self.rooms.store.membership(code, self.token()).value})


class ParticipantsHandler(_HubUserHandler):
    """``GET api/rooms/<code>/participants``: ``{"participants": n}``, to the room's facilitator (or an admin)."""

    async def get(self, code: str) -> None:
        """How many are joined."""
        self.reply({"participants": self.rooms.participants(await self.caller(), code)})


class AnswerHandler(_HubUserHandler):
    """``POST api/rooms/<code>/answer``: ``{"token", "activity", "answer"}`` → ``{"recorded": outcome}``."""

    def post(self, code: str) -> None:
        """One answer (rate limited per hub user; the store's refusals come back as outcomes)."""
        body = self.body()
        self.rooms.allow_writes(self.participant(), 1)
        activity: Any = body.get("activity")  # the store refuses a key that is not text, in its own words
        recorded = self.rooms.store.record(code, self.token(), activity, body.get("answer"))
        self.reply({"recorded": wire.recorded_to_json(recorded)})


class AnswersHandler(_HubUserHandler):
    """``POST api/rooms/<code>/answers``: ``{"token", "answers": [[key, answer], ...]}`` → ``{"recorded": [...]}``.

    Pairs rather than an object, so that outcomes come back as a list in the order sent, whatever the keys.
    """

    def post(self, code: str) -> None:
        """Several answers of one action (counted as that many writes against the hub user)."""
        pairs = self.body().get("answers")
        if not isinstance(pairs, list) or not all(_is_pair(pair) for pair in pairs):
            raise wire.WireError("answers are a list of [activity key, answer] pairs")
        answers = {pair[0]: pair[1] for pair in pairs}
        if len(answers) != len(pairs):
            raise wire.WireError("answers name an activity twice")
        self.rooms.allow_writes(self.participant(), len(pairs))
        recorded = self.rooms.store.record_many(code, self.token(), answers)
        self.reply({"recorded": [wire.recorded_to_json(recorded[key]) for key in answers]})


class SharedHandler(_HubUserHandler):
    """``POST api/rooms/<code>/shared``: ``{"token"}`` → ``{"shared": {activity: counts}}``."""

    def post(self, code: str) -> None:
        """The bars this participant may see."""
        self.reply({"shared": wire.counts_to_json(self.rooms.store.shared_with(code, self.token()))})


def make_app(
    store_path: Path | str,
    identify: Identify,
    facilitator_check: StandingCheck,
    prefix: str = f"/services/{SERVICE_NAME}/",
    *,
    catalogue: Catalogue | None = None,
    settings: RoomSettings | None = None,
    rate_limit: RateLimit | None = None,
    join_budget: JoinBudget | None = None,
    facilitators_group: str = DEFAULT_GROUP,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
) -> RoomServiceApp:
    """The service's application on the store at ``store_path``, every route under ``prefix``.

    ``identify(token)`` names the hub user owning a token (None: not accepted); ``facilitator_check(name)`` says
    what they may do (a :class:`Standing`, or a ``bool`` for facilitator or not). Either may be a coroutine
    function. :func:`main` passes the real ones
    (:func:`hub_identify`, :class:`HubStandings`); tests pass their own. ``settings`` are for rooms opened without
    any (default: ``room_settings(os.environ)``); ``rate_limit`` is per hub user (default: the store's, per
    participant, since one hub user is one person); ``join_budget`` is per room (default: :class:`JoinBudget`'s).
    ``catalogue``, ``clock`` and ``monotonic`` are the store's.
    """
    store = RoomStore(store_path, catalogue, clock=clock, monotonic=monotonic)
    rooms = ServedRooms(
        store,
        settings=settings if settings is not None else room_settings(os.environ),
        rate_limit=rate_limit or store.rate_limit,
        join_budget=join_budget,
        facilitators_group=facilitators_group,
        monotonic=monotonic,
    )
    base = re.escape("/" + prefix.strip("/") + "/" if prefix.strip("/") else "/")
    room = base + "api/rooms/([^/]*)"
    routes: list[Any] = [
        (base.removesuffix("/") + "/?", HealthHandler),
        (base + "api/me", MeHandler),
        (base + "api/rooms", RoomsHandler),
        (room, RoomHandler),
        (room + "/counts", CountsHandler),
        (room + "/results", ResultsHandler),
        (room + "/reveals", RevealsHandler),
        (room + "/join", JoinHandler),
        (room + "/leave", LeaveHandler),
        (room + "/membership", MembershipHandler),
        (room + "/participants", ParticipantsHandler),
        (room + "/answer", AnswerHandler),
        (room + "/answers", AnswersHandler),
        (room + "/shared", SharedHandler),
    ]
    return RoomServiceApp(
        rooms,
        routes,
        identify=identify,
        facilitator_check=facilitator_check,
        default_handler_class=NotFoundHandler,
        serve_traceback=False,
    )


# ---------------------------------------------------------------------- the hub's answers
def hub_identify(auth: Any) -> Identify:
    """``identify`` asking the hub through ``auth`` (a :class:`~jupyterhub.services.auth.HubAuth`).

    It makes the check :class:`~jupyterhub.services.auth.HubAuthenticated` makes (the token's scopes against
    ``auth.access_scopes``, by default ``access:services!service=<this service's name>``), but awaits the hub
    instead of blocking the loop on it, and answers in this service's JSON rather than a redirect to a login
    page. Only users use rooms: a service's token is not accepted. And only with their server's token: one
    without :data:`SERVER_SCOPE` for one of its owner's own servers raises ``NotAllowed`` (see the module's notes).
    """
    from jupyterhub.services.auth import check_scopes

    async def identify(token: str) -> str | None:
        model = await auth.user_for_token(token, sync=False)
        if not isinstance(model, dict) or model.get("kind", "user") != "user":
            return None
        scopes = {scope for scope in model.get("scopes") or () if isinstance(scope, str)}
        if not check_scopes(auth.access_scopes, scopes):
            log.warning(
                "hub user %s may not use the room service: their token lacks %s", model.get("name"), USER_SCOPES
            )
            return None
        name = model.get("name")
        if not isinstance(name, str) or not name:
            return None
        if not any(scope.startswith(f"{SERVER_SCOPE}{name}/") for scope in scopes):
            raise NotAllowed(
                f"this token of hub user {name} is not their running server's: the room service takes only the "
                "token a participant's own single-user server holds, never one made by hand"
            )
        return name

    return identify


class HubStandings:
    """``facilitator_check`` asking the hub whether a user is an admin or in the facilitators' group.

    The hub is asked with the service's own token (its role has :data:`SERVICE_SCOPES`). Each answer is kept
    ``max_age`` seconds, so that a facilitator's page polling every second does not ask the hub every second,
    and a user made a facilitator (or no longer one) is taken as such within that time.
    """

    def __init__(
        self,
        api_url: str,
        api_token: str,
        group: str = DEFAULT_GROUP,
        *,
        max_age: float = STANDING_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.group = group
        self.max_age = max_age
        self._token = api_token
        self._clock = clock
        self._known: dict[str, tuple[float, Standing]] = {}

    async def __call__(self, name: str) -> Standing:
        """The user's standing; raises if the hub cannot say (the request then answers 503, and nobody is let in)."""
        now = self._clock()
        known = self._known.get(name)
        if known is not None and now - known[0] < self.max_age:
            return known[1]
        response = await AsyncHTTPClient().fetch(
            f"{self.api_url}/users/{quote(name, safe='')}",
            headers={"Authorization": f"token {self._token}"},
            raise_error=False,
            request_timeout=10,
        )
        if response.code == 404:  # deleted since their token was checked: nobody to let in
            standing = Standing.PARTICIPANT
        elif response.code != 200:
            raise HubUnavailable(
                f"GET /users/{name} answered {response.code} {response.reason}{_scope_hint(response.code)}"
            )
        else:
            model = json.loads(response.body)
            if not isinstance(model, dict) or "admin" not in model or "groups" not in model:
                raise HubUnavailable(f"the hub's user model lacks admin or groups{_scope_hint(403)}")
            if model["admin"] is True:
                standing = Standing.ADMIN
            elif self.group in model["groups"]:
                standing = Standing.FACILITATOR
            else:
                standing = Standing.PARTICIPANT
        if len(self._known) > 1000:
            self._known = {each: seen for each, seen in self._known.items() if now - seen[0] < self.max_age}
        self._known[name] = (now, standing)
        return standing


def _scope_hint(code: int) -> str:
    return f": the service's role needs the scopes {', '.join(SERVICE_SCOPES)}" if code == 403 else ""


# ---------------------------------------------------------------------- running it
def store_path(environ: Mapping[str, str]) -> Path:
    """``$THERAPY_WORKSHOP_ROOM_DB``, else ``therapy-workshop-rooms.sqlite`` in the working folder (the hub's)."""
    configured = environ.get(STORE_ENV, "").strip()
    return Path(configured) if configured else Path.cwd() / STORE_FILE


def main() -> None:
    """Run as the hub's managed service, from the environment JupyterHub gives it, until it is stopped.

    Rooms are not deleted at stop: the hub restarts its services when it restarts, and a workshop must not lose
    its room then. They end when their facilitator ends them or when idle.
    """
    # Warnings from the libraries (the hub's imports are chatty at INFO); this service's own story at INFO. Every
    # participant's page asks for shared results every 2 s, so Tornado's access log keeps only refusals.
    logging.basicConfig(level=logging.WARNING, format="[%(levelname)1.1s %(asctime)s room] %(message)s")
    logging.getLogger("therapy_workshop").setLevel(logging.INFO)
    asyncio.run(_serve(os.environ))


async def _serve(environ: Mapping[str, str]) -> None:
    from jupyterhub.services.auth import HubAuth

    auth = HubAuth()  # api_url, api_token and access_scopes from the variables the hub sets for its services
    if not auth.api_token:
        raise SystemExit("JUPYTERHUB_API_TOKEN is not set: the room service runs as a JupyterHub-managed service")
    if not auth.access_scopes:  # not started by a hub that named it: never accept every token
        auth.access_scopes = set(USER_SCOPES)
    bind = urlsplit(environ.get("JUPYTERHUB_SERVICE_URL") or "http://127.0.0.1:10101")
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{SERVICE_NAME}/"
    group = environ.get(GROUP_VARIABLE, "").strip() or DEFAULT_GROUP
    path = store_path(environ)
    app = make_app(
        path,
        identify=hub_identify(auth),
        facilitator_check=HubStandings(auth.api_url, auth.api_token, group),
        prefix=prefix,
        settings=room_settings(environ),
        facilitators_group=group,
    )
    app.rooms.end_idle()
    # The address others reach the service at is not always one to listen on: on Kubernetes it is the hub's
    # Service name ("hub"), so the values file sets THERAPY_WORKSHOP_ROOM_BIND=0.0.0.0 there.
    host = environ.get(BIND_VARIABLE, "").strip() or bind.hostname or "127.0.0.1"
    port = await app.serve(host, bind.port or 80)
    log.info(
        "serving rooms at %s:%d%s from %s; facilitators: hub admins and group %r",
        host,
        port,
        prefix,
        path,
        group,
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for each in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(each, stopped.set)
    await stopped.wait()
    app.stop()
    log.info("room service stopped; open rooms stay in %s", path)


# ---------------------------------------------------------------------- inside
def _token_from(header: str) -> str:
    """The token of ``Authorization: token <t>`` (or ``Bearer <t>``, as the hub also accepts)."""
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() in ("token", "bearer") else ""


async def _resolved(value: Any) -> Any:
    """``value``, awaited if it is awaitable: the injected checks may be plain functions or coroutines."""
    return await value if inspect.isawaitable(value) else value


def _is_pair(pair: object) -> bool:
    return isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str | int | float | bool | None)


#: The errors that answer a request with their own message: each one's status and kind.
_REFUSALS: tuple[tuple[type[Exception], int, str], ...] = (
    (Unauthenticated, 401, wire.UNAUTHENTICATED),
    (NotAllowed, 403, wire.FORBIDDEN),
    (UnknownRoom, 404, wire.UNKNOWN_ROOM),
    (UnknownActivity, 404, wire.UNKNOWN_ACTIVITY),
    (RoomFull, 409, wire.ROOM_FULL),
    (TooManyWrites, 429, wire.RATE_LIMITED),
    (wire.WireError, 400, wire.BAD_REQUEST),
    (HubUnavailable, 503, wire.HUB_UNAVAILABLE),
)


def _is_refusal(error: BaseException) -> bool:
    """Whether ``error`` is an answer to the request (logged in one line), not a failure of the service."""
    return isinstance(error, web.HTTPError) or any(isinstance(error, kind) for kind, _status, _name in _REFUSALS)


def _error_reply(error: BaseException | None, status: int) -> tuple[int, str, str]:
    """The status, kind and message an error is answered with; an unexpected one says only that it failed."""
    for kind_of_error, code, kind in _REFUSALS:
        if isinstance(error, kind_of_error):
            return code, kind, str(error)
    if isinstance(error, web.HTTPError):
        status = error.status_code
    if status == 404:
        return 404, wire.NOT_FOUND, "the room service has no such address"
    if status == 405:
        return 405, wire.BAD_REQUEST, "this address does not take that method"
    if 400 <= status < 500:
        return status, wire.BAD_REQUEST, "the room service could not read this request"
    return 500, wire.SERVER_ERROR, "the room service failed; its log says why"


if __name__ == "__main__":
    main()
