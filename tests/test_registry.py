"""Notebook code cells are parsed, never run: only one registered call (or the import) is allowed."""

from __future__ import annotations

import pytest

import therapy_workshop
from therapy_workshop.model.registry import CALLS, CellError, ImportCell, WorkshopCall, parse_cell

# Every registered call, in the order messages list them.
KNOWN_CALLS = ", ".join(sorted(CALLS))


def test_registered_call_is_parsed_with_its_argument() -> None:
    assert parse_cell('quiz("01-rights")') == WorkshopCall("quiz", {"module_id": "01-rights"})


def test_import_of_registered_names_is_allowed() -> None:
    assert parse_cell("from therapy_workshop import frame, quiz") == ImportCell(("frame", "quiz"))


def test_empty_cell_is_nothing() -> None:
    assert parse_cell("   \n") is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "x = 1",
            'a code cell may hold only one workshop call such as quiz("01-rights"), not other Python code',
        ),
        ('quiz("a")\nquiz("b")', "a code cell may hold only one workshop call, found 2 statements"),
        (
            "print('hi')",
            f"print() is not a workshop call; known calls are {KNOWN_CALLS}",
        ),
        ("quiz(name)", 'quiz() needs a quoted text argument; write it like quiz("01-rights")'),
        ('quiz("a", "b")', 'quiz() takes 1 argument(s), found 2; write it like quiz("01-rights")'),
        ('quiz(module_id="a")', 'quiz() takes no keyword arguments; write it like quiz("01-rights")'),
        (
            "import os",
            'a code cell may hold only one workshop call such as quiz("01-rights"), not other Python code',
        ),
        ("from os import path", "the only import allowed is 'from therapy_workshop import ...'"),
        (
            "from therapy_workshop import ContentError",
            f"cannot import ContentError: known calls are {KNOWN_CALLS}",
        ),
        ("quiz(", "code cell is not valid Python ('(' was never closed)"),
        ('tw.quiz("a")', 'call a workshop function by its plain name, such as quiz("01-rights")'),
    ],
)
def test_anything_but_one_registered_call_is_refused(source: str, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_cell(source)
    assert str(caught.value) == message


def test_every_registered_call_is_exported_by_the_package() -> None:
    for name in CALLS:
        assert name in therapy_workshop.__all__
        assert callable(getattr(therapy_workshop, name))
