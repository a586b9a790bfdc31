"""The facilitator's key: who may see answer keys, notes and the room's results.

The server makes a random key per run (or takes ``FACILITATOR_KEY`` out of the environment for a planned
session) and prints one facilitator link with it. Kernels are started by the server, so they inherit its
environment; the server removes the chosen key from it and puts only a SHA-256 digest of the key there
(``THERAPY_WORKSHOP_FACILITATOR_DIGEST``), so a kernel can check a key it is given without holding the key
itself. Keys are compared in constant time.

Nothing here writes the key anywhere: the server prints the link once, the page removes the key from the
address bar as soon as it has read it (keeping it for that tab only), and :class:`KeyScrubber` blanks any
``key=`` value that a log line would otherwise carry.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import MutableMapping

#: The environment variable a facilitator may set to choose the key for a planned session.
KEY_VARIABLE = "FACILITATOR_KEY"
#: Where the server leaves the key's digest for the kernels it starts.
DIGEST_VARIABLE = "THERAPY_WORKSHOP_FACILITATOR_DIGEST"
#: 32 random bytes: 256 bits, above the 128 the issue asks for; URL-safe, so it travels in a link as it is.
KEY_BYTES = 32
#: A chosen key must be at least this long: 22 URL-safe characters carry about 128 bits.
SHORTEST_CHOSEN_KEY = 22


class FacilitatorKeyError(ValueError):
    """A ``FACILITATOR_KEY`` that cannot be used; the message says why and what to do."""


def digest(key: str) -> str:
    """The SHA-256 of ``key`` as hex: what kernels compare against."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def facilitator_key(environ: MutableMapping[str, str]) -> str:
    """The key for this run: ``FACILITATOR_KEY`` if set (and long enough), otherwise a new random one.

    Takes ``FACILITATOR_KEY`` out of ``environ`` (jupyter_client copies the server's environment into every
    kernel it starts, so a chosen key left there would reach every participant's kernel) and leaves the digest
    in its place for the kernels the server will start.
    """
    chosen = environ.pop(KEY_VARIABLE, "").strip()
    if chosen and len(chosen) < SHORTEST_CHOSEN_KEY:
        raise FacilitatorKeyError(
            f"{KEY_VARIABLE} is {len(chosen)} characters long; use at least {SHORTEST_CHOSEN_KEY} random characters "
            f"(for example the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            "or leave it unset for a new key each run"
        )
    if chosen and not re.fullmatch(r"[A-Za-z0-9_-]+", chosen):
        raise FacilitatorKeyError(
            f"{KEY_VARIABLE} may use only letters, digits, '-' and '_', so that it fits in a link"
        )
    key = chosen or secrets.token_urlsafe(KEY_BYTES)
    environ[DIGEST_VARIABLE] = digest(key)
    return key


def key_matches(given: str | None, environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether ``given`` is this run's facilitator key (never true when the server set no key)."""
    expected = (os.environ if environ is None else environ).get(DIGEST_VARIABLE, "")
    if not given or not expected:
        return False
    return hmac.compare_digest(digest(given), expected)


def address_without_key(path: str, query: str) -> str:
    """``path`` with ``query`` minus any ``key=``: where to send a browser on without the key in its address bar."""
    kept = "&".join(part for part in query.split("&") if part and part.partition("=")[0] != "key")
    return f"{path}?{kept}" if kept else path


_KEY_IN_TEXT = re.compile(r"(key=)[^&\s\"']+")


def scrub(text: str) -> str:
    """``text`` with every ``key=<value>`` blanked: for log lines that quote an address."""
    return _KEY_IN_TEXT.sub(r"\1[hidden]", text)


class KeyScrubber(logging.Filter):
    """A logging filter that blanks ``key=`` values in a record's message and arguments before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {name: scrub(arg) if isinstance(arg, str) else arg for name, arg in record.args.items()}
        return True
