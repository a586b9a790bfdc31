"""Exit this page, in Debian's Chromium against a live server, on a laptop and on a phone.

The destination (``exit_destination`` in content/ui.yaml) is answered by a local stub through Playwright's routing:
no request leaves the machine. Where a test must see what the page shows while the destination loads, the stub
holds its answer until the test has looked.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from therapy_workshop.shell.exit_page import EXIT_FILE, FALLBACK

from .conftest import ARTIFACTS, REPO, PageRecorder, VoilaServer, give_back_kernel, module_notebooks_served
from .test_app_in_chromium import WORKSHOP, open_app
from .test_page_load_in_chromium import PREVIEW_HEADING, STYLED_JS, HeldScript

UI = WORKSHOP.ui
DESTINATION = UI.exit_destination
DESTINATION_HOST = urlparse(DESTINATION).netloc
# Every request to the destination's site, so that nothing (a favicon, say) reaches the real one.
DESTINATION_SITE = re.compile(rf"^https://{re.escape(DESTINATION_HOST)}/")
STUB = '<!DOCTYPE html><html lang="en"><head><link rel="icon" href="data:,"><title>Weather</title></head><body>Weather'
VIEWPORTS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PREFIX = "your-rights-in-therapy/"
BEFORE = "data:text/html,<title>Before</title>"
# Whether the exit button's centre shows the button itself (nothing lies over it), and what lies there if not.
AT_CENTRE_JS = """() => {
  const button = document.querySelector('.tw-exit-button');
  const box = button.getBoundingClientRect();
  const found = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
  return button.contains(found) ? 'the button' : (found ? found.outerHTML.slice(0, 120) : 'nothing');
}"""
# Reports (as a console message) what the page shows the moment the overlay arrives: the overlay, what is at the
# centre of the screen, and any other element that still takes up room (none should: the page is hidden for screen
# readers and the Tab key too). From inside the page, because while a navigation is pending Chromium answers no
# script or screenshot from outside (Playwright's evaluate and screenshot both wait).
LEAVING_JS = """new MutationObserver((records, observer) => {
  const overlay = document.querySelector('.tw-exit-overlay');
  if (!overlay) return;
  observer.disconnect();
  const found = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
  const othersShown = [...document.body.querySelectorAll('*')]
    .filter((element) => element !== overlay && element.getClientRects().length > 0)
    .map((element) => element.tagName.toLowerCase() + '.' + element.className).slice(0, 5);
  console.log('tw-exit-test ' + JSON.stringify({
    overlay: { role: overlay.getAttribute('role'), text: overlay.textContent },
    atCentre: found && found.className,
    othersShown,
  }));
}).observe(document, { childList: true, subtree: true });"""
# The page's focusable elements in tab order (none has a positive tabindex), as class names.
FOCUSABLE_JS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter((element) => element.tabIndex >= 0 && !element.disabled && element.getClientRects().length > 0)
  .slice(0, 3).map((element) => element.className)"""
# Every key either storage holds for this origin.
STORED_JS = """() => Object.fromEntries(['localStorage', 'sessionStorage'].map((name) => {
  const store = window[name];
  return [name, Array.from({ length: store.length }, (_, index) => store.key(index)).sort()];
}))"""


