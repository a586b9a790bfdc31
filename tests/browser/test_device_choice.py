"""What this device keeps, in Chromium against ``make app``, on a desktop and on a phone.

Each test reads the browser's own storages from the page (``OURS_JS``): with "Keep nothing after this tab closes"
(the default) the learner's place lives in this tab's sessionStorage, survives a reload and is not in a new tab;
with "Keep my place on this device" it is in localStorage and comes back in a new tab; changing the choice moves
the records and says so; "Clear everything" leaves none of the workshop's keys in either storage.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..expected import shown
from .conftest import ARTIFACTS, PageRecorder, VoilaServer
from .test_app_in_chromium import WORKSHOP, open_app, wait_until_rendered

UI = WORKSHOP.ui
QUIZ = WORKSHOP.quizzes["01-rights"]
PREFIX = "your-rights-in-therapy/"
PROGRESS_KEY = PREFIX + "progress"
KEEP_KEY = PREFIX + "keep"
FACILITATOR_KEY = PREFIX + "facilitator-key"
TYPED = "They kept talking about my private life in sessions."

# The workshop's keys in each storage of the page's browser, with their values.
OURS_JS = """(prefix) => {
  const ours = {local: {}, session: {}};
  for (const [name, storage] of [['local', window.localStorage], ['session', window.sessionStorage]]) {
    for (let index = 0; index < storage.length; index += 1) {
      const key = storage.key(index);
      if (key.startsWith(prefix)) ours[name][key] = storage.getItem(key);
    }
  }
  return ours;
}"""

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SIZES))
def context(chromium: Any, recorder: PageRecorder, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A browser context (one "device") at each size; every tab opened in it logs errors to ``recorder``."""
    context = chromium.new_context(viewport=SIZES[request.param])
    context.on(
        "page",
        lambda tab: (
            tab.set_default_timeout(20_000),
            tab.on("console", lambda message: message.type == "error" and recorder.console_errors.append(message.text)),
            tab.on("pageerror", lambda error: recorder.console_errors.append(str(error))),
        ),
    )
    yield context
    for tab in context.pages:
        with contextlib.suppress(Exception):
            tab.goto("about:blank")  # the unload beacon gives each tab's kernel back
    context.close()
    assert recorder.console_errors == [], "the page logged errors"


def ours(tab: Any) -> dict[str, dict[str, str]]:
    return dict(tab.evaluate(OURS_JS, PREFIX))


