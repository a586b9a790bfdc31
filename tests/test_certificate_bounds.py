"""A certificate name can never keep a participant's kernel or a core busy.

The name has at most 120 characters (the widget says so plainly; ``certificate_pdf`` refuses more, whoever calls
it); typst runs in a child with limits on processor time, address space and the clock; the button starts that
child as a task on the running loop, so other callbacks run while it works; one certificate at a time; and the
check for unprintable characters sets one page however many characters it is given.

Stand-in children (``python -c``) take the place of typst where a test needs a child that is slow, greedy or
broken; they answer as the real one does (JSON with the missing characters and the PDF in base64).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import io
import json
import os
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
import typst
from pypdf import PdfReader

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets import certificate, fonts
from therapy_workshop.widgets.certificate import CertificateWidget, certificate_pdf, certificate_pdf_async
from therapy_workshop.widgets.progress import Progress

DAY = datetime.date(2026, 11, 26)
# What the learner reads (content/ui.yaml), exactly.
TOO_LONG = (
    '<p class="tw-notice" role="status">The certificate has room for a name of up to 120 characters, and this one '
    "has 121. Nothing was made. Try a shorter form of your name, for example the names you use every day, then make "
    "your certificate again.</p>"
)
MAKING = '<p class="tw-meta" role="status">Making your certificate…</p>'
BUSY = '<p class="tw-meta" role="status">Your certificate is still being made. It will be ready here in a moment.</p>'
READY = (
    '<p class="tw-meta" role="status">Your certificate is ready. It lists the 1 modules you have completed here.</p>'
)
FAILED = (
    '<p class="tw-notice" role="status">Your certificate could not be made this time, and nothing was kept. '
    "Please try again in a moment.</p>"
)
# A name of 121 characters: words of a real-looking length, so the cap, not the layout, refuses it.
NAME_121 = ("Maria Magdalena Alexandrovna Konstantinopoulou-Wójcik de la Cruz y Fernández " * 2)[:121]
NAME_120 = NAME_121[:120]
FAKE_PDF = b"%PDF-1.7 stand-in"


def stand_in(body: str) -> list[str]:
    """A child running ``body`` (Python) and then answering with ``FAKE_PDF``, as the real child answers."""
    answer = json.dumps({"missing": [], "pdf": base64.b64encode(FAKE_PDF).decode("ascii")})
    return [sys.executable, "-c", f"import sys, time\n{body}\nsys.stdout.write({answer!r})\n"]


def use_child(monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    """Every certificate is made by ``command`` instead of typst."""
    monkeypatch.setattr(fonts, "_child_command", lambda: command)


def certificate_widget(workshop: Workshop, name: str) -> CertificateWidget:
    tracker = Progress()
    tracker.record("01-rights", "quiz")
    widget = CertificateWidget(workshop, tracker)
    widget.name_box.value = name
    return widget


def no_child_may_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> bytes:
        raise AssertionError("a child was started")

    monkeypatch.setattr(fonts, "run_child", refuse)
    monkeypatch.setattr(fonts, "run_child_async", refuse)


@pytest.fixture(autouse=True)
def nothing_left_in_progress() -> Iterator[None]:
    """Each test starts and ends with no certificate being made in this process (the limit is per kernel)."""
    assert not certificate._IN_PROGRESS.busy()
    yield
    assert not certificate._IN_PROGRESS.busy()


Result = TypeVar("Result")


def on_a_loop(scenario: Coroutine[Any, Any, Result]) -> Result:
    """``asyncio.run(scenario)``, letting every task it started finish before the loop closes, even if it fails.

    Python 3.11's ``asyncio.run`` can hang when it cancels, at its close, a task that is starting a child process
    (measured), so a failing test would hang instead of failing.
    """

    async def run() -> Result:
        try:
            return await scenario
        finally:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if others:
                await asyncio.wait(others, timeout=30)

    return asyncio.run(run())


RUNNERS: dict[str, Callable[[Sequence[str], bytes], bytes]] = {
    "waiting": fonts.run_child,
    "on the loop": lambda command, request: on_a_loop(fonts.run_child_async(command, request)),
}


# ---------------------------------------------------------------------------------------------- the name's length
def test_a_name_of_121_characters_is_refused_with_a_plain_message(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(NAME_121) == len(certificate.tidy_name(NAME_121)) == 121
    no_child_may_start(monkeypatch)
    widget = certificate_widget(workshop, NAME_121)
    widget.download.data_base64 = "JVBERg=="  # an earlier certificate: never offered as this one
    assert widget.make() is None
    assert widget.message.value == TOO_LONG
    assert widget.download.data_base64 == ""
    assert widget.download.layout.display == "none"

    async def click() -> object:
        return widget.make_soon()

    widget.message.value = ""
    assert on_a_loop(click()) is None
    assert widget.message.value == TOO_LONG


def test_a_name_of_120_characters_makes_a_one_page_certificate(workshop: Workshop) -> None:
    assert len(certificate.tidy_name(NAME_120)) == 120
    widget = certificate_widget(workshop, NAME_120)
    data = widget.make()
    assert data is not None
    assert widget.message.value == READY
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 1
    assert NAME_120.replace(" ", "") in pages[0].extract_text().replace("\n", "").replace(" ", "")


def test_spaces_and_accents_typed_apart_do_not_count_toward_the_limit(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit counts the name as printed: one space between words, "ễ" as one character."""
    use_child(monkeypatch, stand_in(""))
    typed = "  " + "   ".join(["Nguyễn"] * 17).replace("ễ", "e\u0302\u0303") + "  "  # 17 x 6 + 16 = 118 printed
    assert len(typed) > 121
    assert certificate_widget(workshop, typed).make() == FAKE_PDF


