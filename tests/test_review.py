"""Dated facts go stale: ``check`` lists them as "review due" warnings, never as errors.

Every test passes its own "today", so none of them changes meaning as the calendar moves on.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from therapy_workshop.cli import main
from therapy_workshop.validate.review import review_cutoff, review_warnings

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "content_review"
JURISDICTION = "content/jurisdictions/xx.yaml"
SOURCES = "content/sources.yaml"
DAY = datetime.date(2026, 11, 30)

# fixture -> (the file it becomes in a copy of the project, every warning on DAY, in order)
REVIEW_MESSAGES: dict[str, tuple[str, list[str]]] = {
    "jurisdiction_checked_long_ago.yaml": (
        JURISDICTION,
        [
            f"{JURISDICTION}:4 last_checked: review due: last checked on 2025-05-31, more than 12 months ago; "
            "check it against its sources, then update last_checked"
        ],
    ),
    "jurisdiction_expectation_passed.yaml": (
        JURISDICTION,
        [
            f"{JURISDICTION}:20 dated_facts[0].expected: review due: this was expected by 2026-06-30, and that day "
            "has passed; find out what happened, correct the text, then update last_checked and expected",
            f"{JURISDICTION}:23 dated_facts[1].last_checked: review due: last checked on 2025-02-01, more than 12 "
            "months ago; check it against its sources, then update last_checked",
        ],
    ),
    "source_checked_long_ago_and_expectation_passed.yaml": (
        SOURCES,
        [
            f"{SOURCES}:12 sources.example-register-plan.last_checked: review due: last checked on 2025-03-01, "
            "more than 12 months ago; check it against its sources, then update last_checked",
            f"{SOURCES}:13 sources.example-register-plan.expected: review due: this was expected by 2026-05-31, "
            "and that day has passed; find out what happened, correct the text, then update last_checked and "
            "expected",
        ],
    ),
}


def test_every_review_fixture_has_its_expected_warnings() -> None:
    assert sorted(path.name for path in FIXTURES.iterdir()) == sorted(REVIEW_MESSAGES)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real content and notebooks, so a fixture can be added to a workshop that checks clean."""
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    shutil.copytree(REPO_ROOT / "notebooks", tmp_path / "notebooks")
    return tmp_path


@pytest.mark.parametrize(("fixture_name", "target", "expected"), [(n, *v) for n, v in REVIEW_MESSAGES.items()])
def test_stale_dates_are_warned_with_file_line_and_key_path(
    tmp_path: Path, fixture_name: str, target: str, expected: list[str]
) -> None:
    (tmp_path / target).parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / fixture_name, tmp_path / target)

    assert [str(warning) for warning in review_warnings(tmp_path, DAY)] == expected


def test_a_fact_checked_exactly_twelve_months_ago_is_not_yet_due(tmp_path: Path) -> None:
    target = tmp_path / JURISDICTION
    target.parent.mkdir(parents=True)
    target.write_text((FIXTURES / "jurisdiction_checked_long_ago.yaml").read_text().replace("2025-05-31", "2025-11-30"))

    assert review_warnings(tmp_path, DAY) == []
    assert [w.key_path for w in review_warnings(tmp_path, DAY + datetime.timedelta(days=1))] == [("last_checked",)]


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (datetime.date(2026, 11, 30), datetime.date(2025, 11, 30)),
        (datetime.date(2028, 2, 29), datetime.date(2027, 2, 28)),
        (datetime.date(2027, 1, 15), datetime.date(2026, 1, 15)),
    ],
)
def test_review_cutoff_is_twelve_calendar_months_back(today: datetime.date, cutoff: datetime.date) -> None:
    assert review_cutoff(today) == cutoff


def test_the_real_content_has_nothing_due_on_the_day_it_was_reviewed() -> None:
    assert [str(warning) for warning in review_warnings(REPO_ROOT, DAY)] == []


def test_the_real_content_records_every_jurisdiction_for_review() -> None:
    # A year and a day after the review, every jurisdiction file must come up: none can be forgotten.
    due = review_warnings(REPO_ROOT, datetime.date(2027, 12, 1))
    jurisdictions = sorted(p.relative_to(REPO_ROOT).as_posix() for p in REPO_ROOT.glob("content/jurisdictions/*.yaml"))
    assert sorted({w.file for w in due if w.key_path == ("last_checked",)}) == jurisdictions


def test_ireland_records_when_coru_expects_the_psychologists_registers() -> None:
    # The review found "early 2026" still taught in late 2026: the expectation now carries its own date.
    due = review_warnings(REPO_ROOT, datetime.date(2028, 1, 2))
    expectations = [str(w) for w in due if w.file == "content/jurisdictions/ie.yaml" and w.key_path[-1] == "expected"]
    assert expectations, "ie.yaml should record CORU's expected date under dated_facts"


def test_check_lists_warnings_after_content_ok_and_still_exits_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_name = "jurisdiction_checked_long_ago.yaml"
    target, expected = REVIEW_MESSAGES[fixture_name]
    shutil.copyfile(FIXTURES / fixture_name, project / target)

    status = main(["check", "--root", str(project), "--as-of", DAY.isoformat()])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].startswith("Content OK:")
    assert lines[1:] == [
        "",
        "Review due (warnings, not errors): 1 item checked more than 12 months ago or past an expected date.",
        *expected,
    ]


def test_check_json_lists_warnings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture_name = "jurisdiction_expectation_passed.yaml"
    target, expected = REVIEW_MESSAGES[fixture_name]
    shutil.copyfile(FIXTURES / fixture_name, project / target)

    status = main(["check", "--json", "--root", str(project), "--as-of", DAY.isoformat()])

    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["ok"] is True
    assert report["warnings"] == expected


def test_check_refuses_a_day_it_cannot_read(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--root", str(REPO_ROOT), "--as-of", "30/11/2026"])

    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "therapy-workshop check: error: argument --as-of: '30/11/2026' is not a day: "
        "write it as YYYY-MM-DD, e.g. 2027-03-15"
    )
