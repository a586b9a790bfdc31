"""Rooms on one SQLite file, shared by every kernel and the server of one machine.

:class:`RoomStore` implements :class:`~therapy_workshop.room.service.RoomService`. Each process (a participant's
kernel, the facilitator's kernel, the server) makes its own ``RoomStore`` on the same path; SQLite's locking
makes their writes take turns, and each answer is one short transaction, so counts stay exact however many
kernels write at once.

The rules a participant meets, and why:

- **First answer wins.** One row per (room, participant, activity), enforced by the primary key: a second
  answer to the same activity, from another try or from the same token after a reload, is answered
  ``already-answered`` and changes nothing. That is what "one count per participant per activity" means.
- **Leaving stops counting, and keeps what was counted.** After :meth:`RoomStore.leave`, answers are refused;
  answers counted before stay in the room's bars. They were given to the room anonymously, and bars that
  shrink when someone leaves would tell the room what that person had answered. A browser that kept its token
  and joins again gets the same token back, so its earlier answers still count once, not twice.
- **Only the content's answers are kept.** Each answer is checked against the catalogue before the database
  is touched; what is stored is the catalogue's value, never text a client sent. Refusals are logged with the
  room code, the activity key and the reason, never the token.
- **Rooms end and are deleted.** :meth:`RoomStore.end` deletes every row of the room (overwritten in the file,
  see :mod:`therapy_workshop.room.schema`); a room idle longer than its setting ends by itself; the server
  removes the whole file when it stops (:meth:`RoomStore.close_all_and_delete`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

from therapy_workshop.room.answers import AnswerRefused, answer_values, checked_key, stored_answer
from therapy_workshop.room.catalogue import Catalogue, current_catalogue
from therapy_workshop.room.codes import RoomCodeError, new_code, normalise_code
from therapy_workshop.room.limits import RateLimit, RateLimiter, Verdict
from therapy_workshop.room.schema import BUSY_TIMEOUT_MS, ROOM_TABLES, connect
from therapy_workshop.room.service import RoomService
from therapy_workshop.room.values import (
    ALREADY_ANSWERED,
    COUNTED,
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

STORE_ENV = "THERAPY_WORKSHOP_ROOM_DB"
STORE_FILE = "therapy-workshop-rooms.sqlite"
#: Tokens are ``secrets.token_urlsafe(16)`` (22 characters); anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 64
#: A room's last-active time is moved on at most this often by answers, so writes rarely touch the room row.
TOUCH_EVERY_SECONDS = 30.0
#: How long emptying the write-ahead log after an end may wait for other processes' reads and writes.
CHECKPOINT_WAIT_MS = 500

log = logging.getLogger("therapy_workshop.room")


def default_store_path() -> Path:
    """Where the store lives: ``$THERAPY_WORKSHOP_ROOM_DB``, else the Jupyter runtime folder.

    The server sets the variable for its kernels, so that every process of one server opens the same file; the
    runtime folder is private to the user and meant for files that do not outlive the server.
    """
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured)
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / STORE_FILE


def token_hash(token: str) -> bytes:
    """What the store keeps instead of a participant's token: a reader of the file cannot write as them."""
    return hashlib.sha256(token.encode()).digest()


