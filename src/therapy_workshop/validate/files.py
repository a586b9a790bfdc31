"""Validating one loaded YAML file against its content model, with every problem located and said plainly.

pydantic's own messages ("Input should be a valid integer") mean little to a content editor; each becomes a
sentence with the file, the line and the key path.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from therapy_workshop.validate.yaml_source import LocatedYaml, Problem

Model = TypeVar("Model", bound=BaseModel)

_PLAIN_MESSAGES = {
    "missing": "this key is required but missing",
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "list_type": "should be a list (lines starting with '- ')",
    "dict_type": "should be a block of 'key: value' lines",
    "model_type": "should be a block of 'key: value' lines",
    "model_attributes_type": "should be a block of 'key: value' lines",
}


def _plain_message(error: Any, model: type[BaseModel]) -> str:
    """Turn one pydantic error into a sentence an editor can act on."""
    kind = error["type"]
    if kind == "string_type" and isinstance(error.get("input"), (bool, int, float)):
        # YAML reads an unquoted True, no, 999 or 000 as a yes/no or a number, not as text.
        return "should be text: put it in quotes"
    if kind in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[kind]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling, or remove it)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"should be one of {expected}"
    if kind == "too_short":
        minimum = error.get("ctx", {}).get("min_length", 1)
        return "should not be empty" if minimum == 1 else f"needs at least {minimum} entries"
    if kind in ("string_too_short",):
        return "should not be empty"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"is out of range ({error['msg'].lower()})"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def validate_file(located: LocatedYaml, model: type[Model]) -> tuple[Model | None, list[Problem]]:
    """Validate loaded YAML against ``model``; on failure return every problem with its line."""
    try:
        return model.model_validate(located.data if located.data is not None else {}), []
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key_path = tuple(part for part in item["loc"] if isinstance(part, (str, int)))
            key_path = tuple("from" if part == "from_percent" else part for part in key_path)
            problems.append(located.problem(key_path, _plain_message(item, model)))
        return None, problems
