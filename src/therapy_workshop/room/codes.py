"""Room codes a facilitator can read aloud and a participant can type without guessing.

The alphabet leaves out the characters people confuse when a code is said or projected: 0 and O, 1, I and L.
Six characters from 31 give about 887 million codes, so a guessed code almost never hits an open room; the code
is not a secret anyway (the facilitator projects it), only a short name for the room.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_ALLOWED = frozenset(ALPHABET)
# Characters a person may add while typing a code ("abc 123", "ABC-123"): dropped before checking.
_SEPARATORS = str.maketrans("", "", " -\t")


class RoomCodeError(ValueError):
    """Text that cannot be a room code (wrong length, or a character outside :data:`ALPHABET`)."""


def new_code() -> str:
    """A random room code, from :mod:`secrets` so that codes cannot be predicted from earlier ones."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str:
    """The code as stored: upper case, without spaces or dashes. ``RoomCodeError`` says what a code looks like."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        raise RoomCodeError(_what_a_code_is(text))
    code = text.translate(_SEPARATORS).upper()
    if len(code) != CODE_LENGTH or not set(code) <= _ALLOWED:
        raise RoomCodeError(_what_a_code_is(text))
    return code


def _what_a_code_is(text: object) -> str:
    shown = repr(text)[:40] if isinstance(text, str) else f"a {type(text).__name__}"
    return f"{shown} is not a room code: a code is {CODE_LENGTH} characters from {ALPHABET}"
