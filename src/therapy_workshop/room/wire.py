"""The room's values as JSON, and its errors as HTTP answers: one module both ends of the hub service share.

The JupyterHub room service (:mod:`therapy_workshop.hub.room_service`) writes with these functions and the
client in a participant's kernel (:mod:`therapy_workshop.room.hub_client`) reads with them, so the two can only
disagree about the wire by a change to this one file. Reading is strict: a value that is not what the other side
writes raises :class:`WireError` naming the field, because a half-read count would put a wrong bar on the
projector. Every error the service sends has a ``kind`` (below), so the client raises the same exception the
SQLite store would have raised in its place, with the same message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from therapy_workshop.room.values import (
    ActivityCounts,
    Outcome,
    Recorded,
    Room,
    RoomError,
    RoomResults,
    RoomSettings,
)

#: The ``kind`` of an error body, ``{"error": "<message>", "kind": "<kind>"}``, and the status it comes with.
UNKNOWN_ROOM = "unknown-room"  # 404
UNKNOWN_ACTIVITY = "unknown-activity"  # 404
ROOM_FULL = "room-full"  # 409
BAD_REQUEST = "bad-request"  # 400
UNAUTHENTICATED = "unauthenticated"  # 401
FORBIDDEN = "forbidden"  # 403
RATE_LIMITED = "rate-limited"  # 429
NOT_FOUND = "not-found"  # 404: no such address in the service
SERVER_ERROR = "server-error"  # 500
HUB_UNAVAILABLE = "hub-unavailable"  # 503: the hub could not be asked who is calling


class WireError(ValueError):
    """JSON that is not what the other end writes; the message names the field and what was expected."""


class RateLimited(RoomError):
    """The service refused a write because this hub user sent too many lately (HTTP 429).

    Answers refused this way come back as a refused :class:`~therapy_workshop.room.values.Recorded`, as every
    refusal of an answer does; only a join raises it.
    """


# ---------------------------------------------------------------------- settings and rooms
def settings_to_json(settings: RoomSettings) -> dict[str, Any]:
    """A room's settings as a JSON object."""
    return {
        "minimum_count": settings.minimum_count,
        "idle_seconds": settings.idle_seconds,
        "max_participants": settings.max_participants,
    }


def settings_from_json(data: object, where: str = "settings") -> RoomSettings:
    """Settings from JSON; ``WireError`` for a missing or mistyped field, or a value the settings refuse."""
    fields = _object(data, where)
    minimum_count = _whole(fields, "minimum_count", where)
    idle_seconds = _number(fields, "idle_seconds", where)
    max_participants = _whole(fields, "max_participants", where)
    try:
        return RoomSettings(minimum_count, idle_seconds, max_participants)
    except ValueError as error:  # RoomSettings says which value is out of range, and its range
        raise WireError(f"{where}: {error}") from None


def room_to_json(room: Room) -> dict[str, Any]:
    """An open room as a JSON object."""
    return {"code": room.code, "settings": settings_to_json(room.settings)}


def room_from_json(data: object, where: str = "room") -> Room:
    """A room from JSON."""
    fields = _object(data, where)
    return Room(_text(fields, "code", where), settings_from_json(fields.get("settings"), f"{where}.settings"))


def rooms_from_json(data: object, where: str = "rooms") -> list[Room]:
    """A list of rooms from JSON."""
    return [room_from_json(each, f"{where}[{index}]") for index, each in enumerate(_array(data, where))]


# ---------------------------------------------------------------------- answers
def recorded_to_json(recorded: Recorded) -> dict[str, Any]:
    """One answer's outcome as a JSON object."""
    return {"outcome": recorded.outcome.value, "reason": recorded.reason}


def recorded_from_json(data: object, where: str = "recorded") -> Recorded:
    """One answer's outcome from JSON."""
    fields = _object(data, where)
    outcome = _text(fields, "outcome", where)
    try:
        return Recorded(Outcome(outcome), _text(fields, "reason", where))
    except ValueError:
        known = ", ".join(each.value for each in Outcome)
        raise WireError(f"{where}.outcome: one of {known}, not {outcome!r}") from None


# ---------------------------------------------------------------------- counts
def counts_to_json(counts: Mapping[str, ActivityCounts]) -> dict[str, Any]:
    """Counts by activity as a JSON object; JSON objects keep their order, so the catalogue's order survives."""
    return {key: {"answerers": each.answerers, "options": dict(each.options)} for key, each in counts.items()}


def counts_from_json(data: object, where: str = "counts") -> dict[str, ActivityCounts]:
    """Counts by activity from JSON, in the order sent."""
    counts: dict[str, ActivityCounts] = {}
    for key, value in _object(data, where).items():
        fields = _object(value, f"{where}[{key!r}]")
        options = _object(fields.get("options"), f"{where}[{key!r}].options")
        counts[key] = ActivityCounts(
            answerers=_whole(fields, "answerers", f"{where}[{key!r}]"),
            options={option: _whole(options, option, f"{where}[{key!r}].options") for option in options},
        )
    return counts


def results_to_json(results: RoomResults) -> dict[str, Any]:
    """What a facilitator may be shown, as a JSON object."""
    return {
        "participants": results.participants,
        "minimum_count": results.minimum_count,
        "shown": counts_to_json(results.shown),
        "waiting": dict(results.waiting),
    }


def results_from_json(data: object, where: str = "results") -> RoomResults:
    """What a facilitator may be shown, from JSON."""
    fields = _object(data, where)
    waiting = _object(fields.get("waiting"), f"{where}.waiting")
    return RoomResults(
        participants=_whole(fields, "participants", where),
        minimum_count=_whole(fields, "minimum_count", where),
        shown=counts_from_json(fields.get("shown"), f"{where}.shown"),
        waiting={key: _whole(waiting, key, f"{where}.waiting") for key in waiting},
    )


# ---------------------------------------------------------------------- errors
def error_to_json(message: str, kind: str) -> dict[str, str]:
    """The body of every error the service sends."""
    return {"error": message, "kind": kind}


# ---------------------------------------------------------------------- reading
def _object(data: object, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise WireError(f"{where}: expected a JSON object, not {_json_type(data)}")
    return data


def _array(data: object, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise WireError(f"{where}: expected a JSON array, not {_json_type(data)}")
    return data


def _text(fields: Mapping[str, Any], name: str, where: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise WireError(f"{where}.{name}: expected text, not {_json_type(value)}")
    return value


def _whole(fields: Mapping[str, Any], name: str, where: str) -> int:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int):  # True is an int to Python, not to JSON
        raise WireError(f"{where}.{name}: expected a whole number, not {_json_type(value)}")
    return value


def _number(fields: Mapping[str, Any], name: str, where: str) -> float:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WireError(f"{where}.{name}: expected a number, not {_json_type(value)}")
    return value


def _json_type(value: object) -> str:
    """What a JSON value is, in JSON's words (for messages)."""
    if value is None:
        return "null (or missing)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
