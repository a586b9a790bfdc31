"""Content problems and how they are reported: ``file:line key.path: message``.

Kept apart from :mod:`yaml_source` so that code which only reports or catches problems (the app, the
kernel) does not import PyYAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KeyPath = tuple[str | int, ...]


def format_key_path(key_path: Sequence[str | int]) -> str:
    """Render ``("questions", 2, "options")`` as ``questions[2].options``."""
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located precisely enough to fix without searching."""

    file: str
    line: int | None
    key_path: KeyPath
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        keys = format_key_path(self.key_path)
        return f"{where} {keys}: {self.message}" if keys else f"{where}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
