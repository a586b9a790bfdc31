"""Review dates: ``check`` warns when a dated fact may have gone stale, without failing.

Rules about therapy change: a regulator opens a register, a board moves its time limits, a planned date slips.
A workshop that teaches last year's plan as news misleads the people who rely on it, so every jurisdiction
file carries ``last_checked``, and every fact that carries a date or an expectation records when it was
checked and, for an expectation, the day by which it should have happened (``dated_facts`` in a jurisdiction
file; ``last_checked`` / ``expected`` on a source). This module turns those dates into "review due" lines.

They are warnings, not errors: the content is still valid and the app still serves it, but an editor should
look again. ``today`` is always passed in, so tests use a fixed day and never rot; the command line takes
``--as-of`` for the same reason (and to ask "what will be due on the day of my workshop?").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

from therapy_workshop.model.content import SourcesFile
from therapy_workshop.model.process import Jurisdiction
from therapy_workshop.validate.files import validate_file
from therapy_workshop.validate.yaml_source import ContentError, KeyPath, LocatedYaml, Problem, load_located_yaml

REVIEW_MONTHS = 12


def review_cutoff(today: datetime.date) -> datetime.date:
    """The day ``REVIEW_MONTHS`` months before ``today``: anything checked before it is due for review."""
    year, month = divmod(today.year * 12 + today.month - 1 - REVIEW_MONTHS, 12)
    month += 1
    for day in range(today.day, 0, -1):  # 29 February and the 31st fall back to the month's last day
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def _dates_due(
    located: LocatedYaml,
    key_path: KeyPath,
    last_checked: datetime.date | None,
    expected: datetime.date | None,
    today: datetime.date,
) -> Iterator[Problem]:
    """The warnings for one dated thing: checked too long ago, or expected by a day that has passed."""
    if last_checked is not None and last_checked < review_cutoff(today):
        yield located.problem(
            (*key_path, "last_checked"),
            f"review due: last checked on {last_checked.isoformat()}, more than {REVIEW_MONTHS} months ago; "
            "check it against its sources, then update last_checked",
        )
    if expected is not None and expected < today:
        yield located.problem(
            (*key_path, "expected"),
            f"review due: this was expected by {expected.isoformat()}, and that day has passed; find out what "
            "happened, correct the text, then update last_checked and expected",
        )


def _located(path: Path, root: Path) -> LocatedYaml | None:
    try:
        return load_located_yaml(path, path.relative_to(root).as_posix())
    except ContentError:
        return None  # a file that cannot be read is already an error of check's; nothing to review in it


def review_warnings(root: Path, today: datetime.date) -> list[Problem]:
    """Every "review due" warning for the content under ``root`` on ``today``, in file order.

    Files that do not validate are skipped: ``check`` reports them as errors, which come first.
    """
    content = root / "content"
    warnings: list[Problem] = []
    for path in sorted(content.glob("jurisdictions/*.yaml")):
        located = _located(path, root)
        jurisdiction = validate_file(located, Jurisdiction)[0] if located is not None else None
        if located is None or jurisdiction is None:
            continue
        warnings.extend(_dates_due(located, (), jurisdiction.last_checked, None, today))
        for index, fact in enumerate(jurisdiction.dated_facts):
            warnings.extend(_dates_due(located, ("dated_facts", index), fact.last_checked, fact.expected, today))
    for path in [content / "sources.yaml", *sorted(content.glob("*/sources.yaml"))]:
        located = _located(path, root) if path.is_file() else None
        sources = validate_file(located, SourcesFile)[0] if located is not None else None
        if located is None or sources is None:
            continue
        for key, source in sources.sources.items():
            warnings.extend(_dates_due(located, ("sources", key), source.last_checked, source.expected, today))
    return warnings
