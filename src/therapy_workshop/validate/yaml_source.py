"""Read YAML while remembering where every key came from.

Content editors fix problems by line number, so every value we load keeps the line it was written on.
PyYAML's ``compose`` step gives us the node tree with marks; we build plain Python data from it and a
map from key path (``("questions", 2, "options")``) to line number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Re-exported: callers that load YAML also report problems.
from therapy_workshop.model.problems import ContentError, KeyPath, Problem, format_key_path

__all__ = ["ContentError", "KeyPath", "LocatedYaml", "Problem", "format_key_path", "load_located_yaml"]


@dataclass
class LocatedYaml:
    """Plain data loaded from one YAML file plus the line of every key path in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: Sequence[str | int]) -> int | None:
        """Line of ``key_path``, or of its nearest ancestor that exists in the file.

        A missing key has no line of its own; the mapping that should hold it is the next best place to look.
        """
        path = tuple(key_path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, key_path: Sequence[str | int], message: str) -> Problem:
        """A :class:`Problem` located at ``key_path`` in this file."""
        return Problem(self.file, self.line_of(key_path), tuple(key_path), message)


def _build(
    node: yaml.Node, loader: yaml.SafeLoader, path: KeyPath, located: LocatedYaml, problems: list[Problem]
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                problems.append(Problem(located.file, key_node.start_mark.line + 1, path, f"key {key!r} must be text"))
                continue
            key_path = (*path, key)
            if key in result:
                first = located.lines.get(key_path)
                problems.append(
                    Problem(
                        located.file,
                        key_node.start_mark.line + 1,
                        key_path,
                        f"this key appears twice in the same block (first at line {first})",
                    )
                )
                continue
            located.lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(value_node, loader, key_path, located, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            item_path = (*path, index)
            located.lines[item_path] = item_node.start_mark.line + 1
            items.append(_build(item_node, loader, item_path, located, problems))
        return items
    return loader.construct_object(node, deep=True)


def explain_syntax_error(error: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """The line to look at and a plain sentence for PyYAML's most common complaints.

    PyYAML speaks of "block ends" and "scalars", and for an unclosed quote it points past the end of the
    file; an editor needs the line where the mistake is and what to do about it.
    """
    problem = error.problem or ""
    context = error.context or ""
    problem_line = error.problem_mark.line + 1 if error.problem_mark is not None else None
    context_line = error.context_mark.line + 1 if error.context_mark is not None else problem_line
    if "quoted scalar" in context:
        return context_line, "a quote opened on this line is never closed"
    if problem.startswith("expected <block end>") or "did not find expected '-' indicator" in problem:
        return problem_line, "this line is indented differently from the lines above it"
    if "mapping values are not allowed here" in problem:
        return problem_line, "a ': ' inside text confuses YAML: put the whole text in quotes"
    if "that cannot start any token" in problem and "\\t" in problem:
        return problem_line, "a tab is used for indentation: use spaces instead"
    detail = f"{problem} ({context})" if context else problem or "the file could not be read"
    return problem_line or context_line, detail


def load_located_yaml(path: Path, display_name: str) -> LocatedYaml:
    """Load ``path`` into a :class:`LocatedYaml`; raise :class:`ContentError` on syntax errors.

    ``display_name`` is the path shown in messages (relative to the project, as an editor sees it).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(display_name, None, (), "file not found")]) from None
    except UnicodeDecodeError as error:
        raise ContentError([Problem(display_name, None, (), f"file is not UTF-8 text ({error.reason})")]) from None
    loader = yaml.SafeLoader(text)
    located = LocatedYaml(display_name, None, {(): 1})
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is not None:
            located.lines[()] = node.start_mark.line + 1  # the first line that is not a comment
            located.data = _build(node, loader, (), located, problems)
    except yaml.MarkedYAMLError as error:
        line, message = explain_syntax_error(error)
        raise ContentError([Problem(display_name, line, (), f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(display_name, None, (), f"YAML syntax error: {error}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise ContentError(problems)
    return located
