"""The scenario condition language: small, parsed, never executed."""

from __future__ import annotations

import pytest

from therapy_workshop.model.conditions import ConditionError, parse_condition

VALUES = {"confidence": 2, "warned": 0, "sessions": 5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("confidence >= 2", True),
        ("confidence > 2", False),
        ("not warned", True),
        ("warned or confidence == 2", True),
        ("warned and confidence == 2", False),
        ("not (sessions < 3) and confidence != 0", True),
        ("sessions - 1", None),  # subtraction is not part of the language
        ("confidence >= -1", True),
        ("1 < 2", True),
    ],
)
def test_conditions_evaluate_like_arithmetic_comparisons(text: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(ConditionError):
            parse_condition(text)
        return
    assert parse_condition(text).evaluate(VALUES) is expected


def test_names_lists_every_variable_read() -> None:
    assert parse_condition("a >= 1 and (not b or c == 2)").names == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", 'unexpected character "\'" at position 12'),
        ("open.read", "unexpected character '.' at position 5"),
        ("x[0]", "unexpected character '[' at position 2"),
        ("f(1)", "unexpected '(' at position 2"),
        ("a ==", "the condition ends too early"),
        ("", "the condition is empty"),
        ("a >= and", "expected a name or number at position 6, found 'and'"),
        ("(a > 1", "the condition ends too early"),
        ("a = 1", "unexpected character '=' at position 3"),
        ("lambda: 1", "unexpected character ':' at position 7"),
    ],
)
def test_anything_outside_the_language_is_refused_with_its_position(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert str(caught.value) == message


def test_undeclared_name_is_an_error_not_zero() -> None:
    with pytest.raises(ConditionError, match="'missing' is not a declared variable"):
        parse_condition("missing > 0").evaluate(VALUES)
