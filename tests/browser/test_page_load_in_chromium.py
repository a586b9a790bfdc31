"""A first visit on a slow network: the words at once (the preview), then Voilà's scripts in one bundle."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.widgets.progress import KEEP_KEY, PROGRESS_KEY, serialise

from ..expected import folded, shown
from .conftest import CHUNK, REPO, PageRecorder, VoilaServer, module_notebooks_served

WORKSHOP = load_workshop(REPO)
#: The venue-wifi profile of ``make bench`` (Chromium's network emulation): 100 ms round trips, 10 Mbit/s.
VENUE_WIFI = {"offline": False, "latency": 100, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8}
#: The script that brings ipywidgets' widget manager into the page; held back, nothing can draw a widget.
WIDGET_MANAGER_NAME = "@jupyter-widgets/jupyterlab-manager"
WIDGET_MANAGER = f"**/labextensions/{WIDGET_MANAGER_NAME}/static/remoteEntry.*.js"
#: The names of the lab extensions the page loads (Voilà asks for all their scripts at once), from its page config
#: ([] until the page has parsed its config).
EXTENSIONS_JS = """() => {
  const element = document.getElementById('jupyter-config-data');
  if (!element) return [];
  const config = JSON.parse(element.textContent);
  const extensions = typeof config.federated_extensions === 'string'
    ? JSON.parse(config.federated_extensions) : config.federated_extensions || [];
  return extensions.map((extension) => extension.name);
}"""
#: Whether the scripts of every extension but the one named have arrived and run (each enters itself in _JUPYTERLAB).
OTHERS_ARRIVED_JS = f"""(held) => {{
  const others = ({EXTENSIONS_JS})().filter((name) => name !== held);
  return others.length > 0 && others.every((name) => Boolean(window._JUPYTERLAB?.[name]));
}}"""
#: Whether the page is styled as the learner sees it: every stylesheet it links has loaded, and its fonts.
STYLED_JS = """() => document.fonts.status === 'loaded'
  && [...document.querySelectorAll('link[rel=stylesheet]')].every((link) => link.sheet !== null)"""
PREVIEW_HEADING = "#tw-preview [data-preview-module]:not([hidden]) .tw-preview-title"
BOX_JS = "(element) => { const box = element.getBoundingClientRect(); return [box.x, box.y, box.width]; }"


class HeldScript:
    """The widget manager's script, held back until :meth:`release`; after that it loads as usual."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.waiting: list[Any] = []
        page.route(WIDGET_MANAGER, self._on_request)

    def _on_request(self, route: Any) -> None:
        self.waiting.append(route)

    def wait_until_asked(self, timeout: float = 30.0) -> None:
        """Wait until the page has asked for the held script (and so is waiting for it)."""
        deadline = time.monotonic() + timeout
        while not self.waiting and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets Playwright deliver the route event; polled, not a guess
        assert self.waiting, f"the page never asked for {WIDGET_MANAGER} within {timeout} s"

    def release(self) -> None:
        """Let the held script load, and stop intercepting: with a route in place Playwright holds every request
        of the page, and the beacon that gives the page's kernel back as it closes would be lost."""
        for route in self.waiting:
            route.continue_()
        self.page.unroute(WIDGET_MANAGER, self._on_request)


