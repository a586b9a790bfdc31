"""The server's side of rooms and the facilitator's key: the store's file, its cleanup, the export, the link.

``make app`` serves participants' kernels on this machine, so the room store is one SQLite file in Jupyter's
runtime folder, named for this server's process so that two servers never share one. The server tells its
kernels where it is through ``THERAPY_WORKSHOP_ROOM_DB`` (kernels inherit its environment), ends idle rooms
every minute, and deletes the file when it stops: rooms never outlive the run.

The export (``/room/results.json`` and ``/room/results.csv``) needs the facilitator's key, as every ``/room/``
address does; anything else gets 403. It applies the same small-count rule as the panel: an activity with fewer
answers than the room's minimum is listed with its count of answerers but without its options' counts.

The key travels in a header (``Authorization: Bearer <key>``), never in an address that browsers keep in their
history and servers in their logs. A link with ``?key=`` still works once, for a facilitator who pastes one into a
browser: the server answers with a redirect to the same address without the key and a pass for this browser (a
random value, not the key, in an HttpOnly, SameSite=Strict cookie for ``/room/`` only, kept in this process's
memory for :data:`EXPORT_PASS_SECONDS`), as jupyter_server does with ``?token=``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir
from tornado import web

from therapy_workshop.room.store import RoomStore
from therapy_workshop.room.values import UnknownRoom, room_settings
from therapy_workshop.shell.access import KeyScrubber, address_without_key, facilitator_key, key_matches

#: The variable kernels read the store's path from (see :func:`therapy_workshop.room.store.default_store_path`).
STORE_VARIABLE = "THERAPY_WORKSHOP_ROOM_DB"
#: How often idle rooms are ended (their own idle time is a room setting, 4 hours by default).
END_IDLE_EVERY = 60.0
#: How long a browser's export pass (given for a ``?key=`` link) lasts.
EXPORT_PASS_SECONDS = 600
#: The cookie that carries it.
EXPORT_PASS_COOKIE = "workshop-export-pass"


class ExportPasses:
    """Random passes given to browsers that opened an export link with the key; each lasts a few minutes."""

    def __init__(self, lifetime: float = EXPORT_PASS_SECONDS) -> None:
        self.lifetime = lifetime
        self._expiry: dict[str, float] = {}

    def give(self) -> str:
        """A new pass, good for ``lifetime`` seconds."""
        self._forget_expired()
        value = secrets.token_urlsafe(32)
        self._expiry[value] = time.monotonic() + self.lifetime
        return value

    def valid(self, value: str | None) -> bool:
        """Whether ``value`` is a pass given by this process and not yet expired."""
        self._forget_expired()
        return bool(value) and value in self._expiry

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for value in [value for value, expiry in self._expiry.items() if expiry <= now]:
            del self._expiry[value]


def room_store_path(environ: MutableMapping[str, str], runtime: Path | None = None) -> Path:
    """The store file of this server, in the runtime folder; sets the variable that tells its kernels."""
    folder = runtime or Path(jupyter_runtime_dir())
    path = folder / f"therapy-workshop-rooms-{os.getpid()}.sqlite"
    environ[STORE_VARIABLE] = str(path)
    return path


def facilitator_link(host: str, port: int, key: str) -> str:
    """The one line ``make app`` prints for the facilitator.

    Serving a room (``HOST=0.0.0.0``), the link names this machine's address on the local network: the
    facilitator's page builds the participants' join link and QR code from its own address, so it must be one
    that phones in the room can reach.
    """
    shown = host if host not in ("", "0.0.0.0", "::") else local_address()
    return f"Facilitator view: http://{shown}:{port}/?view=facilitator&key={key}"


def local_address() -> str:
    """The address of this machine on its local network (no packet is sent), or its name if it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # a UDP "connect" only picks the outgoing interface
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def scrub_logs(*app_loggers: logging.Logger) -> None:
    """Blank ``key=`` in every log line of the server, the application's own logger (``app_loggers``) included.

    jupyter_server's access log already blanks secrets in addresses; this catches any other line that quotes one
    (a warning with a referrer, a traceback with the request). A traitlets application logs under its class name
    (``WorkshopVoila``) and does not pass records up to the root logger, so it is named here, not guessed.
    """
    scrubber = KeyScrubber()
    names = ("", "tornado.access", "tornado.application", "tornado.general", "Voila", "ServerApp")
    for logger in [*(logging.getLogger(name) for name in names), *app_loggers]:
        if scrubber not in logger.filters:
            logger.addFilter(scrubber)
        for handler in logger.handlers:
            handler.addFilter(scrubber)


