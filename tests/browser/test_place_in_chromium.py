"""A participant never loses their place: kernels killed, the line cut, the server restarted, stored data broken.

Each test plays a learner in Chromium against ``make app``, breaks something the way a workshop does, and checks
what the learner sees: the notice in the page's own words, then the same module, question, choice, feedback or
story path as before. Screenshots go to ``test-artifacts/`` (``fault-*.png``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import expect

from ..expected import folded, shown
from .conftest import ARTIFACTS, REPO, VoilaServer, start_app, stop_app
from .conftest import _free_port as free_port
from .cut_proxy import cut_proxy
from .test_app_in_chromium import WORKSHOP, open_app, wait_until_rendered

UI = WORKSHOP.ui
QUIZ = WORKSHOP.quizzes["01-rights"]
STORE_KEY = "your-rights-in-therapy/progress"
KEEP_KEY = "your-rights-in-therapy/keep"
# The record, from the storage the device's choice names: this tab's (the default, "Keep nothing after this tab
# closes", which a reload in the same tab keeps), or the device's with "Keep my place on this device".
STORED_JS = (
    f"(window.localStorage.getItem({json.dumps(KEEP_KEY)}) === 'place' ? window.localStorage : window.sessionStorage)"
    f".getItem({json.dumps(STORE_KEY)})"
)
STORY = "wont-let-me-leave"  # the first scenario of module 03


def stored_place(page: Any) -> dict[str, Any]:
    """The place the page's browser holds now ({} if none)."""
    text = page.evaluate(STORED_JS)
    return dict(json.loads(text).get("place", {})) if text else {}


def wait_for_stored(page: Any, check: Any, timeout: float = 10.0) -> dict[str, Any]:
    """Poll the stored record until ``check(place)`` holds: the kernel writes it back a round trip after each click."""
    deadline = time.monotonic() + timeout
    place = stored_place(page)
    while not check(place) and time.monotonic() < deadline:
        time.sleep(0.1)
        place = stored_place(page)
    assert check(place), f"the browser never stored the expected place; it holds {place}"
    return place


def kill_page_kernel(page: Any, server: VoilaServer) -> None:
    """Kill the kernel behind ``page`` (as a crash or the out-of-memory killer would)."""
    kernel_id = page.evaluate("window.twPageKernel().kernelId")
    killed = [child for child in server.kernel_processes() if kernel_id in " ".join(child.cmdline())]
    assert len(killed) == 1, f"expected one kernel {kernel_id}, found {len(killed)}"
    killed[0].kill()


def reload_from_notice(page: Any, module_id: str, screenshot: str) -> None:
    """The lost-kernel notice shows with Reload focused; pressing Enter reloads onto the same module."""
    notice = page.get_by_role("alert").filter(has_text=UI.kernel_lost)
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice.get_by_role("button", name=UI.reload)).to_be_focused()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot))
    page.keyboard.press("Enter")
    page.wait_for_selector(f'.tw-module-title[data-module="{module_id}"]')
    wait_until_rendered(page, 300)


def answer_second_question_wrong(page: Any) -> str:
    """Answer question 1, move on, choose a wrong option in question 2 and check it; return the feedback shown."""
    first, second = QUIZ.questions[0], QUIZ.questions[1]
    page.get_by_role("group", name=shown(first.prompt)[:40]).get_by_label(first.options[0].text).check()
    page.get_by_role("button", name=UI.next).click()
    page.get_by_text(UI.format("question_of", number=2, total=len(QUIZ.questions))).wait_for()
    wrong = next(index for index, option in enumerate(second.options) if not option.correct)
    page.get_by_role("group", name=shown(second.prompt)[:40]).get_by_label(second.options[wrong].text).check()
    page.get_by_role("button", name=UI.check).click()
    page.locator(".tw-feedback").wait_for()
    wait_for_stored(
        page, lambda place: place.get("quiz:01-rights", {}).get("questions", {}).get(second.id, {}).get("status")
    )
    return folded(page.locator(".tw-feedback").inner_text())


