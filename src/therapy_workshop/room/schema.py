"""The room store's SQLite file: its tables, and a connection set up to share it between processes.

What the tables can hold is the privacy promise, so it is written down here once: a room's code, settings and
last-active time; per participant a SHA-256 of their random token and whether they left; per answer the room,
that hash, the activity key and the answer value (always one of the catalogue's values); and which activities
the facilitator revealed. No names, no addresses, no free text, no time of any answer.

Several processes open the file at once (every participant's kernel, the facilitator's kernel, the server), so
the connection uses WAL (readers never wait for a writer), a busy timeout (writers queue instead of failing),
and ``synchronous=NORMAL``: a power cut may lose the last answers, which a room can afford, and in return no
write waits for the disk. ``secure_delete`` overwrites deleted rows, so an ended room is gone from the file and
not only unlisted.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

SCHEMA_VERSION = 1
#: How long a write waits for another process's write to finish before giving up.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    minimum_count INTEGER NOT NULL,
    idle_seconds REAL NOT NULL,
    max_participants INTEGER NOT NULL,
    last_active REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS participants (
    room TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    has_left INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room, token_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS answers (
    room TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    activity TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (room, token_hash, activity)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS answers_by_activity ON answers (room, activity, answer);
CREATE TABLE IF NOT EXISTS reveals (
    room TEXT NOT NULL,
    activity TEXT NOT NULL,
    PRIMARY KEY (room, activity)
) WITHOUT ROWID;
"""

#: Every table that holds something about a room, with the column naming the room: what ending a room deletes.
ROOM_TABLES = (("answers", "room"), ("reveals", "room"), ("participants", "room"), ("rooms", "code"))


class StoreFileError(RuntimeError):
    """The file at the store's path is not a room store this code can use."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store at ``path``, made (file, folder and tables) if it does not exist yet.

    The folder is made private to this user, and so is a new file: the answers are anonymous, but only the
    workshop's own processes have any business reading them.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _retry_while_locked(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone())
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA secure_delete = ON")
        _create_tables(connection, path)
    except BaseException:
        connection.close()
        raise
    return connection


def _create_tables(connection: sqlite3.Connection, path: Path) -> None:
    """Create the tables once; several processes starting together take turns."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise StoreFileError(
                f"{path} is a room store of version {version}, and this code uses version {SCHEMA_VERSION}: "
                "end its rooms and delete the file (it holds only room counts)"
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _retry_while_locked(action: Callable[[], object]) -> None:
    """Run ``action``, retrying while another process holds a lock the busy timeout does not cover.

    Switching a new file to WAL needs the file to itself for a moment; when eight kernels open it at once, all
    but one are told "database is locked" straight away rather than waiting.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