def test_on_venue_wifi_the_heading_shows_before_the_widget_manager_and_the_first_widget_then_works(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", VENUE_WIFI)
    held = HeldScript(page)
    module = WORKSHOP.module("01-rights")
    page.goto(voila_server.url + "?module=01-rights", wait_until="commit")

    heading = page.locator(PREVIEW_HEADING)
    expect(heading).to_have_text(module.title)
    first_words = page.locator("#tw-preview [data-preview-module]:not([hidden]) .tw-markdown p").first
    expect(first_words).to_be_visible()
    # The page has asked for every extension's script at once: wait until all the others have arrived and run,
    # so that what follows is checked at the moment only the widget manager is missing, not merely early.
    held.wait_until_asked()
    page.wait_for_function(OTHERS_ARRIVED_JS, arg=WIDGET_MANAGER_NAME, timeout=30_000)
    assert WIDGET_MANAGER_NAME in page.evaluate(EXTENSIONS_JS)
    assert page.evaluate(f"() => Boolean(window._JUPYTERLAB?.[{json.dumps(WIDGET_MANAGER_NAME)}])") is False
    assert page.locator("#rendered_cells .jupyter-widgets").count() == 0
    # Nothing in the preview looks like a control that does nothing yet.
    assert page.locator("#tw-preview").locator("button, input, select, textarea, [role=button]").count() == 0
    # The title is in the page once, for screen readers too: the app's cells are hidden while the preview shows.
    expect(page.get_by_role("heading", level=1, name=module.title)).to_have_count(1)
    before = [heading.evaluate(BOX_JS), first_words.evaluate(BOX_JS)]

    held.release()
    title = page.locator('.tw-module-title[data-module="01-rights"]')
    expect(title).to_be_visible(timeout=60_000)
    expect(page.locator("#tw-preview")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name=module.title)).to_have_count(1)
    app_words = page.locator("#rendered_cells .tw-markdown p").first
    # No jump: the heading and the first words are where the preview had them.
    assert [title.evaluate(BOX_JS), app_words.evaluate(BOX_JS)] == before

    # The first widget works as soon as it is there: a wrong answer gets its feedback.
    first = WORKSHOP.quizzes["01-rights"].questions[0]
    wrong = next(index for index, option in enumerate(first.options) if not option.correct)
    page.get_by_role("group", name=first.prompt.strip()[:40]).get_by_label(first.options[wrong].text).check()
    page.get_by_role("button", name="Check").click()
    feedback = page.locator(".tw-feedback")
    feedback.wait_for(timeout=20_000)
    assert folded(feedback.inner_text()).startswith("Not quite. Here is why.")
    assert shown(first.explanation) in folded(feedback.inner_text())
    assert recorder.console_errors == []


@pytest.mark.parametrize(
    ("query", "stored", "shown_module", "notice"),
    [
        ("", None, "00-start", False),
        ("?module=05-process", None, "05-process", False),
        ("", "03-ending", "03-ending", False),  # a plain visit goes back to where this browser was
        ("?module=02-conduct", "03-ending", "02-conduct", False),  # a deep link wins
        ("?module=no-such-module", "03-ending", "00-start", True),  # the start page, with the app's notice
    ],
)
def test_the_preview_shows_the_module_the_app_will_open(
    page: Any, voila_server: VoilaServer, query: str, stored: str | None, shown_module: str, notice: bool
) -> None:
    if stored is not None:
        record = serialise({}, {}, stored)
        # Only on the app's own pages (about:blank, where the fixture ends, has no storage). The learner chose to
        # keep their place on this device, where the record is.
        page.add_init_script(
            f"if (location.protocol.startsWith('http')) {{"
            f"window.localStorage.setItem({json.dumps(KEEP_KEY)}, 'place');"
            f"window.localStorage.setItem({json.dumps(PROGRESS_KEY)}, {json.dumps(record)}); }}"
        )
    held = HeldScript(page)
    page.goto(voila_server.url + query, wait_until="commit")
    expect(page.locator(PREVIEW_HEADING)).to_have_text(WORKSHOP.module(shown_module).title)
    expect(page.locator(PREVIEW_HEADING)).to_have_count(1)
    menu = page.locator("#tw-preview").get_by_role("navigation", name=WORKSHOP.ui.contents)
    expect(menu.locator('a[aria-current="page"]')).to_have_text(WORKSHOP.module(shown_module).title)
    page.wait_for_function(STYLED_JS)  # the stock stylesheets and fonts have arrived: as the learner sees it
    before = page.locator(PREVIEW_HEADING).evaluate(BOX_JS)
    held.release()
    title = page.locator(f'.tw-module-title[data-module="{shown_module}"]')
    expect(title).to_be_visible(timeout=30_000)
    expect(page.locator("#tw-preview")).to_have_count(0)
    # No jump, the start page's room form and the place picker included. (The app's notice of an unknown module,
    # which the preview does not know, may move the page down once it arrives.)
    if not notice:
        assert title.evaluate(BOX_JS) == before


