"""Checking one answer against the catalogue, and the one string the store keeps for it.

Every write passes through here before the database is touched: too large, not an activity, or not one of the
activity's answers, and it is refused with a sentence saying why. What is kept is only ever one of the
catalogue's option values (for a multiple-choice question, several joined by commas), so the stored text is
content the workshop wrote, never text a client sent.
"""

from __future__ import annotations

import json

from therapy_workshop.room.catalogue import ORDER_NOT_RIGHT, ORDER_RIGHT, SCORE_BANDS, Activity, Catalogue

#: Longest activity key accepted; real keys are under 80 characters.
MAX_KEY_LENGTH = 200
#: Largest answer accepted, measured as compact JSON; the largest real one (six option indexes) is 13 bytes.
MAX_ANSWER_BYTES = 200
#: Separator of option indexes in a stored multiple-choice answer.
INDEX_SEPARATOR = ","


class AnswerRefused(ValueError):
    """An answer the store will not count; the message says why, in words a developer can act on."""


def checked_key(catalogue: Catalogue, key: object) -> Activity:
    """The activity called ``key``; ``AnswerRefused`` if the key is too long, not text, or not an activity."""
    if not isinstance(key, str):
        raise AnswerRefused(f"an activity key is text, not a {type(key).__name__}")
    if len(key) > MAX_KEY_LENGTH:
        raise AnswerRefused(f"the activity key is longer than {MAX_KEY_LENGTH} characters")
    activity = catalogue.get(key)
    if activity is None:
        raise AnswerRefused(f"unknown activity {_shown(key)}")
    return activity


def stored_answer(activity: Activity, answer: object) -> str:
    """The value to keep for ``answer`` to ``activity``, or ``AnswerRefused`` saying what is wrong with it."""
    _check_size(answer)
    if activity.kind == "quiz":
        return _quiz_answer(activity, answer)
    if activity.kind == "choice":
        return _index_answer(activity, answer)
    if isinstance(answer, str) and answer in activity.values:
        return answer
    allowed = ", ".join(option.value for option in activity.options)
    if activity.kind == "sort":
        raise AnswerRefused(f"{_shown(answer)} is not a category of this exercise ({allowed})")
    if activity.kind == "order":
        raise AnswerRefused(f"an ordering answer is {ORDER_RIGHT!r} or {ORDER_NOT_RIGHT!r}, not {_shown(answer)}")
    if activity.kind == "ending":
        raise AnswerRefused(f"{_shown(answer)} is not an ending of this scenario ({allowed})")
    bands = ", ".join(value for value, _low, _high in SCORE_BANDS)
    raise AnswerRefused(f"a score band is one of {bands}, not {_shown(answer)}")


def answer_values(activity: Activity, stored: str) -> list[str]:
    """The option values a stored answer counts for: several for a multiple-choice answer, else itself."""
    return stored.split(INDEX_SEPARATOR) if activity.kind == "quiz" else [stored]


def _check_size(answer: object) -> None:
    # A list longer than the limit in bytes cannot fit; refusing it first keeps a huge one from being serialised.
    if isinstance(answer, list | tuple) and len(answer) > MAX_ANSWER_BYTES // 2:
        raise AnswerRefused(f"the answer is larger than {MAX_ANSWER_BYTES} bytes as JSON")
    try:
        size = len(json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise AnswerRefused(f"the answer is not JSON data (a {type(answer).__name__})") from None
    if size > MAX_ANSWER_BYTES:
        raise AnswerRefused(f"the answer is larger than {MAX_ANSWER_BYTES} bytes as JSON")


def _quiz_answer(activity: Activity, answer: object) -> str:
    if not isinstance(answer, list | tuple):
        raise AnswerRefused(f"a quiz answer is a list of option indexes such as [0], not {_shown(answer)}")
    indexes: list[int] = []
    for item in answer:
        index = _index(activity, item, "a quiz answer lists option indexes (whole numbers)")
        if index in indexes:
            raise AnswerRefused(f"option {index} is given twice")
        indexes.append(index)
    if activity.multiple:
        if not indexes:
            raise AnswerRefused("a multiple-choice answer needs at least one option")
    elif len(indexes) != 1:
        raise AnswerRefused(f"this question takes exactly one option, not {len(indexes)}")
    return INDEX_SEPARATOR.join(str(index) for index in sorted(indexes))


def _index_answer(activity: Activity, answer: object) -> str:
    return str(_index(activity, answer, "a scenario choice is the index of the choice taken (a whole number)"))


def _index(activity: Activity, value: object, what: str) -> int:
    # bool is an int to Python, but True is not an option index.
    if not isinstance(value, int) or isinstance(value, bool):
        raise AnswerRefused(f"{what}, not {_shown(value)}")
    if str(value) not in activity.values:
        last = len(activity.options) - 1
        if activity.kind == "quiz":
            raise AnswerRefused(f"option {value} is out of range: this question has options 0 to {last}")
        raise AnswerRefused(f"choice {value} is out of range: this point of the story has choices 0 to {last}")
    return value


def _shown(value: object) -> str:
    """A client's value in a message or log line: quoted, escaped (no line breaks) and cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
