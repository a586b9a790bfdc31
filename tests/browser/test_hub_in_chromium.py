"""The workshop on a real JupyterHub (``make hub``): temporary users, the room across their servers, cleanup.

One hub for the module (starting it and a user's server costs seconds). In order: three temporary users open the
app through the proxy, answer and move between modules, with no console error and no request to another host;
the facilitator's link opens the facilitator view on the facilitator's own server, a room starts, the three
join through the link it shows and answer, and the counts reach the facilitator; closed tabs free their kernels;
stopping the hub leaves no process behind.
"""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from therapy_workshop.shell.app_only import REFUSED

from .conftest import ARTIFACTS, CHUNK, REPO
from .hub import PROXY, RunningHub, start_hub
from .kernel_probe import marker_path, send_forbidden_messages
from .test_app_in_chromium import WORKSHOP, wait_until_rendered
from .test_room_in_chromium import QUESTIONS, WRONG, answer, serious_violations

pytestmark = pytest.mark.hub

UI = WORKSHOP.ui
APP = "/voila/render/notebooks/app.ipynb"
USER_PAGE = re.compile(r"/user/([^/]+)/voila/render/notebooks/app\.ipynb")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    if not PROXY.exists() and shutil.which("npm") is None:
        pytest.skip("no npm to install JupyterHub's proxy with (apt-get install nodejs npm)")
    running = start_hub(
        tmp_path_factory.mktemp("hub"),
        # Under a path, as a hub behind a site's own web server is: every address below must carry it.
        {
            "ROOM_MINIMUM": "3",
            "CULL_AFTER": "600",
            "CULL_SERVERS_AFTER": "3600",
            "FACILITATOR_KEY": "",
            "HUB_BASE_URL": "/workshop/",
        },
    )
    yield running
    running.stop()
    running.kill()


class Visitor:
    """One person with a browser of their own: the pages they open, what the browser logged, where it went."""

    def __init__(self, chromium: Any, hub: RunningHub) -> None:
        self.hub = hub
        self.context = chromium.new_context(viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda message: self._console(message))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    @property
    def user(self) -> str:
        found = USER_PAGE.search(urlparse(self.page.url).path)
        assert found, f"not on a user's app page: {self.page.url}"
        return found.group(1)

    def other_hosts(self) -> list[str]:
        own = urlparse(self.hub.url).netloc
        return sorted({url for url in self.requests if url.startswith("http") and urlparse(url).netloc != own})

    def wait_for_module(self, module_id: str = "") -> None:
        """Until the module (any module, if none is named) has rendered."""
        selector = f'.tw-module-title[data-module="{module_id}"]' if module_id else ".tw-module-title"
        self.page.wait_for_selector(selector, timeout=60_000)
        wait_until_rendered(self.page)

    def go_to(self, module_id: str) -> None:
        title = next(module.title for module in WORKSHOP.modules if module.id == module_id)
        self.page.get_by_role("navigation", name=UI.contents).get_by_role("link", name=title).click()
        self.wait_for_module(module_id)


@pytest.fixture(scope="module")
def visitors(chromium: Any, hub: RunningHub) -> Iterator[list[Visitor]]:
    """Three temporary users: each opened ``/hub/tmplogin`` at the same moment, as a room arriving does."""
    people = [Visitor(chromium, hub) for _ in range(3)]
    for person in people:
        person.page.goto(hub.url + "/hub/tmplogin", wait_until="commit")
    for person in people:
        person.wait_for_module(WORKSHOP.modules[0].id)
    yield people
    for person in people:
        person.context.close()


