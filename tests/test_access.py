"""The facilitator's key: made per run or chosen, checked in constant time, never written to a log."""

from __future__ import annotations

import logging

import pytest

from therapy_workshop.shell import access


def test_each_run_makes_a_new_key_of_at_least_128_bits_and_leaves_only_its_digest() -> None:
    first: dict[str, str] = {}
    second: dict[str, str] = {}
    key = access.facilitator_key(first)
    assert key != access.facilitator_key(second)
    assert len(key) >= 43  # 32 random bytes, URL-safe base64
    assert first == {access.DIGEST_VARIABLE: access.digest(key)}
    assert key not in first.values()


def test_a_chosen_key_is_used_for_a_planned_session() -> None:
    environ = {access.KEY_VARIABLE: "planned-session-key-0123456789"}
    assert access.facilitator_key(environ) == "planned-session-key-0123456789"
    assert access.key_matches("planned-session-key-0123456789", environ)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (
            "short",
            "FACILITATOR_KEY is 5 characters long; use at least 22 random characters (for example the output of: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), or leave it unset for a new key each run",
        ),
        (
            "this key has spaces in it!",
            "FACILITATOR_KEY may use only letters, digits, '-' and '_', so that it fits in a link",
        ),
    ],
)
def test_a_chosen_key_that_cannot_be_used_is_refused_with_a_reason(chosen: str, message: str) -> None:
    with pytest.raises(access.FacilitatorKeyError) as caught:
        access.facilitator_key({access.KEY_VARIABLE: chosen})
    assert str(caught.value) == message


def test_only_the_runs_key_matches() -> None:
    environ: dict[str, str] = {}
    key = access.facilitator_key(environ)
    assert access.key_matches(key, environ)
    for wrong in (None, "", key[:-1], key + "x", key.upper()):
        assert not access.key_matches(wrong, environ)


def test_no_key_matches_when_the_server_set_none() -> None:
    assert not access.key_matches("anything-at-all-that-is-long", {})


def test_log_lines_never_carry_the_key() -> None:
    record = logging.LogRecord(
        "tornado.access", logging.WARNING, __file__, 1, "%d GET %s", (403, "/?view=facilitator&key=s3cret&x=1"), None
    )
    access.KeyScrubber().filter(record)
    assert record.getMessage() == "403 GET /?view=facilitator&key=[hidden]&x=1"
    assert access.scrub('url="/room/results.csv?key=abc"') == 'url="/room/results.csv?key=[hidden]"'
