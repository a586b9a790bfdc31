"""Read module notebooks as data, cheaply.

The app shell renders notebooks itself, inside each participant's kernel. ``import nbformat`` costs about
0.8 s there (it builds a JSON-schema grammar on import), so notebooks are read with :func:`json.loads`.
Each cell keeps the line it starts on in the ``.ipynb`` file, so ``check`` can point editors at it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CELL_START = re.compile(r'^\s*"cell_type"\s*:')
# [text](target) links in Markdown; good enough for validation, the renderer uses markdown-it.
_MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
SOURCE_LINK_PREFIX = "#src-"


@dataclass(frozen=True)
class Cell:
    """One notebook cell: its kind, its text, its position and the line it starts on."""

    index: int
    cell_type: str
    source: str
    line: int | None


class NotebookError(ValueError):
    """A notebook file that cannot be read as a notebook."""


#: Cells already read, by path, with the file's modification time and size when they were read.
_READ: dict[Path, tuple[int, int, tuple[Cell, ...]]] = {}


def read_cells(path: Path) -> list[Cell]:
    """Return the cells of the notebook at ``path``; raise :class:`NotebookError` if it is not one.

    A module page reads its notebook twice (its cells, then the sources it cites), in every kernel and at every
    first visit: an unchanged file is read once per process.
    """
    status = path.stat()
    known = _READ.get(path)
    if known is not None and known[:2] == (status.st_mtime_ns, status.st_size):
        return list(known[2])
    cells = _parse_cells(path)
    _READ[path] = (status.st_mtime_ns, status.st_size, tuple(cells))
    return cells


def _parse_cells(path: Path) -> list[Cell]:
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a valid notebook file (JSON error at line {error.lineno}: {error.msg})") from None
    raw_cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(raw_cells, list):
        raise NotebookError("not a valid notebook file (no list of cells)")
    start_lines = [number for number, line in enumerate(text.splitlines(), 1) if _CELL_START.match(line)]
    cells = []
    for index, raw in enumerate(raw_cells):
        source = raw.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        line = start_lines[index] if len(start_lines) == len(raw_cells) else None
        cells.append(Cell(index, str(raw.get("cell_type", "")), str(source), line))
    return cells


def has_outputs(path: Path) -> bool:
    """True if any code cell of the notebook carries outputs or an execution count."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return any(
        cell.get("outputs") or cell.get("execution_count") is not None
        for cell in document.get("cells", [])
        if cell.get("cell_type") == "code"
    )


def markdown_links(source: str) -> Iterator[tuple[str, str]]:
    """Yield ``(text, target)`` for each inline Markdown link in ``source``."""
    for match in _MARKDOWN_LINK.finditer(source):
        yield match.group("text"), match.group("target")


def cited_source_keys(source: str) -> list[str]:
    """Source keys cited in Markdown as ``[label](#src-key)``, in order of appearance."""
    return [
        target.removeprefix(SOURCE_LINK_PREFIX)
        for _text, target in markdown_links(source)
        if target.startswith(SOURCE_LINK_PREFIX)
    ]