def test_temporary_users_use_the_app_through_the_proxy(visitors: list[Visitor], hub: RunningHub) -> None:
    assert len({person.user for person in visitors}) == 3, "each visitor is a user of their own"
    assert all(urlparse(person.page.url).path.startswith("/workshop/user/") for person in visitors)
    assert set(hub.user_servers()) == {person.user for person in visitors}
    for person in visitors:
        assert person.page.title().endswith("Your Rights in Therapy")
        person.go_to("01-rights")
        assert urlparse(person.page.url).query == "module=01-rights"
        answer(person.page, 0, WRONG)
        expect(person.page.locator(".tw-quiz .tw-feedback")).to_contain_text("Not quite.")
        person.go_to("02-conduct")
        person.go_to("01-rights")
        expect(person.page.locator(".tw-quiz .tw-feedback")).to_contain_text("Not quite.")  # still there
    reloaded = visitors[0]  # under /user/<name>/ the browser keeps the place and progress: a new kernel restores it
    reloaded.page.reload()
    reloaded.wait_for_module("01-rights")
    expect(reloaded.page.locator(".tw-quiz .tw-feedback")).to_contain_text("Not quite.")
    visitors[0].page.screenshot(path=str(ARTIFACTS / "hub-participant.png"), full_page=True)
    other = visitors[1].context.new_page()  # the server serves the app and nothing else: no traceback, no path
    response = other.goto(f"{hub.url}/user/{visitors[1].user}/voila/render/notebooks/missing.ipynb")
    assert response is not None and response.status == 403
    assert response.text() == REFUSED + "\n"
    assert "Traceback" not in other.content() and str(REPO) not in other.content()
    other.close()
    for person in visitors:
        assert person.console_errors == []
        assert person.other_hosts() == []
        # The server extension serves Voilà's chunks in one bundle under the user's prefix, as make app does.
        assert f"{hub.url}/user/{person.user}/voila/workshop/page-bundle.js" in person.requests
        assert [url for url in person.requests if CHUNK.search(url)] == []


def test_the_room_runs_across_the_users_servers(chromium: Any, visitors: list[Visitor], hub: RunningHub) -> None:
    facilitator = Visitor(chromium, hub)
    try:
        facilitator.page.goto(hub.facilitator_link)
        facilitator.wait_for_module(WORKSHOP.modules[0].id)
        assert facilitator.user == "facilitator"
        assert "key=" not in facilitator.page.url
        panel = facilitator.page.locator(".tw-room-panel")
        panel.get_by_role("button", name=UI.room_start).click()
        heading = panel.locator(".tw-room-summary h3")
        expect(heading).to_have_text(re.compile(r"Room [A-Z2-9]{6}"))
        code = heading.inner_text().split()[-1]
        link = panel.locator(".tw-room-link").inner_text()
        assert link == f"{hub.url}/hub/user-redirect{APP}?room={code}", "the join link works for every user"

        for person in visitors:
            person.page.goto(link)
            person.wait_for_module()  # the module they were on: a link without ?module= resumes there
            expect(person.page.locator(".tw-room-joined")).to_have_text(UI.format("room_joined", code=code))
        expect(panel.locator(".tw-room-count")).to_have_text(UI.format("room_participants", count=3))

        facilitator.go_to("01-rights")
        second = QUESTIONS[1]  # the first question they answered before the room: only first answers count
        right = next(index for index, option in enumerate(second.options) if option.correct)
        wrong = next(index for index, option in enumerate(second.options) if not option.correct)
        for person, option in zip(visitors, (wrong, wrong, right), strict=True):
            person.go_to("01-rights")
            person.page.get_by_role("button", name=UI.next).click()
            answer(person.page, 1, option)
        results = facilitator.page.locator(".tw-room-results")
        expect(results).to_contain_text(UI.format("room_answered", count=3), timeout=5_000)
        facilitator.page.screenshot(path=str(ARTIFACTS / "hub-facilitator.png"), full_page=True)
        assert serious_violations(facilitator.page) == []

        outsider = visitors[0]  # a participant asking for the facilitator view gets the participant view
        outsider.page.goto(outsider.page.url.split("?")[0] + "?view=facilitator&module=01-rights")
        outsider.wait_for_module("01-rights")
        assert outsider.page.locator(".tw-facilitator, .tw-room-panel").count() == 0
        assert facilitator.console_errors == [] and facilitator.other_hosts() == []
    finally:
        facilitator.context.close()


def test_a_wrong_facilitator_key_is_refused_and_the_key_is_in_no_log_line(hub: RunningHub) -> None:
    key = hub.facilitator_link.rsplit("key=", 1)[1]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(hub.facilitator_link.replace(key, key[:-1] + "x"), timeout=10)
    assert refused.value.code == 403
    assert (
        "This facilitator link is not valid for this hub. Copy it again from the terminal."
        in refused.value.read().decode()
    )
    assert hub.log().count(key) == 1, "only the printed link names the key"