def expect_second_question_back(page: Any, feedback: str) -> None:
    second = QUIZ.questions[1]
    wrong = next(index for index, option in enumerate(second.options) if not option.correct)
    expect(page.get_by_text(UI.format("question_of", number=2, total=len(QUIZ.questions)))).to_be_visible()
    expect(
        page.get_by_role("group", name=shown(second.prompt)[:40]).get_by_label(second.options[wrong].text)
    ).to_be_checked()
    expect(page.locator(".tw-feedback")).to_be_visible()
    assert folded(page.locator(".tw-feedback").inner_text()) == feedback


def test_a_killed_kernel_reloads_onto_the_same_question_choice_and_feedback(
    page: Any, voila_server: VoilaServer
) -> None:
    open_app(page, voila_server, "?module=01-rights")
    feedback = answer_second_question_wrong(page)
    kill_page_kernel(page, voila_server)
    reload_from_notice(page, "01-rights", "fault-kernel-lost-quiz.png")
    expect_second_question_back(page, feedback)
    page.screenshot(path=str(ARTIFACTS / "fault-kernel-lost-quiz-restored.png"), full_page=False)


def play(scenario: Any, choices: int) -> list[str]:
    """Take the first choice on offer ``choices`` times in the first scenario on the page; return the headings."""
    headings = []
    for _ in range(choices):
        scenario.locator(".tw-choice-button").first.click()
        continue_button = scenario.get_by_role("button", name=UI.continue_story)
        continue_button.click()
        expect(continue_button).to_be_hidden()
        headings.append(scenario.locator(".tw-situation h4").inner_text())
    return headings


def test_a_scenario_three_steps_in_comes_back_on_the_same_node_and_path(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server, "?module=03-ending")
    story = page.locator(".tw-scenario").first
    headings = play(story, 3)
    wait_for_stored(page, lambda place: len(place.get(f"scenario:{STORY}", {}).get("steps", [])) == 3)
    kill_page_kernel(page, voila_server)
    reload_from_notice(page, "03-ending", "fault-kernel-lost-scenario.png")
    story = page.locator(".tw-scenario").first
    expect(story.locator(".tw-situation h4")).to_have_text(headings[-1])
    # Play on to an ending: the after-action review lists the three decisions from before the reload first.
    while story.locator(".tw-review-block").count() == 0:
        play(story, 1)
    decisions = story.locator(".tw-after-action > li")
    assert decisions.count() >= 3
    before = WORKSHOP.scenarios[STORY]
    node = before.start
    for number in range(3):
        choice = before.nodes[node].choices[0]
        expect(decisions.nth(number)).to_contain_text(choice.label)
        node = choice.goto


def test_a_short_network_drop_says_reconnecting_then_carries_on_without_a_reload(
    chromium: Any, voila_server: VoilaServer
) -> None:
    # The line is cut for 5 s (venue wifi): the page says "Reconnecting…", then, with the same kernel, the
    # notice goes and the quiz answers the next click. Chromium logs the refused reconnections as console
    # errors, so this page is not the fixture's, which forbids them.
    port = int(voila_server.url.rstrip("/").rsplit(":", 1)[1])
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    with cut_proxy(port) as proxy:
        try:
            page.goto(proxy.url + "?module=01-rights")
            page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
            wait_until_rendered(page)
            kernel = page.evaluate("window.twPageKernel().kernelId")
            proxy.cut()
            notice = page.get_by_role("alert").filter(has_text=UI.connection_lost)
            expect(notice).to_be_visible(timeout=5_000)
            page.screenshot(path=str(ARTIFACTS / "fault-network-drop.png"))
            time.sleep(5)
            proxy.restore()
            # JupyterLab retries a lost websocket after a random delay of up to 2^n - 1 seconds on its n-th try
            # (up to 1, 3, 7, 15, 31 s), so after a 5 s cut the try that succeeds can come 15 to 30 s later.
            expect(notice).to_have_count(0, timeout=40_000)
            assert page.evaluate("window.twPageKernel().kernelId") == kernel
            first = QUIZ.questions[0]
            page.get_by_role("group", name=shown(first.prompt)[:40]).get_by_label(first.options[0].text).check()
            page.get_by_role("button", name=UI.check).click()
            expect(page.locator(".tw-feedback")).to_be_visible()
            # Checked after the kernel's reply (the feedback), not merely before any notice could come: no notice
            # of any kind is left, and none came back with the reconnected kernel.
            expect(page.get_by_role("alert")).to_have_count(0)
        finally:
            page.goto("about:blank")
            context.close()