class Destination:
    """The destination's site, answered by :data:`STUB`; with ``hold``, the destination itself waits for
    :meth:`release`, so the page that is leaving stays on screen for the test to look at."""

    def __init__(self, page: Any, hold: bool = False) -> None:
        self.page = page
        self.hold = hold
        self.waiting: list[Any] = []
        self.referrers: list[str | None] = []
        page.route(DESTINATION_SITE, self._on_request)

    def _on_request(self, route: Any) -> None:
        self.referrers.append(route.request.headers.get("referer"))
        if self.hold and route.request.url == DESTINATION:
            self.waiting.append(route)
            return
        route.fulfill(status=200, content_type="text/html", body=STUB)

    def wait_until_asked(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.waiting and time.monotonic() < deadline:
            self.page.wait_for_timeout(20)  # lets Playwright deliver the route event
        assert self.waiting, f"the page never asked for {DESTINATION}"

    def release(self) -> None:
        self.hold = False
        for route in self.waiting:
            route.fulfill(status=200, content_type="text/html", body=STUB)
        self.waiting.clear()

    def assert_landed(self) -> None:
        """The tab shows the destination, and the destination was not told where its visitor came from."""
        self.page.wait_for_url(DESTINATION)
        expect(self.page).to_have_title("Weather")
        assert self.referrers and set(self.referrers) == {None}


def other_hosts(server: VoilaServer, recorder: PageRecorder) -> list[str]:
    """Requests to any host but the server's and the stubbed destination's."""
    own = urlparse(server.url).netloc
    return sorted({url for url in recorder.requests if urlparse(url).netloc not in ("", own, DESTINATION_HOST)})


def status_text(page: Any) -> str:
    return str(page.locator(".tw-exit-status").text_content())


def lit(page: Any) -> int:
    """How many of the three lights are on (0 while they are hidden)."""
    if not page.locator(".tw-exit").evaluate("(bar) => bar.classList.contains('tw-exit-counting')"):
        return 0
    return int(page.locator(".tw-exit-light-on").count())


def kill_kernel(page: Any, server: VoilaServer) -> None:
    kernel_id = page.evaluate("window.twPageKernel().kernelId")
    killed = [child for child in server.kernel_processes() if kernel_id in " ".join(child.cmdline())]
    assert len(killed) == 1
    killed[0].kill()


@pytest.mark.parametrize("way", ["button", "hidden link", "Shift three times"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_each_way_out_hides_the_page_first_then_replaces_it_by_the_destination(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder, viewport: str, way: str
) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    destination = Destination(page, hold=True)
    reports: list[str] = []
    page.on("console", lambda message: message.text.startswith("tw-exit-test ") and reports.append(message.text))
    page.add_init_script(LEAVING_JS)
    page.goto(BEFORE)
    # The start page, where nothing takes the focus (a deep link's module heading does): Tab starts at the top.
    open_app(page, voila_server, "" if way == "hidden link" else "?module=01-rights")
    if way == "button":
        # The mouse itself, not Locator.click, which would wait for the held navigation to finish.
        box = page.locator(".tw-exit-button").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    elif way == "hidden link":
        link = page.locator(".tw-exit-link")
        assert link.bounding_box()["width"] <= 1  # out of sight until it has focus
        page.keyboard.press("Tab")
        expect(link).to_be_focused()  # the first thing on the page
        expect(link).to_have_text(UI.exit_link)
        assert link.bounding_box()["width"] > 100  # shown while it has focus
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Shift")
        expect(page.locator(".tw-exit-status")).to_have_text(UI.exit_two_more)
        page.keyboard.press("Shift")
        expect(page.locator(".tw-exit-status")).to_have_text(UI.exit_one_more)
        page.keyboard.press("Shift")

    destination.wait_until_asked()
    # Before the destination has answered, only the overlay shows: the workshop is gone from the screen already.
    deadline = time.monotonic() + 5
    while not reports and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert [json.loads(report.removeprefix("tw-exit-test ")) for report in reports] == [
        {"overlay": {"role": "alert", "text": UI.exit_loading}, "atCentre": "tw-exit-overlay", "othersShown": []}
    ]
    destination.release()
    destination.assert_landed()

    page.go_back()  # Back goes to the page before the workshop, never to the workshop
    page.wait_for_url(re.compile(r"^data:"))
    page.go_forward()
    page.wait_for_url(DESTINATION)
    assert other_hosts(voila_server, recorder) == []


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_shift_counts_alone_only_and_says_so(page: Any, voila_server: VoilaServer, viewport: str) -> None:
    # GOV.UK's rules: a Shift press counts wherever focus is, a text field included, unless another key was
    # pressed with it (typing a capital); any other key in between starts the count again; so does a pause.
    page.set_viewport_size(VIEWPORTS[viewport])
    Destination(page)
    open_app(page, voila_server)
    status = page.locator(".tw-exit-status")
    assert status.get_attribute("role") == "status"
    field = page.get_by_label(UI.room_code_label)
    field.click()
    for letter in "ABC":  # capitals typed in a text field never count
        page.keyboard.down("Shift")
        page.keyboard.press(f"Key{letter}")
        page.keyboard.up("Shift")
    expect(field).to_have_value("ABC")
    assert status_text(page) == "" and lit(page) == 0

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    expect(status).to_have_text(UI.exit_one_more)
    assert lit(page) == 2
    page.keyboard.press("KeyD")  # another key between: the count starts again
    expect(status).to_have_text(UI.exit_reset)
    assert lit(page) == 0
    page.keyboard.press("Shift")
    expect(status).to_have_text(UI.exit_two_more)
    assert lit(page) == 1
    page.keyboard.press("Shift")
    page.keyboard.down("Shift")
    page.keyboard.press("KeyE")  # the third press is a capital: it does not count
    page.keyboard.up("Shift")
    expect(status).to_have_text(UI.exit_reset)
    expect(field).to_have_value("ABCdE")
    page.keyboard.press("Shift")
    expect(status).to_have_text(UI.exit_two_more)
    # Five seconds after the first press the count starts again, and says so.
    expect(status).to_have_text(UI.exit_reset, timeout=7_000)
    assert lit(page) == 0
    assert page.locator(".tw-exit-overlay").count() == 0
    assert urlparse(page.url).netloc == urlparse(voila_server.url).netloc

    page.keyboard.press("Shift")  # three lone presses in the text field leave, as GOV.UK's do
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(DESTINATION)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_without_javascript_the_button_still_leaves(chromium: Any, voila_server: VoilaServer, viewport: str) -> None:
    context = chromium.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    try:
        destination = Destination(page)
        page.goto(voila_server.url + "?module=01-rights")
        assert give_back_kernel(voila_server, page.content())  # no script will ever connect to it
        button = page.locator(".tw-exit-button")
        expect(button).to_have_text(UI.exit_button)
        assert button.get_attribute("href") == DESTINATION
        assert button.get_attribute("rel") == "nofollow noreferrer"
        button.click()
        destination.assert_landed()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_nothing_covers_the_button_with_the_room_bar_the_support_panel_and_the_connection_notice(
    chromium: Any, page: Any, voila_server: VoilaServer, viewport: str
) -> None:
    key = re.findall(r"Facilitator view: http://\S+/\?view=facilitator&key=([A-Za-z0-9_-]+)", voila_server.log())[0]
    facilitator = chromium.new_context(viewport=VIEWPORTS["laptop"]).new_page()
    facilitator.set_default_timeout(20_000)
    panel = facilitator.locator(".tw-room-panel")
    code = ""
    try:
        open_app(facilitator, voila_server, f"?view=facilitator&key={key}&module=01-rights")
        panel.get_by_role("button", name=UI.room_start).click()
        heading = panel.locator(".tw-room-summary h3")
        expect(heading).to_have_text(re.compile(r"Room [A-Z2-9]{6}"))
        code = heading.inner_text().split()[-1]

        page.set_viewport_size(VIEWPORTS[viewport])
        open_app(page, voila_server, f"?room={code}&module=01-rights")
        expect(page.locator(".tw-room-joined")).to_be_visible()
        page.locator("#rendered_cells summary", has_text=UI.need_support).click()
        expect(page.locator("#rendered_cells .tw-support-body")).to_be_visible()
        kill_kernel(page, voila_server)
        notice = page.get_by_role("alert").filter(has_text=UI.kernel_lost)
        expect(notice).to_be_visible(timeout=15_000)

        button = page.locator(".tw-exit-button")
        for scrolled in (0, 700):
            page.evaluate(f"window.scrollTo(0, {scrolled})")
            box = button.bounding_box()
            assert box["y"] <= 8, "the button stays at the top of the screen"
            assert page.evaluate(AT_CENTRE_JS) == "the button"
            assert notice.bounding_box()["y"] >= box["y"] + box["height"]  # the notice starts below it
        assert page.evaluate("window.scrollY") > 0, "the page was long enough to scroll"
        # The first things Tab reaches: the hidden link, then the button.
        assert page.evaluate(FOCUSABLE_JS)[:2] == ["tw-exit-link", "tw-exit-button"]
    finally:
        if code:  # ending a room deletes it: no room outlives the test
            panel.get_by_role("button", name=UI.room_end).click()
            panel.get_by_role("button", name=UI.format("room_end_confirm", code=code)).click()
            expect(panel.get_by_role("button", name=UI.room_start)).to_be_visible()
        facilitator.goto("about:blank")
        facilitator.context.close()


@pytest.mark.parametrize("keep", [False, True], ids=["keep nothing", "keep my place"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_leaving_forgets_what_this_device_kept_unless_the_learner_chose_to_keep_it(
    page: Any, voila_server: VoilaServer, viewport: str, keep: bool
) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    destination = Destination(page)
    # A page of the server's own origin that takes no kernel, to read its storage after the exit.
    probe = voila_server.url + "tw-exit-probe"
    page.route(probe, lambda route: route.fulfill(status=200, content_type="text/html", body="<title>probe</title>"))
    open_app(page, voila_server)
    stored = {f"{PREFIX}test-local": "1", "another-site/setting": "kept"}
    if keep:
        stored[f"{PREFIX}keep"] = "place"
    page.evaluate(
        """(stored) => {
          for (const [key, value] of Object.entries(stored)) window.localStorage.setItem(key, value);
          window.sessionStorage.setItem('your-rights-in-therapy/test-tab', '1');
        }""",
        stored,
    )
    before = page.evaluate(STORED_JS)
    page.locator(".tw-exit-button").click()
    destination.assert_landed()

    page.goto(probe)  # the same tab, so its session storage too
    after = page.evaluate(STORED_JS)
    if keep:  # everything is still there (the app may have kept more meanwhile)
        assert all(set(before[name]) <= set(after[name]) for name in before)
        assert f"{PREFIX}test-tab" in after["sessionStorage"]
    else:
        assert after == {"localStorage": ["another-site/setting"], "sessionStorage": []}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_button_stays_at_the_same_pixel_from_the_preview_to_the_app_and_axe_finds_nothing_serious(
    page: Any, voila_server: VoilaServer, viewport: str
) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    held = HeldScript(page)
    page.goto(voila_server.url + "?module=01-rights", wait_until="commit")
    button = page.locator(".tw-exit-button")
    expect(button).to_be_visible()
    first_paint = button.bounding_box()
    expect(page.locator(PREVIEW_HEADING)).to_be_visible()
    page.wait_for_function(STYLED_JS)
    preview = button.bounding_box()
    held.release()
    expect(page.locator('.tw-module-title[data-module="01-rights"]')).to_be_visible(timeout=30_000)
    expect(page.locator("#tw-preview")).to_have_count(0)
    assert first_paint == preview == button.bounding_box()
    expect(button).to_have_text(UI.exit_button)
    assert button.get_attribute("role") == "button"
    expect(page.get_by_role("button", name=UI.exit_button)).to_have_count(1)
    if viewport == "phone":
        assert button.bounding_box()["width"] == VIEWPORTS["phone"]["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "exit-button-phone.png"))
    page.keyboard.press("Shift")  # the lights and the announcement are in the page too
    results = Axe().run(page).response
    serious = [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]][:5]}
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []

    # The overlay as a person sees it: the button pointed at this very page (a jump within it, as GOV.UK's own
    # tests do), so the overlay stays on screen to be looked at instead of giving way to the destination.
    button.evaluate("(link) => { link.href = '#'; }")
    button.click()
    overlay = page.get_by_role("alert").filter(has_text=UI.exit_loading)
    expect(overlay).to_be_visible()
    expect(button).to_be_hidden()
    expect(page.locator(".tw-module-title")).to_be_hidden()
    if viewport == "phone":
        page.screenshot(path=str(ARTIFACTS / "exit-overlay-phone.png"))


@pytest.fixture
def module_server(tmp_path: Path) -> Iterator[str]:
    """Voilà serving the module notebooks on their own with the workshop template, before ``check`` has ever
    written the exit include (a copy of the template without it): the template's fallback must show."""
    templates = tmp_path / "jupyter" / "voila" / "templates"
    shutil.copytree(
        REPO / EXIT_FILE.parent,
        templates / "workshop",
        ignore=shutil.ignore_patterns(EXIT_FILE.name, "preview.html"),
    )
    with module_notebooks_served(tmp_path / "jupyter") as url:
        yield url


def test_a_module_notebook_served_on_its_own_has_the_button_even_before_check_wrote_it(
    chromium: Any, module_server: str
) -> None:
    context = chromium.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    try:
        destination = Destination(page)
        page.goto(module_server + "voila/render/01_your_rights_in_therapy.ipynb")
        expect(page.locator('.tw-module-title[data-module="01-rights"]')).to_be_visible(timeout=60_000)
        button = page.locator(".tw-exit-button")
        expect(button).to_have_text(FALLBACK.button)  # the template's own words
        assert page.evaluate(FOCUSABLE_JS)[:2] == ["tw-exit-link", "tw-exit-button"]
        assert page.evaluate(AT_CENTRE_JS) == "the button"
        page.keyboard.press("Shift")
        expect(page.locator(".tw-exit-status")).to_have_text(FALLBACK.two_more)
        button.click()
        destination.assert_landed()
    finally:
        page.goto("about:blank")
        context.close()


def test_the_words_travel_to_the_script_as_ui_yaml_has_them(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server)
    words = page.locator(".tw-exit").evaluate("(bar) => ({...bar.dataset})")
    assert words == {
        "loading": UI.exit_loading,
        "twoMore": UI.exit_two_more,
        "oneMore": UI.exit_one_more,
        "reset": UI.exit_reset,
    }
    expect(page.locator(".tw-exit-link")).to_have_text(UI.exit_link)
    assert page.locator(".tw-exit-link").get_attribute("href") == DESTINATION