def test_certificate_pdf_refuses_121_characters_before_any_child_starts(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_child_may_start(monkeypatch)
    expected = "a name on a certificate has at most 120 characters; this one has 121"
    with pytest.raises(ValueError) as waiting:
        certificate_pdf(NAME_121, [], workshop.ui, DAY)
    assert str(waiting.value) == expected
    with pytest.raises(ValueError) as on_the_loop:
        on_a_loop(certificate_pdf_async(NAME_121, [], workshop.ui, DAY))
    assert str(on_the_loop.value) == expected


# ---------------------------------------------------------------------------------------------- the child's limits
LIMITS_REPORT = """
import os, resource
limits = {name: resource.getrlimit(getattr(resource, name)) for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_CORE")}
environment = {name: os.environ.get(name) for name in ("RAYON_NUM_THREADS", "MALLOC_ARENA_MAX")}
answer = json.dumps({"limits": limits, "environment": environment}).encode()
sys.stdout.write(json.dumps({"missing": [], "pdf": base64.b64encode(answer).decode()}))
"""


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
def test_the_child_runs_with_its_limits(runner: Callable[[Sequence[str], bytes], bytes]) -> None:
    report = json.loads(runner([sys.executable, "-c", "import base64, json, sys\n" + LIMITS_REPORT], b""))
    assert report["limits"] == {
        "RLIMIT_CPU": [5, 6],
        "RLIMIT_AS": [512 * 2**20, 512 * 2**20],
        "RLIMIT_CORE": [0, 0],  # a dump would be a file holding the learner's name
    }
    # One typst worker thread and one malloc arena: the memory limit does not depend on the machine's cores.
    assert report["environment"] == {"RAYON_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "1"}


def test_a_child_that_keeps_the_processor_busy_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "CHILD_CPU_SECONDS", 1)
    with pytest.raises(fonts.ChildFailed) as stopped:
        fonts.run_child(stand_in("while True: pass"), b"")
    assert str(stopped.value) == "typst was stopped by SIGXCPU"


def test_a_child_that_wants_too_much_memory_is_stopped() -> None:
    with pytest.raises(fonts.ChildFailed) as stopped:
        fonts.run_child(stand_in("greedy = bytearray(1024 * 2**20)"), b"")
    assert str(stopped.value) == "typst could not set the document (exit code 1)"
    assert stopped.value.output.endswith("MemoryError")


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
def test_a_child_that_takes_too_long_is_killed(
    runner: Callable[[Sequence[str], bytes], bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "CHILD_TIMEOUT", 0.5)
    pid_file = tmp_path / "pid"
    with pytest.raises(fonts.ChildFailed) as stopped:
        runner(stand_in(f"open({str(pid_file)!r}, 'w').write(str(__import__('os').getpid()))\ntime.sleep(60)"), b"")
    assert str(stopped.value) == "typst took longer than 0.5 s and was stopped"
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process any more
        os.kill(int(pid_file.read_text()), 0)


# ---------------------------------------------------------------------------------------------- the kernel's loop
def gated(go: Path) -> list[str]:
    """A child that answers only once ``go`` exists: only another coroutine on the test's loop creates it.

    If making a certificate held the loop, nothing could create it, and the child would be stopped by the
    clock (``CHILD_TIMEOUT``, shortened by the tests) instead: no race, no timing to assert.
    """
    return stand_in(f"while not __import__('os').path.exists({str(go)!r}): time.sleep(0.01)")


def test_the_page_keeps_answering_while_a_certificate_is_made(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "CHILD_TIMEOUT", 5)
    go = tmp_path / "go"
    use_child(monkeypatch, gated(go))
    widget = certificate_widget(workshop, "Sam Lee")

    async def click_and_answer_meanwhile() -> object:
        task = widget.make_soon()
        assert task is not None
        assert widget.message.value == MAKING
        assert widget.download.layout.display == "none"
        await asyncio.sleep(0.05)  # the task starts its child and gives the loop back
        assert not task.done()
        go.touch()  # another callback ran on the same loop while the child worked
        return await task

    assert on_a_loop(click_and_answer_meanwhile()) == FAKE_PDF
    assert widget.message.value == READY
    assert base64.b64decode(widget.download.data_base64) == FAKE_PDF
    assert widget.download.layout.display is None


def test_the_button_makes_a_real_certificate_on_the_loop(workshop: Workshop) -> None:
    widget = certificate_widget(workshop, "Юлия Nguyễn")

    async def click() -> object:
        widget.make_button.click()
        task = certificate._IN_PROGRESS.task
        assert task is not None
        return await task

    data = on_a_loop(click())
    assert isinstance(data, bytes)
    assert "Юлия Nguyễn" in " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert widget.download.filename == "certificate-юлия-nguyễn.pdf"


def test_a_second_click_while_one_is_made_is_refused_and_starts_nothing(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "CHILD_TIMEOUT", 5)
    go = tmp_path / "go"
    use_child(monkeypatch, gated(go))
    started: list[Sequence[str]] = []
    run_child_async = fonts.run_child_async

    async def counted(command: Sequence[str], request: bytes) -> bytes:
        started.append(command)
        return await run_child_async(command, request)

    monkeypatch.setattr(fonts, "run_child_async", counted)
    widget = certificate_widget(workshop, "Sam Lee")
    elsewhere = certificate_widget(workshop, "Sam Lee")  # the same module opened again: still this kernel

    async def click_twice() -> tuple[object, object]:
        first = widget.make_soon()
        assert first is not None
        await asyncio.sleep(0.05)
        widget.make_button.click()
        assert widget.message.value == BUSY
        assert elsewhere.make_soon() is None
        assert elsewhere.message.value == BUSY
        assert elsewhere.make() is None  # the waiting twin refuses too
        assert not first.done()
        go.touch()
        result = await first
        again = widget.make_soon()  # once it is made, the next click starts one
        assert again is not None
        return result, await again

    assert on_a_loop(click_twice()) == (FAKE_PDF, FAKE_PDF)
    assert len(started) == 2
    assert widget.message.value == READY


def test_a_failed_child_is_told_plainly_and_logged_without_the_name(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    use_child(monkeypatch, stand_in("sys.exit(3)"))
    widget = certificate_widget(workshop, "Sam Lee")

    async def click() -> object:
        task = widget.make_soon()
        assert task is not None
        return await task

    assert on_a_loop(click()) is None
    assert widget.message.value == FAILED
    assert widget.download.layout.display == "none"
    logged = capfd.readouterr().err
    assert logged == "A certificate could not be made: typst could not set the document (exit code 3)\n"
    use_child(monkeypatch, stand_in(""))  # nothing stays busy after a failure
    assert on_a_loop(click()) == FAKE_PDF


# ---------------------------------------------------------------------------------------------- the character check
def test_the_character_check_sets_one_page_however_many_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[Any] = []
    compile_ = typst.compile

    def spy(*args: Any, **kwargs: Any) -> Any:
        compiled.append(result := compile_(*args, **kwargs))
        return result

    monkeypatch.setattr(typst, "compile", spy)
    latin = "".join(chr(code) for code in range(ord("A"), ord("Z") + 1))
    chinese = [chr(0x4E00 + offset) for offset in range(400)]
    text = latin + "".join(chinese) + "Αλεξάνδρα ليلى สม ⵜⵉ"
    missing = fonts.missing_characters(text, system=False)
    assert missing == [*chinese, "ส", "ม", "ⵜ", "ⵉ"]  # in order, once each; Latin, Greek and Arabic print
    assert len(compiled) == 1
    assert isinstance(compiled[0], bytes)  # one SVG page (several would come as a list)


def test_a_check_that_cannot_find_the_box_fails_rather_than_passing(monkeypatch: pytest.MonkeyPatch) -> None:
    """If typst's SVG ever changed so that no glyph could be read, no character would seem missing: refuse."""
    monkeypatch.setattr(typst, "compile", lambda *_args, **_kwargs: b"<svg></svg>")
    with pytest.raises(RuntimeError) as refused:
        fonts.missing_characters("王", system=False)
    assert str(refused.value) == "typst's SVG has no glyph coloured #000000 for the box: its output has changed"


def test_a_child_answer_that_cannot_be_read_is_a_failure_not_a_crash() -> None:
    with pytest.raises(fonts.ChildFailed) as failed:
        fonts.run_child([sys.executable, "-c", "print('not json')"], b"")
    assert str(failed.value) == "typst's answer could not be read"