def test_the_projector_view_shows_no_module_text_before_the_results(page: Any, voila_server: VoilaServer) -> None:
    held = HeldScript(page)
    page.goto(voila_server.url + "?view=results", wait_until="commit")
    page.wait_for_selector("#rendered_cells", state="attached")
    expect(page.locator("#tw-preview")).to_have_count(0)
    held.release()


def test_a_first_visit_fetches_voilas_chunks_in_one_bundle(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    page.goto(voila_server.url + "?module=01-rights")
    expect(page.locator('.tw-module-title[data-module="01-rights"]')).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Check")).to_be_enabled()
    fetched_alone = [url for url in recorder.requests if CHUNK.search(url)]
    assert fetched_alone == [], (
        "the page fetched chunks that the page bundle lacks (Voilà or an extension was upgraded?): "
        "run python benchmarks/page_chunks.py to list them again"
    )
    assert sum(url.endswith("/voila/workshop/page-bundle.js") for url in recorder.requests) == 1
    assert recorder.console_errors == []


def test_a_module_notebook_served_on_its_own_shows_its_own_page_without_the_apps_preview(chromium: Any) -> None:
    # Binder and a hub's users can open a module notebook in Voilà with the workshop template: the preview is
    # the app's, so it must not stand in front of (and hold back) a notebook's own page.
    context = chromium.new_context()
    page = context.new_page()
    with module_notebooks_served(REPO / "share" / "jupyter") as url:
        try:
            page.goto(url + "voila/render/01_your_rights_in_therapy.ipynb")
            expect(page.locator('.tw-module-title[data-module="01-rights"]')).to_be_visible(timeout=60_000)
            expect(page.locator("#tw-preview")).to_have_count(0)
        finally:
            page.goto("about:blank")
            context.close()


def test_without_the_bundle_the_page_fetches_voilas_chunks_itself_and_works(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    # A server that cannot serve the bundle (a proxy in front that drops the path, say): the page loses speed only.
    bundle = "**/voila/workshop/page-bundle.js"
    page.route(bundle, lambda route: route.fulfill(status=404, body="Not Found"))
    page.goto(voila_server.url + "?module=01-rights")
    expect(page.locator('.tw-module-title[data-module="01-rights"]')).to_be_visible(timeout=30_000)
    expect(page.locator("#tw-preview")).to_have_count(0)
    first = WORKSHOP.quizzes["01-rights"].questions[0]
    page.get_by_role("group", name=first.prompt.strip()[:40]).get_by_label(first.options[0].text).check()
    page.get_by_role("button", name="Check").click()
    page.locator(".tw-feedback").wait_for(timeout=20_000)
    assert len([url for url in recorder.requests if CHUNK.search(url)]) > 50
    page.unroute(bundle)  # so the page's unload beacon gives its kernel back
    # The one thing the browser says: the bundle was not found.
    assert recorder.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    recorder.console_errors.clear()


def test_an_unreadable_stored_record_shows_the_start_page_in_the_preview(page: Any, voila_server: VoilaServer) -> None:
    page.add_init_script(
        "if (location.protocol.startsWith('http')) "
        f"window.localStorage.setItem({json.dumps(PROGRESS_KEY)}, '{{not json')"
    )
    held = HeldScript(page)
    page.goto(voila_server.url, wait_until="commit")
    expect(page.locator(PREVIEW_HEADING)).to_have_text(WORKSHOP.modules[0].title)
    held.release()
    expect(page.locator('.tw-module-title[data-module="00-start"]')).to_be_visible(timeout=30_000)
    expect(page.locator("#tw-preview")).to_have_count(0)
