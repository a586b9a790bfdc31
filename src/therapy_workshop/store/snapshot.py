"""The validated workshop saved as plain JSON, so participants' kernels need neither pydantic nor PyYAML.

``therapy-workshop check`` (which ``make app`` runs first) validates every content file with pydantic and
then writes what it loaded to ``build/workshop-snapshot.json``. A kernel reads that file back into light
records: objects with the same attribute names as the models, and the same methods (the mixins of
:mod:`therapy_workshop.model.methods`, which the models inherit too). That saves about 10 MB in every kernel
(69 → 59 MB RSS; see the README's "Performance").

The snapshot is used only while it matches the files on disk: it carries a fingerprint of every content file
and of the model code, and any edit to either makes :func:`read_snapshot` return
``None``, so the caller validates from the YAML as before. It holds content only, never anything a learner
did. It is JSON, read with ``json.loads``: nothing in it is ever executed.

It also carries the HTML that building every page rendered from Markdown when ``check`` ran (see
:mod:`therapy_workshop.html.markdown`), so a kernel does not render the same text again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from therapy_workshop.html.markdown import use_prerendered
from therapy_workshop.model.methods import Methods
from therapy_workshop.model.workshop import Activities, Workshop

SNAPSHOT_FILE = Path("build") / "workshop-snapshot.json"
FORMAT = 2
RECORD = "__record__"
DATE = "__date__"
PACKAGE = Path(__file__).resolve().parents[1]
# The layers whose code decides what a validated workshop holds: its types and every rule that checks or shapes
# it (``model``, ``validate``; ``html`` for the heading ids links are checked against), plus this file, the
# snapshot's own format. Whole folders, so a new module can never be left out of the fingerprint.
FINGERPRINTED_LAYERS = ("model", "validate", "html")


def code_files() -> list[Path]:
    """The package files whose change makes every saved snapshot stale."""
    layers = [path for layer in FINGERPRINTED_LAYERS for path in (PACKAGE / layer).rglob("*.py")]
    return [*sorted(layers), Path(__file__).resolve()]


def content_files(root: Path) -> list[Path]:
    """Every file the workshop is loaded from, in a stable order."""
    return sorted((root / "content").rglob("*.yaml"))


def fingerprint(root: Path) -> str:
    """A digest of the content files and the model code: equal digests mean the same loaded workshop."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for path in [*content_files(root), *code_files()]:
        name = path.relative_to(root) if path.is_relative_to(root) else path.relative_to(PACKAGE)
        digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def to_plain(value: Any) -> Any:
    """JSON-ready form of loaded content: models and dataclasses become tagged objects."""
    if isinstance(value, Record):
        return {RECORD: type(value).__name__, **{key: to_plain(item) for key, item in vars(value).items()}}
    if hasattr(type(value), "model_fields"):
        fields = {name: to_plain(getattr(value, name)) for name in type(value).model_fields}
        return {RECORD: type(value).__name__, **fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A Workshop's root is wherever it is read from, not where it was written.
        names = [item.name for item in dataclasses.fields(value) if item.name != "root"]
        fields = {name: to_plain(getattr(value, name)) for name in names}
        return {RECORD: type(value).__name__, **fields}
    if isinstance(value, dict):
        if RECORD in value or DATE in value or not all(isinstance(key, str) for key in value):
            raise TypeError(f"cannot save a mapping with keys {sorted(map(repr, value))[:3]} in the snapshot")
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date):
        return {DATE: value.isoformat()}
    raise TypeError(f"cannot save a {type(value).__name__} in the snapshot")


class Record:
    """Content read back from a snapshot: read-only attributes named as on the model it came from."""

    def __init__(self, fields: dict[str, Any]) -> None:
        object.__setattr__(self, "__dict__", fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} from the content snapshot is read-only")

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in list(self.__dict__.items())[:3])
        return f"{type(self).__name__}({shown}, …)"


_RECORD_CLASSES: dict[str, type[Record]] = {}


def record_class(name: str) -> type[Record]:
    """The record class for model ``name``, with that model's methods and properties."""
    if name not in _RECORD_CLASSES:
        _RECORD_CLASSES[name] = type(name, (Record, *Methods.by_model.get(name, ())), {})
    return _RECORD_CLASSES[name]


def make_record(name: str, **fields: Any) -> Any:
    """A record of model ``name`` built in code (the assessment's quiz is one)."""
    return record_class(name)(fields)


def from_plain(value: Any, root: Path) -> Any:
    """Inverse of :func:`to_plain`: tagged objects become records, or the real Workshop and Activities."""
    if isinstance(value, list):
        return [from_plain(item, root) for item in value]
    if not isinstance(value, dict):
        return value
    if DATE in value:
        return date.fromisoformat(value[DATE])
    fields = {key: from_plain(item, root) for key, item in value.items() if key != RECORD}
    kind = value.get(RECORD)
    if kind is None:
        return fields
    if kind == "Workshop":
        return Workshop(root=root, **fields)
    if kind == "Activities":
        return Activities(**fields)
    return record_class(kind)(fields)


def snapshot_path(root: Path) -> Path:
    """Where the snapshot of the workshop under ``root`` lives (``build/`` is not committed)."""
    return root / SNAPSHOT_FILE


def write_snapshot(workshop: Workshop, markdown: dict[str, str] | None = None) -> Path:
    """Save a validated workshop for kernels to read, with the ``markdown`` its pages render (keyed HTML).

    Written to a temporary file, then renamed into place, so a kernel starting at that moment reads the old
    snapshot or the new one, never half of one.
    """
    path = snapshot_path(workshop.root)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": FORMAT,
        "fingerprint": fingerprint(workshop.root),
        "workshop": to_plain(workshop),
        "markdown": markdown or {},
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    temporary.replace(path)
    return path


def read_snapshot(root: Path) -> Workshop | None:
    """The saved workshop, if there is one and it matches the files on disk; otherwise ``None``."""
    path = snapshot_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != fingerprint(root):
        return None
    workshop = from_plain(data["workshop"], root)
    if not isinstance(workshop, Workshop):
        return None
    markdown = data.get("markdown")
    if isinstance(markdown, dict) and all(isinstance(value, str) for value in markdown.values()):
        use_prerendered(markdown)
    return workshop