def wait_for_storage(tab: Any, check: Callable[[dict[str, dict[str, str]]], bool], timeout: float = 10.0) -> Any:
    """Poll the page's storages until ``check`` holds: the kernel writes a round trip after each click."""
    deadline = time.monotonic() + timeout
    seen = ours(tab)
    while not check(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = ours(tab)
    assert check(seen), f"the browser never stored what was expected; it holds {seen}"
    return seen


def place_of(record: str | None) -> dict[str, Any]:
    return dict(json.loads(record).get("place", {})) if record else {}


def header_control(tab: Any) -> Any:
    return tab.locator(".tw-header .tw-device-compact")


def open_header_control(tab: Any) -> Any:
    control = header_control(tab)
    if control.get_attribute("open") is None:
        control.locator("summary").click()
    expect(control.get_by_role("group", name=UI.device_question)).to_be_visible()
    return control


def answer_first_question(tab: Any) -> None:
    first = QUIZ.questions[0]
    tab.get_by_role("group", name=shown(first.prompt)[:40]).get_by_label(first.options[0].text).check()
    tab.locator(".tw-quiz").get_by_role("button", name=UI.check).click()
    tab.locator(".tw-quiz .tw-feedback").wait_for()


def expect_first_answer_back(tab: Any) -> None:
    first = QUIZ.questions[0]
    expect(tab.get_by_role("group", name=shown(first.prompt)[:40]).get_by_label(first.options[0].text)).to_be_checked()
    expect(tab.locator(".tw-quiz .tw-feedback")).to_be_visible()


def go_to(tab: Any, module_id: str) -> None:
    menu = tab.get_by_role("navigation", name=UI.contents)
    menu.get_by_role("link", name=WORKSHOP.module(module_id).title, exact=True).click()
    tab.wait_for_selector(f'.tw-module-title[data-module="{module_id}"]')
    wait_until_rendered(tab)


def type_in_the_draft(tab: Any) -> None:
    box = tab.get_by_label("What happened", exact=True)
    box.fill(TYPED)
    expect(box).to_have_value(TYPED)


def test_keep_nothing_keeps_the_place_through_a_reload_and_none_of_it_in_a_new_tab(
    context: Any, voila_server: VoilaServer
) -> None:
    tab = context.new_page()
    open_app(tab, voila_server, "?module=01-rights")
    expect(header_control(tab).locator("summary")).to_have_text(f"{UI.device_keeps_nothing} {UI.device_change}")
    answer_first_question(tab)
    go_to(tab, "04-reporting")
    type_in_the_draft(tab)
    stored = wait_for_storage(
        tab, lambda seen: {"quiz:01-rights", "draft:04-reporting"} <= set(place_of(seen["session"].get(PROGRESS_KEY)))
    )
    assert stored["local"] == {}
    assert TYPED in stored["session"][PROGRESS_KEY]

    tab.reload()
    tab.wait_for_selector('.tw-module-title[data-module="04-reporting"]')
    wait_until_rendered(tab, 300)
    expect(tab.get_by_label("What happened", exact=True)).to_have_value(TYPED)
    go_to(tab, "01-rights")
    expect_first_answer_back(tab)
    assert ours(tab)["local"] == {}

    fresh = context.new_page()
    open_app(fresh, voila_server)
    expect(fresh.locator('.tw-module-title[data-module="00-start"]')).to_be_visible()
    seen = ours(fresh)
    assert seen["local"] == {}, "a tab that keeps nothing left something on the device"
    assert place_of(seen["session"].get(PROGRESS_KEY)) == {}
    assert TYPED not in json.dumps(seen)


def test_keep_my_place_chosen_with_the_keyboard_moves_the_record_and_brings_the_place_back_in_a_new_tab(
    context: Any, voila_server: VoilaServer
) -> None:
    tab = context.new_page()
    open_app(tab, voila_server, "?module=01-rights")
    answer_first_question(tab)
    wait_for_storage(tab, lambda seen: "quiz:01-rights" in place_of(seen["session"].get(PROGRESS_KEY)))
    control = header_control(tab)
    control.locator("summary").focus()
    tab.keyboard.press("Enter")
    expect(control.get_by_role("group", name=UI.device_question)).to_be_visible()
    tab.keyboard.press("Tab")
    expect(control.get_by_label(UI.device_keep_nothing, exact=True)).to_be_focused()
    tab.keyboard.press("ArrowDown")
    expect(control.get_by_label(UI.device_keep_place, exact=True)).to_be_checked()
    notice = control.get_by_role("status")
    expect(notice).to_have_text(
        "Done. This device now keeps your place. We moved one record from this tab onto this device."
    )
    expect(control.locator("summary")).to_have_text(f"{UI.device_keeps_place} {UI.device_change}")
    seen = ours(tab)
    assert seen["session"] == {}
    assert seen["local"][KEEP_KEY] == "place" and "quiz:01-rights" in place_of(seen["local"][PROGRESS_KEY])

    again = context.new_page()
    again.goto(voila_server.url)  # a plain visit goes back to the module this device kept
    again.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    wait_until_rendered(again, 300)
    expect_first_answer_back(again)
    expect(header_control(again).locator("summary")).to_have_text(f"{UI.device_keeps_place} {UI.device_change}")


def test_changing_back_to_keep_nothing_moves_the_records_into_this_tab_and_off_the_device(
    context: Any, voila_server: VoilaServer
) -> None:
    tab = context.new_page()
    open_app(tab, voila_server, "?module=01-rights")
    control = open_header_control(tab)
    control.get_by_label(UI.device_keep_place, exact=True).check()
    expect(control.get_by_role("status")).to_have_text(
        "Done. This device now keeps your place. We moved one record from this tab onto this device."
    )
    answer_first_question(tab)
    wait_for_storage(tab, lambda seen: "quiz:01-rights" in place_of(seen["local"].get(PROGRESS_KEY)))
    control.get_by_label(UI.device_keep_nothing, exact=True).check()
    expect(control.get_by_role("status")).to_have_text(
        "Done. This device now keeps nothing after this tab closes. We moved one record off this device and into "
        "this tab only."
    )
    seen = ours(tab)
    assert seen["local"] == {}, "keeping nothing left the record (or the choice) on the device"
    assert "quiz:01-rights" in place_of(seen["session"][PROGRESS_KEY])
    # What the learner does next stays in this tab.
    go_to(tab, "03-ending")
    wait_for_storage(tab, lambda seen: json.loads(seen["session"][PROGRESS_KEY])["last_module"] == "03-ending")
    assert ours(tab)["local"] == {}


def test_clear_everything_empties_both_storages_of_our_keys_and_says_how_many(
    context: Any, voila_server: VoilaServer
) -> None:
    tab = context.new_page()
    open_app(tab, voila_server, "?module=03-ending")
    typed = "I would like to stop after next week."
    box = tab.locator(".tw-script-builder textarea").first
    box.fill(typed)
    control = open_header_control(tab)
    control.get_by_label(UI.device_keep_place, exact=True).check()
    expect(control.get_by_role("status")).to_contain_text("This device now keeps your place.")
    wait_for_storage(tab, lambda seen: typed in seen["local"].get(PROGRESS_KEY, ""))
    # A facilitator's key for this tab, and something that is not ours and must stay.
    tab.evaluate(f"window.sessionStorage.setItem({json.dumps(FACILITATOR_KEY)}, 'a-key')")
    tab.evaluate("window.localStorage.setItem('another-site-thing', 'theirs')")
    before = ours(tab)
    assert sum(map(len, before.values())) == 3  # the progress, the choice, the facilitator's key
    clear = control.get_by_role("button", name=UI.clear_button)
    clear.focus()
    tab.keyboard.press("Enter")
    expect(control.get_by_role("status")).to_have_text(
        "Cleared. We deleted 3 records that this site stored. Your activities start again, and this device now "
        "keeps nothing after this tab closes."
    )
    wait_until_rendered(tab, 300)
    assert ours(tab) == {"local": {}, "session": {}}
    assert tab.evaluate("window.localStorage.getItem('another-site-thing')") == "theirs"
    expect(box).to_have_value("")
    expect(control.get_by_label(UI.device_keep_nothing, exact=True)).to_be_checked()


def test_the_start_page_asks_and_axe_finds_nothing_serious_in_either_control(
    context: Any, voila_server: VoilaServer
) -> None:
    tab = context.new_page()
    open_app(tab, voila_server)
    asked = tab.locator(".tw-body .tw-device-full")
    expect(asked.get_by_role("heading", name=UI.device_heading)).to_be_visible()
    expect(asked.get_by_label(UI.device_keep_nothing, exact=True)).to_be_checked()
    expect(asked.get_by_text(UI.device_downloads)).to_be_visible()
    expect(asked.get_by_role("button", name=UI.clear_button)).to_be_visible()
    open_header_control(tab)
    for selector in (".tw-header .tw-device", ".tw-body .tw-device"):
        results = Axe().run(tab, context=selector).response
        serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{selector}: {serious}"
    if tab.viewport_size["width"] < 600:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.evaluate("window.scrollTo(0, 0)")
        tab.screenshot(path=str(ARTIFACTS / "device-choice-phone.png"))
