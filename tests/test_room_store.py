"""The room store: what a facilitator and participants see, every refusal, and exact counts under concurrency."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.room import store as store_module
from therapy_workshop.room.answers import MAX_ANSWER_BYTES, MAX_KEY_LENGTH
from therapy_workshop.room.catalogue import (
    SCORE_BANDS,
    Activity,
    AnswerOption,
    Catalogue,
    build_catalogue,
    plain_label,
    score_band,
)
from therapy_workshop.room.codes import ALPHABET, CODE_LENGTH, RoomCodeError, new_code, normalise_code
from therapy_workshop.room.limits import RateLimit
from therapy_workshop.room.store import STORE_ENV, STORE_FILE, RoomStore, default_store_path
from therapy_workshop.room.values import (
    ActivityCounts,
    Membership,
    Outcome,
    Recorded,
    RoomFull,
    RoomSettings,
    UnknownActivity,
    UnknownRoom,
)
from therapy_workshop.store.snapshot import from_plain, to_plain


def exactly(text: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(text)}$"


def starts(text: str) -> str:
    """A ``match=`` pattern for a message starting with this text."""
    return f"^{re.escape(text)}"


NOT_A_CODE = f"'AB' is not a room code: a code is {CODE_LENGTH} characters from {ALPHABET}"


class Clock:
    """A clock the test moves by hand (idle rooms, rate limits): no test waits for real time."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def catalogue(workshop: Workshop) -> Catalogue:
    return build_catalogue(workshop)


@pytest.fixture
def wall() -> Clock:
    return Clock()


@pytest.fixture
def ticks() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, catalogue: Catalogue, wall: Clock, ticks: Clock) -> Iterator[RoomStore]:
    with RoomStore(tmp_path / "rooms.sqlite", catalogue, clock=wall, monotonic=ticks) as opened:
        yield opened


def first(catalogue: Catalogue, test: Callable[[Activity], bool]) -> Activity:
    return next(activity for activity in catalogue.values() if test(activity))


@pytest.fixture(scope="module")
def keys(catalogue: Catalogue) -> dict[str, Activity]:
    """One activity of every kind (and both single- and multiple-choice questions) from the real content."""
    return {
        "single": first(catalogue, lambda a: a.kind == "quiz" and not a.multiple and len(a.options) > 2),
        "multiple": first(catalogue, lambda a: a.kind == "quiz" and a.multiple),
        "sort": first(catalogue, lambda a: a.kind == "sort"),
        "order": first(catalogue, lambda a: a.kind == "order"),
        "choice": first(catalogue, lambda a: a.kind == "choice" and len(a.options) > 1),
        "ending": first(catalogue, lambda a: a.kind == "ending"),
        "assessment": first(catalogue, lambda a: a.kind == "assessment"),
    }


def tally(activity: Activity, answerers: int, chosen: dict[str, int]) -> ActivityCounts:
    """What the store should report for ``activity``: ``chosen`` counts, zero for every other option it has."""
    values = [option.value for option in activity.options]
    assert set(chosen) <= set(values), f"{sorted(chosen)} are not all options of {activity.key} ({values})"
    return ActivityCounts(answerers, {value: chosen.get(value, 0) for value in values})


def raw_rows(path: Path, code: str) -> dict[str, int]:
    """Rows about a room, read straight from the file by a connection of the test's own."""
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (code,)).fetchone()[0]
            for table, column in (("rooms", "code"), ("participants", "room"), ("answers", "room"), ("reveals", "room"))
        }


# ---------------------------------------------------------------------------------------------- codes
def test_codes_are_six_characters_easy_to_read_aloud() -> None:
    codes = [new_code() for _ in range(2000)]
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert len(set(codes)) > 1990  # random, not a sequence


def test_a_typed_code_is_read_forgivingly_but_only_from_the_alphabet() -> None:
    assert normalise_code(" abc-d23 ") == "ABCD23"
    with pytest.raises(RoomCodeError, match=starts("'ABC0EF' is not a room code")):
        normalise_code("ABC0EF")
    with pytest.raises(RoomCodeError) as error:
        normalise_code("AB")
    assert str(error.value) == NOT_A_CODE
    with pytest.raises(RoomCodeError, match=starts("a int is not a room code")):
        normalise_code(123456)