class RoomHandler(web.RequestHandler):
    """``/room/…``: the facilitator's export with the key; 403 for everything else and for anyone without it."""

    def initialize(self, store_path: Path, passes: ExportPasses) -> None:
        """Tornado passes the store's path and the export passes from the route (see :meth:`RoomService.handlers`)."""
        self.store_path = store_path
        self.passes = passes

    def prepare(self) -> None:
        """Refuse before anything else happens unless the request carries this run's key or a pass.

        A ``?key=`` link is answered with a pass and a redirect to the same address without the key.
        """
        scheme, _, given = self.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and key_matches(given.strip()):
            return
        if self.passes.valid(self.get_cookie(EXPORT_PASS_COOKIE)):
            return
        if key_matches(self.get_query_argument("key", None)):
            self.set_cookie(
                EXPORT_PASS_COOKIE,
                self.passes.give(),
                path=self.request.path.rsplit("/", 1)[0] + "/",
                httponly=True,
                samesite="Strict",
                expires_days=None,
            )
            self.set_header("Cache-Control", "no-store")
            self.redirect(address_without_key(self.request.path, self.request.query), status=303)
            return
        raise web.HTTPError(403)

    def get(self, name: str) -> None:
        """Serve ``results.json`` or ``results.csv`` for ``room=CODE``, or for every open room."""
        if name not in ("results.json", "results.csv"):
            raise web.HTTPError(404)
        rows = self._rows(self.get_query_argument("room", None))
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "same-origin")
        if name == "results.json":
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps({"results": rows}, ensure_ascii=False, indent=1))
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="room-results.csv"')
        self.finish(buffer.getvalue())

    def _rows(self, code: str | None) -> list[dict[str, Any]]:
        with RoomStore(self.store_path) as store:
            try:
                codes = [store.room(code).code] if code else [room.code for room in store.open_rooms()]
            except UnknownRoom as error:
                raise web.HTTPError(404, reason=str(error)) from None
            rows: list[dict[str, Any]] = []
            for each in codes:
                results = store.visible_counts(each)
                for key, activity in store.catalogue.items():
                    counts = results.shown.get(key)
                    if counts is None:
                        continue
                    for option in activity.options:
                        rows.append(
                            {
                                "room": each,
                                "activity": key,
                                "text": activity.label,
                                "option": option.label,
                                "right_answer": "" if option.expected is None else str(option.expected).lower(),
                                "count": counts.options.get(option.value, 0),
                                "answered": counts.answerers,
                            }
                        )
        return rows

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A plain line, never a traceback or the request's address."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish({403: "Forbidden", 404: "Not found"}.get(status_code, "Error"))


EXPORT_FIELDS = ("room", "activity", "text", "option", "right_answer", "count", "answered")


class RoomService:
    """What ``make app`` does for rooms: the key, the store file, its handlers, idle cleanup and deletion."""

    def __init__(self, environ: MutableMapping[str, str] = os.environ, runtime: Path | None = None) -> None:
        self.settings = room_settings(environ)  # checked now, so a wrong ROOM_MINIMUM stops the server at once
        self.key = facilitator_key(environ)
        self.store_path = room_store_path(environ, runtime)
        self.passes = ExportPasses()

    def handlers(self, base_url: str = "/") -> list[tuple[str, type[web.RequestHandler], dict[str, Any]]]:
        """The ``/room/…`` routes for the server's Tornado application."""
        options = {"store_path": self.store_path, "passes": self.passes}
        return [(f"{base_url.rstrip('/')}/room/(.*)", RoomHandler, options)]

    def end_idle(self) -> None:
        """End rooms idle past their time (only if the store exists: self-study never makes it)."""
        if self.store_path.exists():
            with RoomStore(self.store_path) as store:
                store.end_idle()

    def delete(self) -> None:
        """At server stop: every room ends, and the file (with its -wal and -shm) is removed."""
        if self.store_path.exists():
            with RoomStore(self.store_path) as store:
                store.close_all_and_delete()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.store_path}{suffix}").unlink(missing_ok=True)

    def announce(self, host: str, port: int) -> None:
        """Print the facilitator's link once, on the terminal only."""
        print(facilitator_link(host, port, self.key), file=sys.__stdout__, flush=True)