def _is_token(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH


class RoomStore:
    """The rooms kept in the SQLite file at ``path`` (made, with its folder, if missing).

    ``catalogue`` says which answers can be counted (by default this process's workshop). ``rate_limit`` is per
    participant, kept in this instance's memory (see :mod:`therapy_workshop.room.limits`); by default it fits
    twice the largest action the content has. ``clock`` (wall time, shared by all processes, for idle rooms) and
    ``monotonic`` (for the rate limit) are there for tests.
    """

    def __init__(
        self,
        path: Path | str,
        catalogue: Catalogue | None = None,
        *,
        rate_limit: RateLimit | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.catalogue = catalogue if catalogue is not None else current_catalogue()
        self.rate_limit = rate_limit or RateLimit.for_catalogue(self.catalogue)
        self._clock = clock
        self._limiter = RateLimiter(self.rate_limit, monotonic)
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = connect(self.path)

    def __repr__(self) -> str:
        return f"RoomStore({str(self.path)!r})"

    def __enter__(self) -> RoomStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ facilitator
    def open_room(self, settings: RoomSettings | None = None) -> Room:
        """Open a room with a fresh code; ends rooms that were idle too long first (their codes are free again)."""
        settings = settings or RoomSettings()
        self.end_idle()
        for _attempt in range(50):
            code = new_code()
            with self._write() as connection:
                try:
                    connection.execute(
                        "INSERT INTO rooms (code, minimum_count, idle_seconds, max_participants, last_active)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (code, settings.minimum_count, settings.idle_seconds, settings.max_participants, self._clock()),
                    )
                except sqlite3.IntegrityError:
                    continue  # that code is open already: draw another
            log.info("room %s opened", code)
            return Room(code, settings)
        raise RuntimeError("could not find a free room code in 50 draws; are millions of rooms open?")

    def room(self, code: str) -> Room:
        """The open room with this code, with its settings; ``UnknownRoom`` if there is none."""
        code = self._code(code)
        with self._read() as connection:
            return self._live_room(connection, code)

    def open_rooms(self) -> list[Room]:
        """Every room open now (idle ones past their time are not)."""
        with self._read() as connection:
            codes = [row[0] for row in connection.execute("SELECT code FROM rooms ORDER BY code")]
            rooms = [self._room_or_none(connection, code) for code in codes]
        return [room for room in rooms if room is not None]

    def counts(self, code: str) -> dict[str, ActivityCounts]:
        """Every answered activity's counts, in the catalogue's order, nothing hidden (exports, tests)."""
        code = self._code(code)
        with self._read() as connection:
            self._live_room(connection, code)
            return self._counts(connection, "SELECT activity, answer, COUNT(*) FROM answers WHERE room = ?", (code,))

    def visible_counts(self, code: str) -> RoomResults:
        """The counts a facilitator may be shown, with activities under the room's minimum held back.

        An activity with fewer answerers than the minimum is listed only with how many answered so far, so a
        bar can never point at one or two people.
        """
        code = self._code(code)
        with self._read() as connection:
            room = self._live_room(connection, code)
            joined = self._joined(connection, code)
            counts = self._counts(connection, "SELECT activity, answer, COUNT(*) FROM answers WHERE room = ?", (code,))
        minimum = room.settings.minimum_count
        return RoomResults(
            participants=joined,
            minimum_count=minimum,
            shown={key: each for key, each in counts.items() if each.answerers >= minimum},
            waiting={key: each.answerers for key, each in counts.items() if each.answerers < minimum},
        )

    def set_reveal(self, code: str, activity_key: str, on: bool) -> None:
        """Let participants who answered ``activity_key`` see its bars (``on``), or stop showing them."""
        code = self._code(code)
        if activity_key not in self.catalogue:
            raise UnknownActivity(f"unknown activity {activity_key!r}")
        with self._write() as connection:
            self._live_room(connection, code, ending_expired=True)
            if on:
                connection.execute("INSERT OR IGNORE INTO reveals (room, activity) VALUES (?, ?)", (code, activity_key))
            else:
                connection.execute("DELETE FROM reveals WHERE room = ? AND activity = ?", (code, activity_key))
            self._touch(connection, code)

    def revealed(self, code: str) -> frozenset[str]:
        """The activities whose bars participants who answered them may see (none until the facilitator says)."""
        code = self._code(code)
        with self._read() as connection:
            self._live_room(connection, code)
            return frozenset(
                row[0] for row in connection.execute("SELECT activity FROM reveals WHERE room = ?", (code,))
            )

    def end(self, code: str) -> bool:
        """Delete everything about the room: its settings, participants, answers and reveals.

        ``False`` if no room had that code (ended already, or never opened).
        """
        try:
            code = normalise_code(code)
        except RoomCodeError:
            return False
        with self._write() as connection:
            existed = connection.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone() is not None
            self._delete_room(connection, code)
        self._forget_deleted()
        if existed:
            log.info("room %s ended: its answers are deleted", code)
        return existed

    def end_idle(self, now: float | None = None) -> list[str]:
        """End every room unused for longer than its idle setting; the codes ended.

        A room past its time is closed to every call at once; this (or the next write to that room) is what
        deletes its rows. The store calls it when a room opens or someone joins; the server may call it on a
        timer too.
        """
        now = self._clock() if now is None else now
        with self._write() as connection:
            expired = [
                row[0]
                for row in connection.execute(
                    "SELECT code FROM rooms WHERE ? - last_active > idle_seconds ORDER BY code", (now,)
                )
            ]
            for code in expired:
                self._delete_room(connection, code)
        if expired:
            self._forget_deleted()
            log.info("ended %d idle room(s): %s", len(expired), ", ".join(expired))
        return expired

    # ------------------------------------------------------------------ participant
    def join(self, code: str, token: str | None = None) -> str:
        """Join the room and get the token to send with every answer (kept in the participant's browser).

        ``token`` is the one this browser kept from an earlier visit: if it belongs to this room it is given
        back (and counts again after a leave), so a participant is one participant across reloads. Any other
        token gets a new one. ``UnknownRoom`` for a code that is not open; ``RoomFull`` past its size.
        """
        code = self._code(code)
        self.end_idle()
        with self._write() as connection:
            room = self._live_room(connection, code)
            if token is not None and _is_token(token):
                kept = token_hash(token)
                row = connection.execute(
                    "SELECT has_left FROM participants WHERE room = ? AND token_hash = ?", (code, kept)
                ).fetchone()
                if row is not None:
                    connection.execute(
                        "UPDATE participants SET has_left = 0 WHERE room = ? AND token_hash = ?", (code, kept)
                    )
                    self._touch(connection, code)
                    return token
            (taken,) = connection.execute("SELECT COUNT(*) FROM participants WHERE room = ?", (code,)).fetchone()
            if taken >= room.settings.max_participants:
                raise RoomFull(f"room {code} is full: it takes {room.settings.max_participants} participants")
            fresh = secrets.token_urlsafe(16)
            connection.execute("INSERT INTO participants (room, token_hash) VALUES (?, ?)", (code, token_hash(fresh)))
            self._touch(connection, code)
        return fresh

    def leave(self, code: str, token: str) -> bool:
        """Stop counting this participant's answers; ``False`` if they were not joined (or had left already).

        Answers counted before stay in the room's counts (see the module's notes for why).
        """
        code = self._code(code)
        if not _is_token(token):
            return False
        with self._write() as connection:
            self._live_room(connection, code, ending_expired=True)
            left = connection.execute(
                "UPDATE participants SET has_left = 1 WHERE room = ? AND token_hash = ? AND has_left = 0",
                (code, token_hash(token)),
            ).rowcount
            self._touch(connection, code)
        return left == 1

    def membership(self, code: str, token: str) -> Membership:
        """Whether ``token`` is joined to the room, has left it, or is not one of its participants."""
        code = self._code(code)
        if not _is_token(token):
            return Membership.NOT_JOINED
        with self._read() as connection:
            self._live_room(connection, code)
            return self._membership(connection, code, token_hash(token))

    def participants(self, code: str) -> int:
        """How many participants are joined now; those who left are not counted."""
        code = self._code(code)
        with self._read() as connection:
            self._live_room(connection, code)
            return self._joined(connection, code)

    def record(self, code: str, token: str, activity_key: str, answer: object) -> Recorded:
        """Count ``answer`` to ``activity_key`` if it is this participant's first; never raises for bad input."""
        if not isinstance(activity_key, str):
            return self._refuse_key(code, activity_key)
        return self.record_many(code, token, {activity_key: answer})[activity_key]

    def record_many(self, code: str, token: str, answers: Mapping[str, object]) -> dict[str, Recorded]:
        """Count several answers of one action in one transaction; one outcome per key, in the same order.

        Checks, in order: the code's shape, the token's shape, the number of answers, the rate limit, each
        answer against the catalogue, and then, in the database, that the room is open and the token joined.
        """
        keys = list(answers)
        try:
            code = normalise_code(code)
        except RoomCodeError as error:
            return self._refuse_all(keys, str(error), "-")
        if not _is_token(token):
            return self._refuse_all(keys, "the participant token is not valid", code)
        if len(keys) > self.rate_limit.writes:
            return self._refuse_all(keys, f"too many answers in one write: at most {self.rate_limit.writes}", code)
        who = token_hash(token)
        with self._lock:
            verdict = self._limiter.allow(who, len(keys))
        if verdict is not Verdict.ALLOWED:
            reason = f"too many answers from this participant: {self.rate_limit.describe()}"
            # A flood is logged once, when it starts, not once per write.
            return self._refuse_all(keys, reason, code, logged=verdict is Verdict.LIMITED)
        results: dict[str, Recorded] = {}
        stored: dict[str, str] = {}
        for key in keys:
            try:
                stored[key] = stored_answer(checked_key(self.catalogue, key), answers[key])
            except AnswerRefused as error:
                results[key] = self._refusal(str(error), code, key)
        if stored:
            results.update(self._insert(code, who, stored))
        return {key: results[key] for key in keys}

    def shared_with(self, code: str, token: str) -> dict[str, ActivityCounts]:
        """The bars this participant may see; empty unless they are joined.

        Only activities the facilitator revealed and this participant answered, and only those with at least the
        room's minimum of answerers: seeing the room's answers is a debrief of one's own.
        """
        code = self._code(code)
        if not _is_token(token):
            return {}
        who = token_hash(token)
        with self._read() as connection:
            room = self._live_room(connection, code)
            if self._membership(connection, code, who) is not Membership.JOINED:
                return {}
            counts = self._counts(
                connection,
                "SELECT activity, answer, COUNT(*) FROM answers WHERE room = ? AND activity IN ("
                " SELECT reveals.activity FROM reveals JOIN answers AS mine"
                " ON mine.room = reveals.room AND mine.activity = reveals.activity AND mine.token_hash = ?"
                " WHERE reveals.room = ?)",
                (code, who, code),
            )
        return {key: each for key, each in counts.items() if each.answerers >= room.settings.minimum_count}

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Close this process's connection (rooms stay open for the other processes)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def close_all_and_delete(self) -> None:
        """End every room and remove the store's files: what the server does when it stops."""
        with self._lock:
            if self._connection is not None:
                with suppress(sqlite3.Error), self._write() as connection:
                    for table, _column in ROOM_TABLES:
                        connection.execute(f"DELETE FROM {table}")  # table names are constants, never input
            self.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        log.info("room store %s deleted", self.path)

    # ------------------------------------------------------------------ inside
    def _insert(self, code: str, who: bytes, stored: dict[str, str]) -> dict[str, Recorded]:
        """Keep the checked answers if the room is open and the participant joined; one outcome per key."""
        with self._write() as connection:
            room = self._room_or_none(connection, code, ending_expired=True)
            if room is None:
                reason = f"no open room has the code {code} (it may have ended)"
                return self._refuse_all(list(stored), reason, code)
            membership = self._membership(connection, code, who)
            if membership is Membership.NOT_JOINED:
                return self._refuse_all(list(stored), f"this participant has not joined room {code}", code)
            if membership is Membership.LEFT:
                reason = f"this participant left room {code}: answers after leaving are not counted"
                return self._refuse_all(list(stored), reason, code)
            results: dict[str, Recorded] = {}
            for key, value in stored.items():
                inserted = connection.execute(
                    "INSERT OR IGNORE INTO answers (room, token_hash, activity, answer) VALUES (?, ?, ?, ?)",
                    (code, who, key, value),
                ).rowcount
                results[key] = COUNTED if inserted == 1 else ALREADY_ANSWERED
            if any(result.counted for result in results.values()):
                self._touch(connection, code, every=TOUCH_EVERY_SECONDS)
        return results

    def _counts(
        self, connection: sqlite3.Connection, query: str, parameters: tuple[object, ...]
    ) -> dict[str, ActivityCounts]:
        tallies: dict[str, tuple[list[int], dict[str, int]]] = {}
        for key, value, number in connection.execute(f"{query} GROUP BY activity, answer", parameters):
            activity = self.catalogue.get(key)
            if key not in tallies:
                options = {option.value: 0 for option in activity.options} if activity else {}
                tallies[key] = ([0], options)
            answerers, options = tallies[key]
            answerers[0] += number
            # An activity the content no longer has (edited while the room ran) is still counted, as stored.
            for each in answer_values(activity, value) if activity else [value]:
                options[each] = options.get(each, 0) + number
        order = {key: position for position, key in enumerate(self.catalogue)}
        return {
            key: ActivityCounts(tallies[key][0][0], tallies[key][1])
            for key in sorted(tallies, key=lambda key: (order.get(key, len(order)), key))
        }

    def _refuse_key(self, code: object, key: object) -> Recorded:
        try:
            checked_key(self.catalogue, key)
        except AnswerRefused as error:
            return self._refusal(str(error), code if isinstance(code, str) else "-", key)
        raise AssertionError("a key that is not text is never an activity")

    def _refusal(self, reason: str, code: str, key: object) -> Recorded:
        shown = repr(key) if len(repr(key)) <= 80 else repr(key)[:79] + "…"
        log.warning("room %s refused an answer to %s: %s", code, shown, reason)
        return Recorded(Outcome.REFUSED, reason)

    def _refuse_all(self, keys: list[str], reason: str, code: str, logged: bool = True) -> dict[str, Recorded]:
        if logged:
            log.warning("room %s refused %d answer(s): %s", code if len(code) <= 12 else "-", len(keys), reason)
        refused = Recorded(Outcome.REFUSED, reason)
        return dict.fromkeys(keys, refused)

    def _code(self, code: str) -> str:
        try:
            return normalise_code(code)
        except RoomCodeError as error:
            raise UnknownRoom(str(error)) from None

    def _live_room(self, connection: sqlite3.Connection, code: str, ending_expired: bool = False) -> Room:
        room = self._room_or_none(connection, code, ending_expired)
        if room is None:
            raise UnknownRoom(f"no open room has the code {code} (it may have ended)")
        return room

    def _room_or_none(self, connection: sqlite3.Connection, code: str, ending_expired: bool = False) -> Room | None:
        """The room if it is open; a room idle past its time is not, and is deleted when the caller writes."""
        row = connection.execute(
            "SELECT minimum_count, idle_seconds, max_participants, last_active FROM rooms WHERE code = ?", (code,)
        ).fetchone()
        if row is None:
            return None
        minimum_count, idle_seconds, max_participants, last_active = row
        if self._clock() - last_active > idle_seconds:
            if ending_expired:
                self._delete_room(connection, code)
            return None
        return Room(code, RoomSettings(minimum_count, idle_seconds, max_participants))

    @staticmethod
    def _membership(connection: sqlite3.Connection, code: str, who: bytes) -> Membership:
        row = connection.execute(
            "SELECT has_left FROM participants WHERE room = ? AND token_hash = ?", (code, who)
        ).fetchone()
        if row is None:
            return Membership.NOT_JOINED
        return Membership.LEFT if row[0] else Membership.JOINED

    @staticmethod
    def _joined(connection: sqlite3.Connection, code: str) -> int:
        (joined,) = connection.execute(
            "SELECT COUNT(*) FROM participants WHERE room = ? AND has_left = 0", (code,)
        ).fetchone()
        return int(joined)

    def _touch(self, connection: sqlite3.Connection, code: str, every: float = 0.0) -> None:
        now = self._clock()
        connection.execute(
            "UPDATE rooms SET last_active = ? WHERE code = ? AND last_active <= ?", (now, code, now - every)
        )

    @staticmethod
    def _delete_room(connection: sqlite3.Connection, code: str) -> None:
        for table, column in ROOM_TABLES:
            connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (code,))  # names are constants

    def _forget_deleted(self) -> None:
        """Empty the write-ahead log, which still holds the deleted rows, into the (overwritten) main file.

        Best effort: a reader in another process can hold the log open, and then it is emptied at the next
        checkpoint (at the latest when the server deletes the file).
        """
        with self._lock, suppress(sqlite3.Error):
            connection = self._db()
            # Ending a room must not hang the facilitator's page behind busy kernels: wait briefly, then leave it.
            connection.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError(f"the room store at {self.path} is closed")
        return self._connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, its lock taken at the start (``IMMEDIATE``).

        A transaction that reads first and then upgrades to a write lock fails with "database is locked" in WAL
        mode when another process wrote meanwhile, instead of waiting; taking the lock at once makes it wait.
        """
        with self._lock:
            connection = self._db()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: several queries see the same moment (participants and counts agree)."""
        with self._lock:
            connection = self._db()
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")


def _implements_the_interface(store: RoomStore) -> RoomService:
    """Never called: mypy checks here that :class:`RoomStore` has every method of the interface, as typed."""
    return store
