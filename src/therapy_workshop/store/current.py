"""The workshop this process uses: the snapshot ``check`` saved, or the YAML validated afresh.

Validating content needs pydantic and PyYAML, about 10 MB in every participant's kernel. So
:func:`get_workshop` first reads the snapshot that ``therapy-workshop check`` validated and saved, and validates
from the YAML only when no snapshot matches the files on disk (an edit since the last check).
"""

from __future__ import annotations

from functools import lru_cache

from therapy_workshop.model.workshop import Workshop, find_root
from therapy_workshop.store.snapshot import read_snapshot


@lru_cache(maxsize=1)
def get_workshop() -> Workshop:
    """The workshop for this process, loaded once (every widget in a kernel shares it)."""
    root = find_root()
    snapshot = read_snapshot(root)
    if snapshot is not None:
        return snapshot
    # Only when the snapshot is stale: this brings pydantic and PyYAML into the process.
    from therapy_workshop.validate.loader import load_workshop

    return load_workshop(root)
