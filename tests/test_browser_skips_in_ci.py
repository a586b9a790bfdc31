"""In CI a skipped browser test fails the run; elsewhere it stays a skip with its reason.

The hooks are the ones ``tests/browser/conftest.py`` registers, run by pytester on a tiny test file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HOOKS = "from tests.browser.conftest import pytest_make_collect_report, pytest_runtest_makereport\n"

TINY = """
import pytest

@pytest.fixture
def chromium():
    pytest.skip("no Chromium at /nowhere/chromium")

@pytest.mark.browser
def test_needs_chromium(chromium):
    pass

@pytest.mark.browser
def test_skips_itself():
    pytest.skip("content missing")

@pytest.mark.browser
@pytest.mark.skipif(True, reason="skipped by a mark")
def test_skipped_by_a_mark():
    pass

@pytest.mark.browser
@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False

@pytest.mark.browser
def test_runs():
    pass

def test_unit_test_may_skip():
    pytest.skip("not a browser test")
"""


@pytest.fixture
def tiny(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nmarkers =\n    browser: drives a browser\n")
    pytester.makeconftest(HOOKS)
    pytester.makepyfile(test_tiny=TINY)
    return pytester


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_in_ci_a_skipped_browser_test_fails_the_run_with_its_reason(
    tiny: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    result = tiny.runpytest("-rA")
    # A skip in setup (the fixture, the skipif mark) is reported as an error, one in the test as a failure.
    result.assert_outcomes(passed=1, failed=1, errors=2, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines_random(
        [
            "*browser tests must run in CI*but this one skipped: no Chromium at /nowhere/chromium*",
            "*browser tests must run in CI*but this one skipped: content missing*",
            "*browser tests must run in CI*but this one skipped: skipped by a mark*",
            "SKIPPED*not a browser test*",
        ]
    )


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_outside_ci_a_browser_test_may_skip_with_its_reason(
    tiny: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    result = tiny.runpytest("-rA")
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines_random(["SKIPPED*no Chromium at /nowhere/chromium*", "SKIPPED*content missing*"])


def test_in_ci_a_browser_module_that_skips_while_collected_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(HOOKS)
    pytester.makepyfile(test_gone='import pytest\npytest.importorskip("no_such_module_here")\n\ndef test_x(): pass\n')
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*browser tests must run in CI, but test_gone.py skipped while collecting*"])
    monkeypatch.delenv("CI")
    assert pytester.runpytest().ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_ci_entry_point_sets_ci_before_running_the_tests(repo_root: Path) -> None:
    run = (repo_root / ".ci" / "run").read_text(encoding="utf-8")
    assert run.index("\nexport CI=true\n") < run.index("\nmake test\n")