def test_a_closed_tab_frees_its_kernel_within_seconds(chromium: Any, hub: RunningHub) -> None:
    person = Visitor(chromium, hub)
    person.page.goto(hub.url + "/hub/tmplogin")
    person.wait_for_module(WORKSHOP.modules[0].id)
    server = hub.user_servers()[person.user]
    assert len(hub.kernels_of(server)) == 1
    person.page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while hub.kernels_of(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hub.kernels_of(server) == [], "the kernel of a closed tab is shut down"
    person.context.close()


class CookieOnly:
    """A script with nothing but the cookies a visit to ``/hub/tmplogin`` gave it (no browser, no page)."""

    def __init__(self, hub: RunningHub) -> None:
        self.hub = hub
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        with self.opener.open(hub.url + "/hub/tmplogin", timeout=60) as landing:
            self.user = urlparse(landing.url).path.rstrip("/").rsplit("/", 1)[-1]
        deadline = time.monotonic() + 60
        while True:  # the spawn-pending page: wait until the server is up and the app answers
            with self.opener.open(f"{hub.url}/user/{self.user}/", timeout=60) as response:
                if USER_PAGE.search(urlparse(response.url).path):
                    break
            assert time.monotonic() < deadline, "the temporary user's server did not start"
            time.sleep(0.5)

    def xsrf(self, where: str) -> str:
        """The XSRF cookie the hub (``/hub/``) or the user's server (``/user/``) set, as a page's script sends it."""
        values = [cookie.value for cookie in self.jar if cookie.name == "_xsrf" and f"/{where}/" in cookie.path]
        return values[0] if values else ""

    def ask(self, method: str, url: str, body: bytes | None = None) -> tuple[int, str]:
        where = "hub" if "/hub/" in url else "user"
        headers = {"X-XSRFToken": self.xsrf(where), "Content-Type": "application/json"}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def test_a_temporary_user_with_only_a_cookie_can_reach_nothing_but_the_app(hub: RunningHub) -> None:
    script = CookieOnly(hub)
    server = f"{hub.url}/user/{script.user}/"
    for method, path, body in [
        ("POST", "api/kernels", b"{}"),
        ("GET", "api/kernels", None),
        ("GET", "api/contents/", None),
        ("PUT", "api/contents/pwned.txt", b'{"type": "file", "format": "text", "content": "x"}'),
        ("GET", "api/sessions", None),
        ("GET", "api/terminals", None),
        ("GET", "voila/tree", None),
        ("GET", "files/Makefile", None),
    ]:
        assert script.ask(method, server + path, body) == (403, REFUSED + "\n"), (method, path)
    assert not (REPO / "pwned.txt").exists()
    assert script.ask("GET", server + APP.lstrip("/"))[0] == 200  # the app itself still opens
    status, _ = script.ask("GET", f"{hub.url}/hub/api/users")
    assert status == 403  # no list of who else is here
    status, said = script.ask("POST", f"{hub.url}/hub/api/users/{script.user}/tokens", b'{"note": "mine"}')
    assert status == 403  # no token of their own, which could reach the room service or their server
    assert f"User {script.user} not found or no permissions to generate tokens" in said


def test_a_participants_page_cannot_run_code_on_its_own_kernel(chromium: Any, hub: RunningHub, tmp_path: Path) -> None:
    person = Visitor(chromium, hub)
    try:
        person.page.goto(hub.url + "/hub/tmplogin")
        person.wait_for_module(WORKSHOP.modules[0].id)
        marker = marker_path(tmp_path)
        result = send_forbidden_messages(person.page, marker)
        assert "execute_reply" not in result["replies"] and "kernel_info_reply" in result["replies"]
        assert not marker.exists(), "code sent from the page ran on the participant's kernel"
        log = hub.log()
        assert 'Received message of type "execute_request", which is not allowed. Ignoring.' in log
        assert 'Received message of type "input_reply", which is not allowed. Ignoring.' in log
        person.go_to("01-rights")  # the page and its kernel still work: a wrong answer gets its feedback
        answer(person.page, 0, WRONG)
        expect(person.page.locator(".tw-quiz .tw-feedback")).to_contain_text("Not quite.")
    finally:
        person.context.close()


def test_stopping_the_hub_leaves_no_process(hub: RunningHub) -> None:
    assert hub.user_servers(), "the users' servers are still running before the stop"
    assert hub.stop() == []
    assert Path(hub.folder / "hub" / "rooms.sqlite").exists()  # the room store is on the hub's disk
