"""Front-end files shipped inside the package (no CDN: the app must work offline)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"


@cache
def static_text(name: str) -> str:
    """Contents of ``static/<name>``, read once per process."""
    return (STATIC / name).read_text(encoding="utf-8")