def test_several_rooms_are_open_at_once_with_codes_unique_among_them(
    store: RoomStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(store_module, "new_code", lambda: next(drawn))
    first_room = store.open_room()
    second_room = store.open_room(RoomSettings(minimum_count=3))
    assert (first_room.code, second_room.code) == ("AAAAAA", "BBBBBB")
    assert [room.code for room in store.open_rooms()] == ["AAAAAA", "BBBBBB"]
    assert store.room("bbbbbb").settings.minimum_count == 3


def test_room_settings_say_what_is_allowed() -> None:
    with pytest.raises(ValueError, match=exactly("the minimum count is 1 to 1000 answerers, not 0")):
        RoomSettings(minimum_count=0)
    with pytest.raises(ValueError, match=exactly("the idle time is 60 seconds to 7 days, not 5 seconds")):
        RoomSettings(idle_seconds=5)
    with pytest.raises(ValueError, match=exactly("a room takes 1 to 100000 participants, not 0")):
        RoomSettings(max_participants=0)


# ---------------------------------------------------------------------------------------------- a room's life
def test_bars_appear_only_once_the_minimum_has_answered(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    tokens = [store.join(room.code) for _ in range(6)]
    assert store.participants(room.code) == 6
    key = keys["single"].key
    for number, token in enumerate(tokens[:4]):
        assert store.record(room.code, token, key, [number % 2]).counted
    results = store.visible_counts(room.code)
    assert results.shown == {}
    assert results.waiting == {key: 4}
    assert (results.participants, results.minimum_count) == (6, 5)

    assert store.record(room.code, tokens[4], key, [2]).counted
    shown = store.visible_counts(room.code).shown[key]
    assert shown.answerers == 5
    assert shown.options == {"0": 2, "1": 2, "2": 1, **{str(i): 0 for i in range(3, len(keys["single"].options))}}
    assert shown.percent("0") == 40.0


def test_a_multiple_choice_answer_counts_each_option_ticked(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    activity = keys["multiple"]
    for answer in ([0, 2], [2], [2, 0]):
        assert store.record(room.code, store.join(room.code), activity.key, answer).counted
    assert store.counts(room.code) == {activity.key: tally(activity, 3, {"0": 2, "2": 3})}
    assert store.counts(room.code)[activity.key].percent("2") == 100.0


def test_every_kind_of_activity_is_counted(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    token = store.join(room.code)
    answers: dict[str, object] = {
        keys["single"].key: [1],
        keys["multiple"].key: [0, 1],
        keys["sort"].key: keys["sort"].options[-1].value,
        keys["order"].key: "not-right",
        keys["choice"].key: 1,
        keys["ending"].key: keys["ending"].options[0].value,
        keys["assessment"].key: "50-74",
    }
    outcomes = store.record_many(room.code, token, answers)
    assert outcomes == dict.fromkeys(answers, Recorded(Outcome.COUNTED))
    counts = store.counts(room.code)
    assert list(counts) == [key for key in store.catalogue if key in answers]  # the workshop's order
    assert counts == {
        keys["single"].key: tally(keys["single"], 1, {"1": 1}),
        keys["multiple"].key: tally(keys["multiple"], 1, {"0": 1, "1": 1}),
        keys["sort"].key: tally(keys["sort"], 1, {keys["sort"].options[-1].value: 1}),
        keys["order"].key: ActivityCounts(1, {"right": 0, "not-right": 1}),
        keys["choice"].key: tally(keys["choice"], 1, {"1": 1}),
        keys["ending"].key: tally(keys["ending"], 1, {keys["ending"].options[0].value: 1}),
        keys["assessment"].key: ActivityCounts(1, {"0-49": 0, "50-74": 1, "75-100": 0}),
    }


def test_the_first_answer_counts_across_reloads(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    token = store.join(room.code)
    key = keys["single"].key
    assert store.record(room.code, token, key, [0]).outcome is Outcome.COUNTED
    # A reload: the page comes back with the token its browser kept, and the learner answers again.
    assert store.join(room.code, token) == token
    again = store.record(room.code, token, key, [1])
    assert again.outcome is Outcome.ALREADY_ANSWERED and again.reason == ""
    assert store.counts(room.code) == {key: tally(keys["single"], 1, {"0": 1})}  # the first answer, once
    assert store.participants(room.code) == 1


def test_a_token_from_elsewhere_gets_a_new_one(store: RoomStore) -> None:
    room, other = store.open_room(), store.open_room()
    token = store.join(other.code)
    fresh = store.join(room.code, token)
    assert fresh != token and len(fresh) == 22
    assert store.membership(room.code, token) is Membership.NOT_JOINED
    assert store.membership(room.code, fresh) is Membership.JOINED


def test_a_leaver_is_not_counted_after_leaving(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    staying, leaving = store.join(room.code), store.join(room.code)
    single, sort = keys["single"].key, keys["sort"].key
    assert store.record(room.code, leaving, single, [0]).counted
    assert store.leave(room.code, leaving) is True
    assert store.leave(room.code, leaving) is False
    assert store.participants(room.code) == 1
    assert store.membership(room.code, leaving) is Membership.LEFT
    refused = store.record(room.code, leaving, sort, keys["sort"].options[0].value)
    assert refused.outcome is Outcome.REFUSED
    assert refused.reason == f"this participant left room {room.code}: answers after leaving are not counted"
    assert store.record(room.code, staying, sort, keys["sort"].options[0].value).counted
    # What was counted before leaving stays: bars that shrink would tell the room what the leaver had answered.
    counted_before_and_after = {
        single: tally(keys["single"], 1, {"0": 1}),
        sort: tally(keys["sort"], 1, {keys["sort"].options[0].value: 1}),  # the one who stayed, not the leaver
    }
    assert store.counts(room.code) == counted_before_and_after
    # Joining again with the kept token is the same participant: the earlier answer still counts once.
    assert store.join(room.code, leaving) == leaving
    assert store.record(room.code, leaving, single, [1]).outcome is Outcome.ALREADY_ANSWERED
    assert store.participants(room.code) == 2
    assert store.counts(room.code) == counted_before_and_after


def test_a_room_takes_only_as_many_as_its_settings_allow(store: RoomStore) -> None:
    room = store.open_room(RoomSettings(max_participants=2))
    store.join(room.code)
    kept = store.join(room.code)
    with pytest.raises(RoomFull, match=exactly(f"room {room.code} is full: it takes 2 participants")):
        store.join(room.code)
    store.leave(room.code, kept)
    assert store.join(room.code, kept) == kept  # a returning participant is not a new one


def test_asking_about_a_room_that_is_not_open(store: RoomStore) -> None:
    with pytest.raises(UnknownRoom, match=exactly("no open room has the code ABCDEF (it may have ended)")):
        store.join("ABCDEF")
    with pytest.raises(UnknownRoom) as error:
        store.counts("AB")
    assert str(error.value) == NOT_A_CODE
    assert store.end("ABCDEF") is False
    assert store.end("not a code") is False


# ---------------------------------------------------------------------------------------------- refusals
def refusals(keys: dict[str, Activity]) -> list[tuple[str, str, object, str]]:
    """(what, activity key, answer, the exact reason) for every kind of answer the content does not allow."""
    single, multiple, sort, choice, ending = (keys[k] for k in ("single", "multiple", "sort", "choice", "ending"))
    last_option, last_choice = len(single.options) - 1, len(choice.options) - 1
    categories = ", ".join(option.value for option in sort.options)
    endings = ", ".join(option.value for option in ending.options)
    return [
        (
            "unknown activity",
            "quiz:01-rights:no-such-question",
            [0],
            "unknown activity 'quiz:01-rights:no-such-question'",
        ),
        ("unknown kind", "poll:anything", "yes", "unknown activity 'poll:anything'"),
        ("quiz answer not a list", single.key, 1, "a quiz answer is a list of option indexes such as [0], not 1"),
        ("two options for single", single.key, [0, 1], "this question takes exactly one option, not 2"),
        ("no option for single", single.key, [], "this question takes exactly one option, not 0"),
        (
            "option out of range",
            single.key,
            [9],
            f"option 9 is out of range: this question has options 0 to {last_option}",
        ),
        (
            "negative option",
            single.key,
            [-1],
            f"option -1 is out of range: this question has options 0 to {last_option}",
        ),
        ("option as text", single.key, ["0"], "a quiz answer lists option indexes (whole numbers), not '0'"),
        ("option as bool", single.key, [True], "a quiz answer lists option indexes (whole numbers), not True"),
        ("option as float", single.key, [0.0], "a quiz answer lists option indexes (whole numbers), not 0.0"),
        ("option twice", multiple.key, [0, 0], "option 0 is given twice"),
        ("no option for multiple", multiple.key, [], "a multiple-choice answer needs at least one option"),
        ("unknown category", sort.key, "purple", f"'purple' is not a category of this exercise ({categories})"),
        ("category as index", sort.key, 0, f"0 is not a category of this exercise ({categories})"),
        ("ordering word", keys["order"].key, "yes", "an ordering answer is 'right' or 'not-right', not 'yes'"),
        (
            "choice out of range",
            choice.key,
            last_choice + 1,
            f"choice {last_choice + 1} is out of range: this point of the story has choices 0 to {last_choice}",
        ),
        (
            "choice as list",
            choice.key,
            [0],
            "a scenario choice is the index of the choice taken (a whole number), not [0]",
        ),
        ("not an ending", ending.key, "no-such-node", f"'no-such-node' is not an ending of this scenario ({endings})"),
        ("score not a band", keys["assessment"].key, "33", "a score band is one of 0-49, 50-74, 75-100, not '33'"),
        ("score as number", keys["assessment"].key, 60, "a score band is one of 0-49, 50-74, 75-100, not 60"),
        (
            "oversized answer",
            sort.key,
            "x" * MAX_ANSWER_BYTES,
            f"the answer is larger than {MAX_ANSWER_BYTES} bytes as JSON",
        ),
        (
            "oversized list",
            multiple.key,
            list(range(150)),
            f"the answer is larger than {MAX_ANSWER_BYTES} bytes as JSON",
        ),
        (
            "oversized nested",
            sort.key,
            {"a": ["é" * 60] * 2},
            f"the answer is larger than {MAX_ANSWER_BYTES} bytes as JSON",
        ),
        ("not JSON", sort.key, {1, 2}, "the answer is not JSON data (a set)"),
        (
            "oversized key",
            "q" * (MAX_KEY_LENGTH + 1),
            [0],
            f"the activity key is longer than {MAX_KEY_LENGTH} characters",
        ),
    ]


def test_every_answer_the_content_does_not_allow_is_refused_saying_why(
    store: RoomStore, keys: dict[str, Activity], caplog: pytest.LogCaptureFixture
) -> None:
    room = store.open_room()
    token = store.join(room.code)
    caplog.set_level(logging.WARNING, logger="therapy_workshop.room")
    for what, key, answer, reason in refusals(keys):
        recorded = store.record(room.code, token, key, answer)
        assert (what, recorded.outcome, recorded.reason) == (what, Outcome.REFUSED, reason)
    assert store.counts(room.code) == {}
    assert raw_rows(store.path, room.code)["answers"] == 0
    # Each refusal is logged with the room and the reason, and never with the participant's token.
    assert len(caplog.records) == len(refusals(keys))
    assert all(room.code in record.getMessage() for record in caplog.records)
    assert all(token not in record.getMessage() for record in caplog.records)


def test_writes_from_outside_a_room_are_refused(
    store: RoomStore, keys: dict[str, Activity], caplog: pytest.LogCaptureFixture
) -> None:
    room = store.open_room()
    member = store.join(room.code)
    never_joined = "x" * 22
    key, answer = keys["single"].key, [0]
    caplog.set_level(logging.WARNING, logger="therapy_workshop.room")
    cases = [
        ("ABCDEF", member, "no open room has the code ABCDEF (it may have ended)"),
        ("AB", member, NOT_A_CODE),
        (room.code, never_joined, f"this participant has not joined room {room.code}"),
        (room.code, "", "the participant token is not valid"),
        (room.code, "t" * 65, "the participant token is not valid"),
        (room.code, None, "the participant token is not valid"),
    ]
    for code, token, reason in cases:
        recorded = store.record(code, token, key, answer)
        assert (code, recorded.outcome, recorded.reason) == (code, Outcome.REFUSED, reason)
    assert store.record(room.code, member, 42, answer).reason == "an activity key is text, not a int"
    store.end(room.code)
    ended = store.record(room.code, member, key, answer)
    assert ended.reason == f"no open room has the code {room.code} (it may have ended)"
    assert all(
        member not in record.getMessage() and never_joined not in record.getMessage() for record in caplog.records
    )


def test_sql_metacharacters_are_only_ever_data(tmp_path: Path, store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    token = store.join(room.code)
    nasty = ["'; DROP TABLE answers; --", '" OR 1=1 --', "%", "_", "\\", "\x00", "' OR '1'='1", "); DELETE FROM rooms;"]
    for text in nasty:
        assert store.record(text, token, keys["single"].key, [0]).outcome is Outcome.REFUSED
        assert store.record(room.code, text, keys["single"].key, [0]).reason.startswith("this participant has not")
        assert store.record(room.code, token, text, [0]).reason.startswith("unknown activity")
        categories = ", ".join(option.value for option in keys["sort"].options)
        assert store.record(room.code, token, keys["sort"].key, text).reason == (
            f"{text!r} is not a category of this exercise ({categories})"
        )
        assert store.join(room.code, text) != text
        assert store.membership(room.code, text) is Membership.NOT_JOINED
    assert store.participants(room.code) == 1 + len(nasty)
    assert raw_rows(store.path, room.code) == {"rooms": 1, "participants": 1 + len(nasty), "answers": 0, "reveals": 0}

    # Content whose own keys and values are full of SQL is stored and counted exactly as written.
    odd = "x'); DROP TABLE rooms; --"
    catalogue = Catalogue(
        [Activity(odd, "sort", None, "x", "Group", "Label", (AnswerOption(odd, "a"), AnswerOption("%_", "b")))]
    )
    with RoomStore(tmp_path / "odd.sqlite", catalogue) as odd_store:
        odd_room = odd_store.open_room()
        assert odd_store.record(odd_room.code, odd_store.join(odd_room.code), odd, odd).counted
        assert odd_store.record(odd_room.code, odd_store.join(odd_room.code), odd, "%_").counted
        assert odd_store.counts(odd_room.code) == {odd: ActivityCounts(2, {odd: 1, "%_": 1})}
        odd_store.set_reveal(odd_room.code, odd, True)
        assert odd_store.revealed(odd_room.code) == {odd}
        assert raw_rows(odd_store.path, odd_room.code)["rooms"] == 1


def test_participants_are_rate_limited(
    store: RoomStore, keys: dict[str, Activity], ticks: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The default leaves room for twice the largest action: checking every item of the biggest sort at once.
    sizes = Counter(key.rsplit(":", 1)[0] for key in store.catalogue if key.startswith("sort:"))
    assert store.rate_limit == RateLimit(writes=max(20, 2 * max(sizes.values())), seconds=10)
    room = store.open_room()
    token = store.join(room.code)
    exercise, size = sizes.most_common(1)[0]
    batch = {key: store.catalogue[key].options[0].value for key in store.catalogue if key.startswith(exercise + ":")}
    assert len(batch) == size
    assert store.record_many(room.code, token, batch) == dict.fromkeys(batch, Recorded(Outcome.COUNTED))
    whole_sort = {key: tally(store.catalogue[key], 1, {value: 1}) for key, value in batch.items()}
    assert store.counts(room.code) == whole_sort
    too_many = {key: [0] for key in list(store.catalogue)[: store.rate_limit.writes + 1]}
    assert set(store.record_many(room.code, token, too_many).values()) == {
        Recorded(Outcome.REFUSED, f"too many answers in one write: at most {store.rate_limit.writes}")
    }
    assert store.counts(room.code) == whole_sort  # none of the refused write was counted

    with RoomStore(
        tmp_path / "limited.sqlite", store.catalogue, rate_limit=RateLimit(3, 10), monotonic=ticks
    ) as limited:
        room = limited.open_room()
        eager, calm = limited.join(room.code), limited.join(room.code)
        quiz_keys = [key for key in limited.catalogue if key.startswith("quiz:")]
        assert [limited.record(room.code, eager, key, [0]).outcome for key in quiz_keys[:3]] == [Outcome.COUNTED] * 3
        caplog.set_level(logging.WARNING, logger="therapy_workshop.room")
        for _ in range(5):
            refused = limited.record(room.code, eager, quiz_keys[3], [0])
            assert refused.reason == "too many answers from this participant: at most 3 answers in 10 seconds"
        assert (
            len([r for r in caplog.records if "from this participant" in r.getMessage()]) == 1
        )  # a flood is logged once
        # Another participant is unaffected; and refused answers count against the window too, so a flood of
        # forged ones is slowed like real ones.
        assert limited.record(room.code, calm, "forged", [0]).reason == "unknown activity 'forged'"
        assert limited.record(room.code, calm, "forged", [0]).reason == "unknown activity 'forged'"
        assert limited.record(room.code, calm, quiz_keys[3], [0]).counted
        assert limited.record(room.code, calm, quiz_keys[4], [0]).outcome is Outcome.REFUSED
        ticks.now += 10
        assert limited.record(room.code, eager, quiz_keys[3], [0]).counted
        # Counted: the eager participant's first three and, once the window passed, the fourth; the calm one's one.
        counted = {0: 1, 1: 1, 2: 1, 3: 2}
        assert limited.counts(room.code) == {
            quiz_keys[i]: tally(limited.catalogue[quiz_keys[i]], n, {"0": n}) for i, n in counted.items()
        }


# ---------------------------------------------------------------------------------------------- reveal
def test_revealed_bars_reach_only_participants_who_answered(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room(RoomSettings(minimum_count=2))
    answered = [store.join(room.code) for _ in range(3)]
    watcher = store.join(room.code)
    key, first_category = keys["sort"].key, keys["sort"].options[0].value
    for token in answered:
        assert store.record(room.code, token, key, first_category).counted
    assert store.revealed(room.code) == frozenset()
    assert store.shared_with(room.code, answered[0]) == {}  # off until the facilitator says

    store.set_reveal(room.code, key, True)
    assert store.revealed(room.code) == {key}
    assert store.shared_with(room.code, answered[0]) == {key: tally(keys["sort"], 3, {first_category: 3})}
    assert store.shared_with(room.code, watcher) == {}
    store.leave(room.code, answered[1])
    assert store.shared_with(room.code, answered[1]) == {}

    store.set_reveal(room.code, key, False)
    assert store.shared_with(room.code, answered[0]) == {}
    with pytest.raises(UnknownActivity, match=exactly("unknown activity 'quiz:nothing'")):
        store.set_reveal(room.code, "quiz:nothing", True)


def test_revealed_bars_still_wait_for_the_minimum(store: RoomStore, keys: dict[str, Activity]) -> None:
    room = store.open_room()
    token = store.join(room.code)
    assert store.record(room.code, token, keys["order"].key, "right").counted
    store.set_reveal(room.code, keys["order"].key, True)
    assert store.counts(room.code) == {keys["order"].key: ActivityCounts(1, {"right": 1, "not-right": 0})}
    assert store.shared_with(room.code, token) == {}  # one answer, under the minimum of 5


# ---------------------------------------------------------------------------------------------- ending
def test_ending_a_room_deletes_everything_about_it(store: RoomStore, keys: dict[str, Activity]) -> None:
    room, other = store.open_room(), store.open_room()
    key = keys["ending"].key  # answered only in the room that ends
    for _ in range(3):
        assert store.record(room.code, store.join(room.code), key, keys["ending"].options[0].value).counted
    store.set_reveal(room.code, key, True)
    assert store.record(other.code, store.join(other.code), keys["single"].key, [0]).counted
    assert raw_rows(store.path, room.code) == {"rooms": 1, "participants": 3, "answers": 3, "reveals": 1}

    assert store.end(room.code) is True
    assert raw_rows(store.path, room.code) == {"rooms": 0, "participants": 0, "answers": 0, "reveals": 0}
    assert raw_rows(store.path, other.code) == {"rooms": 1, "participants": 1, "answers": 1, "reveals": 0}
    with pytest.raises(UnknownRoom):
        store.counts(room.code)
    assert store.counts(other.code) == {keys["single"].key: tally(keys["single"], 1, {"0": 1})}
    assert store.end(room.code) is False
    # Deleted from the file, not only unlisted: the ended room's activity and code are nowhere in its bytes.
    # Read while the store is still open, so its write-ahead log is there too (closing would fold it in).
    files = [store.path, Path(f"{store.path}-wal")]
    assert files[1].exists()
    data = b"".join(path.read_bytes() for path in files)
    assert key.encode() not in data
    assert room.code.encode() not in data
    assert other.code.encode() in data


def test_an_idle_room_ends_by_itself(store: RoomStore, keys: dict[str, Activity], wall: Clock) -> None:
    quiet = store.open_room(RoomSettings(idle_seconds=600))
    busy = store.open_room(RoomSettings(idle_seconds=600))
    token = store.join(busy.code)
    wall.now += 500
    assert store.record(busy.code, token, keys["single"].key, [0]).counted  # an answer is activity
    wall.now += 200
    assert store.end_idle() == [quiet.code]
    assert raw_rows(store.path, quiet.code)["rooms"] == 0
    assert store.participants(busy.code) == 1
    assert store.counts(busy.code) == {keys["single"].key: tally(keys["single"], 1, {"0": 1})}
    wall.now += 601
    # Past its time a room is closed to everyone at once, before anything sweeps it.
    with pytest.raises(UnknownRoom):
        store.counts(busy.code)
    assert store.record(busy.code, token, keys["sort"].key, keys["sort"].options[0].value).reason.startswith("no open")
    assert raw_rows(store.path, busy.code) == {"rooms": 0, "participants": 0, "answers": 0, "reveals": 0}
    assert store.end_idle() == []


def test_stopping_the_server_removes_the_store(store: RoomStore) -> None:
    store.join(store.open_room().code)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.close_all_and_delete()
    assert not any(store.path.parent.glob(f"{store.path.name}*"))
    with pytest.raises(RuntimeError, match="is closed"):
        store.open_room()


def test_the_store_lives_where_the_server_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "here.sqlite"))
    assert default_store_path() == tmp_path / "here.sqlite"
    monkeypatch.delenv(STORE_ENV)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    assert default_store_path() == tmp_path / "runtime" / STORE_FILE


# ---------------------------------------------------------------------------------------------- processes
PER_PROCESS = 50


def planned(keys: dict[str, Activity], participant: int) -> dict[str, object]:
    """The answers participant number ``participant`` gives: varied, and computable by the test as well."""
    sort, choice, single = keys["sort"], keys["choice"], keys["single"]
    return {
        single.key: [participant % len(single.options)],
        keys["multiple"].key: sorted({participant % 3, (participant + 1) % 4}),
        sort.key: sort.options[participant % len(sort.options)].value,
        choice.key: participant % len(choice.options),
        keys["assessment"].key: SCORE_BANDS[participant % 3][0],
    }


def answer_as_participants(
    path: Path, catalogue: Catalogue, keys: dict[str, Activity], code: str, worker: int, start: Any
) -> None:
    start.wait()
    with RoomStore(path, catalogue) as store:
        for number in range(PER_PROCESS):
            token = store.join(code)
            for key, answer in planned(keys, worker * PER_PROCESS + number).items():
                assert store.record(code, token, key, answer).counted
            assert store.record(code, token, keys["single"].key, [0]).outcome is Outcome.ALREADY_ANSWERED


def open_a_room(path: Path, catalogue: Catalogue, start: Any, codes: Any) -> None:
    start.wait()
    with RoomStore(path, catalogue) as store:
        codes.put(store.open_room().code)


def test_eight_kernels_create_the_store_at_once(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "new" / "rooms.sqlite"
    context = multiprocessing.get_context("fork")  # the catalogue is inherited, not rebuilt in each
    codes, start = context.SimpleQueue(), context.Barrier(8)
    processes = [context.Process(target=open_a_room, args=(path, catalogue, start, codes)) for _ in range(8)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0] * 8
    opened = {codes.get() for _ in range(8)}
    with RoomStore(path, catalogue) as store:
        assert {room.code for room in store.open_rooms()} == opened
    assert len(opened) == 8


def test_counts_are_exact_with_eight_kernels_writing_at_once(
    tmp_path: Path, catalogue: Catalogue, keys: dict[str, Activity]
) -> None:
    path = tmp_path / "rooms.sqlite"
    with RoomStore(path, catalogue) as store:
        code = store.open_room().code
    # Nothing of the parent's connection crosses the fork: each process opens the file itself, as kernels do.
    context = multiprocessing.get_context("fork")
    start = context.Barrier(8)
    processes = [
        context.Process(target=answer_as_participants, args=(path, catalogue, keys, code, worker, start))
        for worker in range(8)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0] * 8

    expected: dict[str, Counter[str]] = {}
    for participant in range(8 * PER_PROCESS):
        for key, answer in planned(keys, participant).items():
            values = [str(index) for index in answer] if isinstance(answer, list) else [str(answer)]
            expected.setdefault(key, Counter()).update(values)
    with RoomStore(path, catalogue) as store:
        assert store.participants(code) == 8 * PER_PROCESS
        counts = store.counts(code)
    assert counts == {key: tally(catalogue[key], 8 * PER_PROCESS, dict(values)) for key, values in expected.items()}


# ---------------------------------------------------------------------------------------------- catalogue
def test_the_catalogue_covers_every_countable_activity_of_the_content(
    workshop: Workshop, catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    expected: set[str] = set()
    for module_id, quiz in workshop.quizzes.items():
        for question in quiz.questions:
            activity = catalogue[f"quiz:{module_id}:{question.id}"]
            assert [option.expected for option in activity.options] == [option.correct for option in question.options]
            assert activity.multiple == (question.kind == "multiple")
            assert activity.module_id == module_id and activity.debrief == "quiz"
            expected.add(activity.key)
    for exercise in workshop.exercises.values():
        if exercise.kind == "categorise":
            for item in exercise.items:
                activity = catalogue[f"sort:{exercise.id}:{item.id}"]
                assert activity.expected_values == (item.category,)
                assert [option.value for option in activity.options] == exercise.category_ids
                expected.add(activity.key)
        else:
            assert catalogue[f"order:{exercise.id}"].expected_values == ("right",)
            expected.add(f"order:{exercise.id}")
    for scenario in workshop.scenarios.values():
        for node_id, node in scenario.nodes.items():
            if not node.is_ending:
                assert len(catalogue[f"choice:{scenario.id}:{node_id}"].options) == len(node.choices)
                expected.add(f"choice:{scenario.id}:{node_id}")
        ending = catalogue[f"ending:{scenario.id}"]
        assert {option.value: option.note for option in ending.options} == {
            node_id: node.ending for node_id, node in scenario.endings.items()
        }
        expected.add(ending.key)
    bank = workshop.activities.assessment
    assert bank is not None
    for when in ("pre", "post"):
        for topic in bank.topics:
            assert catalogue[f"assessment:{when}:{topic.id}"].label == topic.label
            expected.add(f"assessment:{when}:{topic.id}")
    assert set(catalogue) == expected
    assert catalogue.largest_batch == max(len(e.items) for e in workshop.exercises.values() if e.kind == "categorise")

    started = time.perf_counter()
    build_catalogue(workshop)
    with capsys.disabled():
        print(f"\ncatalogue of {len(catalogue)} activities built in {1000 * (time.perf_counter() - started):.1f} ms")


def test_a_kernel_builds_the_same_catalogue_from_the_snapshot(workshop: Workshop) -> None:
    # The snapshot's round trip, in memory: the light records a kernel reads instead of the pydantic models.
    records = from_plain(json.loads(json.dumps(to_plain(workshop))), workshop.root)
    assert type(records.quizzes["01-rights"]).__module__ == "therapy_workshop.store.snapshot"
    assert build_catalogue(records) == build_catalogue(workshop)


def test_labels_are_short_plain_text(catalogue: Catalogue) -> None:
    labels = [activity.label for activity in catalogue.values()]
    labels += [option.label for activity in catalogue.values() for option in activity.options]
    assert all(label and len(label) <= 140 for label in labels)
    assert not [label for label in labels if "**" in label or "](" in label or "<" in label]
    assert (
        plain_label("**True or false?** See [the code](https://example.org) _now_") == "True or false? See the code now"
    )
    long = plain_label("word " * 60)
    assert long.endswith("…") and len(long) <= 140 and "  " not in long


def test_assessment_scores_fall_into_three_bands() -> None:
    assert [score_band(right, 3) for right in range(4)] == ["0-49", "0-49", "50-74", "75-100"]
    assert [score_band(right, 4) for right in range(5)] == ["0-49", "0-49", "50-74", "75-100", "75-100"]
    assert score_band(49, 100) == "0-49" and score_band(74, 100) == "50-74"
    with pytest.raises(ValueError, match=exactly("a topic score is 0 to 3 right out of 3, not 4")):
        score_band(4, 3)


def test_the_room_code_brings_no_validation_library_into_a_kernel() -> None:
    # Widget libraries come with the package's own __init__ (a kernel has them anyway); that the room code
    # itself imports none of them is import-linter's contract (make lint).
    code = (
        "import sys, therapy_workshop.room.store, therapy_workshop.room.catalogue;"
        "print(sorted(m for m in ('pydantic', 'yaml') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert result.stdout.strip() == "[]"