def test_a_server_restart_says_reconnecting_then_reloads_onto_the_same_place(chromium: Any, tmp_path: Path) -> None:
    # A server of its own, stopped and started again under a live page (the facilitator's laptop restarted the
    # app): while it is away the page says "Reconnecting…"; once it is back the old kernel is gone, so the page
    # asks for a reload, which opens the same question with its choice and feedback on a new kernel. Chromium
    # logs each refused reconnection as a console error, so this page is not the fixture's, which forbids them.
    port = free_port()
    server = start_app(port, tmp_path / "voila.log")
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        open_app(page, server, "?module=01-rights")
        feedback = answer_second_question_wrong(page)
        stop_app(server)
        expect(page.get_by_role("alert").filter(has_text=UI.connection_lost)).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "fault-reconnecting.png"))
        server = start_app(port, tmp_path / "voila.log")
        reload_from_notice(page, "01-rights", "fault-server-restart.png")
        expect_second_question_back(page, feedback)
        expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        page.goto("about:blank")
        context.close()
        stop_app(server)


BROKEN_RECORDS = {
    "unreadable": (
        "{not json",
        "Your saved progress was cleared because it could not be read. You can carry on as normal.",
    ),
    "old format": (
        json.dumps({"version": 1, "completed": {"01-rights": ["visited"]}, "place": {"quiz:01-rights": {"index": 3}}}),
        UI.format("place_discarded", reason="it was saved in an older format"),
    ),
    "damaged place": (
        json.dumps(
            {"version": 2, "completed": {}, "place": {"quiz:01-rights": {"index": 1, "questions": {"x": "broken"}}}}
        ),
        UI.format("place_discarded", reason="part of it could not be read"),
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_RECORDS))
def test_a_broken_stored_place_is_discarded_with_a_notice(page: Any, voila_server: VoilaServer, kind: str) -> None:
    record, notice = BROKEN_RECORDS[kind]
    # Written before the app's own scripts run, as a record left by an earlier visit would be there: on a device
    # whose learner chose to keep their place (only then does a record outlive its tab).
    page.add_init_script(
        f"if (location.protocol === 'http:') {{ window.localStorage.setItem({json.dumps(KEEP_KEY)}, 'place'); "
        f"window.localStorage.setItem({json.dumps(STORE_KEY)}, {json.dumps(record)}); }}"
    )
    open_app(page, voila_server, "?module=01-rights")
    alert = page.get_by_role("alert").filter(has_text=notice)
    expect(alert).to_be_visible()
    expect(page.get_by_text(UI.format("question_of", number=1, total=len(QUIZ.questions)))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"fault-stored-{kind.replace(' ', '-')}.png"))
    stored = page.evaluate(STORED_JS)
    assert json.loads(stored)["version"] == 2
    assert json.loads(stored)["place"] == {}


def test_a_module_notebook_outside_the_app_says_how_to_restart_a_lost_kernel(chromium: Any, tmp_path: Path) -> None:
    # In JupyterLab the learner restarts the kernel themselves, so the notebook's frame says how, in words. The
    # notebook is served here by Voilà's stock template, which (unlike the app's) has no notice of its own, so
    # what shows is the frame's.
    port = free_port()
    log = (tmp_path / "voila.log").open("wb")
    command = [sys.executable, "-m", "voila", "notebooks/01_your_rights_in_therapy.ipynb", f"--port={port}"]
    command += ["--no-browser", "--VoilaConfiguration.template=lab", "--VoilaConfiguration.preheat_kernel=False"]
    server = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        deadline = time.monotonic() + 60
        while not _serving(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(".tw-progress-store", state="attached")
        kernels = [child for child in psutil.Process(server.pid).children(recursive=True) if _is_kernel(child)]
        assert len(kernels) == 1
        kernels[0].kill()
        notice = page.get_by_role("alert").filter(has_text=UI.kernel_lost_lab)
        expect(notice).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "fault-notebook-kernel-lost.png"))
    finally:
        page.goto("about:blank")
        context.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
        log.close()


def _serving(port: int) -> bool:
    """Whether anything answers HTTP on ``port`` yet (an error status counts: the server is up)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/nothing", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False
