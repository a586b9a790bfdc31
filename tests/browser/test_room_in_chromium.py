"""A workshop room through ``make app``: a facilitator, six participants, the projector, the export, the end.

One participant never joins and one leaves; neither is counted after that. Bars appear only once five have
answered, reveal reaches only those who answered, the projector steps through activities, the export matches,
and ending the room deletes it. The facilitator's key reaches no participant page and no log line.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from purepix import qr
from purepix.codecs import png

from therapy_workshop.widgets.room_member import SHARED_EVERY

from ..expected import folded, shown
from .conftest import ARTIFACTS, VoilaServer
from .test_app_in_chromium import WORKSHOP, open_app

UI = WORKSHOP.ui
QUESTIONS = WORKSHOP.quizzes["01-rights"].questions
FIRST = f"quiz:01-rights:{QUESTIONS[0].id}"
RIGHT = next(index for index, option in enumerate(QUESTIONS[0].options) if option.correct)
WRONG = next(index for index, option in enumerate(QUESTIONS[0].options) if not option.correct)


def facilitator_key(server: VoilaServer) -> str:
    """The key from the one line ``make app`` printed."""
    found = re.findall(r"Facilitator view: http://\S+/\?view=facilitator&key=([A-Za-z0-9_-]+)", server.log())
    assert len(found) == 1, "make app should print the facilitator's link exactly once"
    return str(found[0])


@pytest.fixture
def browsers(chromium: Any) -> Iterator[list[Any]]:
    """Contexts made during the test (one per person: each has a browser of its own), closed at the end."""
    made: list[Any] = []
    yield made
    for context in made:
        for page in context.pages:
            page.goto("about:blank")  # the unload beacon frees the page's kernel
        context.close()


def person(chromium: Any, browsers: list[Any]) -> Any:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    browsers.append(context)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def answer(page: Any, number: int, option: int) -> None:
    """Answer question ``number`` (0-based, the one on screen) of module 01's quiz and check it."""
    question = QUESTIONS[number]
    page.get_by_role("group", name=shown(question.prompt)[:40]).get_by_label(question.options[option].text).check()
    page.locator(".tw-quiz").get_by_role("button", name=UI.check).click()
    page.locator(".tw-quiz .tw-feedback").wait_for()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """What axe finds serious or critical on the page now."""
    results = Axe().run(page).response
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]][:5]}
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def stays(holds: Callable[[], bool], what: str, seconds: float = 2 * SHARED_EVERY) -> None:
    """Check ``holds`` every 0.2 s for ``seconds`` (two of a page's looks at the room), failing the first time it
    does not: a page sends answers and looks at the room in the background, so "it did not happen" is only
    believed once it had time to."""
    end = time.monotonic() + seconds
    while True:
        assert holds(), what
        if time.monotonic() >= end:
            return
        time.sleep(0.2)


def shares_bars(page: Any) -> bool:
    """Whether the page shows any of the room's revealed bars."""
    shared = page.locator(".tw-room-shared")
    return shared.count() > 0 and shared.inner_text() != ""


def first_counts(server: VoilaServer, key: str) -> list[int]:
    """The export's count for each option of the first question."""
    status, body = export(server, key)
    assert status == 200
    return [row["count"] for row in body["results"] if row["activity"] == FIRST]


def export(server: VoilaServer, key: str | None) -> tuple[int, Any]:
    """The export as a script fetches it: the key in the Authorization header (none: no header)."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    request = urllib.request.Request(server.url + "room/results.json", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_room_from_start_to_end(chromium: Any, browsers: list[Any], voila_server: VoilaServer) -> None:
    key = facilitator_key(voila_server)
    facilitator = person(chromium, browsers)
    open_app(facilitator, voila_server, f"?view=facilitator&key={key}&module=01-rights")
    assert "key=" not in facilitator.url  # taken out of the address bar at once
    panel = facilitator.locator(".tw-room-panel")
    panel.get_by_role("button", name=UI.room_start).click()
    heading = panel.locator(".tw-room-summary h3")
    expect(heading).to_have_text(re.compile(r"Room [A-Z2-9]{6}"))
    code = heading.inner_text().split()[-1]
    expect(panel.locator(".tw-room-qr svg")).to_be_visible()
    expect(panel.locator(".tw-room-link")).to_have_text(f"{voila_server.url}?room={code}")
    # The QR code as Chromium draws it on the facilitator's screen, read by a QR decoder as a phone would.
    drawn = panel.locator(".tw-room-qr svg").screenshot()
    assert qr.decode_text(png.loads(drawn)) == f"{voila_server.url}?room={code}"
    assert export(voila_server, None) == (403, "Forbidden")
    assert export(voila_server, "not-the-key") == (403, "Forbidden")

    joined = [person(chromium, browsers) for _ in range(5)]
    for page in joined:
        open_app(page, voila_server, f"?room={code}&module=01-rights")
        expect(page.locator(".tw-room-joined")).to_have_text(UI.format("room_joined", code=code))
        assert key not in page.content()
    outsider = person(chromium, browsers)  # tries the facilitator view without the key: a participant's page
    open_app(outsider, voila_server, "?view=facilitator&module=01-rights")
    assert outsider.locator(".tw-facilitator, .tw-room-panel").count() == 0
    assert shown(QUESTIONS[0].explanation) not in folded(outsider.locator(".tw-app").inner_text())
    leaver = person(chromium, browsers)
    open_app(leaver, voila_server)  # the start page, where a code can be typed
    leaver.get_by_label(UI.room_code_label).fill(code.lower())
    leaver.get_by_role("button", name=UI.room_join).click()
    expect(leaver.locator(".tw-room-joined")).to_be_visible()
    expect(panel.locator(".tw-room-count")).to_have_text(UI.format("room_participants", count=6))

    for page in joined[:4]:
        answer(page, 0, WRONG)
    expect(panel.locator(".tw-room-results")).to_contain_text(UI.format("room_waiting", count=4, minimum=5))
    answer(joined[4], 0, RIGHT)
    expect(panel.locator(".tw-room-results")).to_contain_text(UI.format("room_answered", count=5), timeout=2_000)
    facilitator.screenshot(path=str(ARTIFACTS / "room-facilitator.png"), full_page=True)
    assert serious_violations(facilitator) == []

    leaver.get_by_role("button", name=UI.room_leave).click()
    expect(leaver.get_by_text(UI.room_left)).to_be_visible()
    leaver.get_by_role("navigation", name=UI.contents).get_by_role("link", name=WORKSHOP.modules[1].title).click()
    leaver.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    answer(leaver, 0, 0)
    answer(outsider, 0, 0)
    expect(panel.locator(".tw-room-count")).to_have_text(UI.format("room_participants", count=5))
    stays(lambda: sum(first_counts(voila_server, key)) == 5, "an answer after leaving, or from outside, was counted")
    status, body = export(voila_server, key)
    assert status == 200
    first = [row for row in body["results"] if row["activity"] == FIRST]
    assert sum(row["count"] for row in first) == 5 and {row["answered"] for row in first} == {5}
    assert [row["count"] for row in first if row["right_answer"] == "true"] == [1]

    panel.locator(".tw-choices input").first.check()  # reveal the first activity to those who answered it
    expect(joined[0].locator(".tw-room-shared")).to_contain_text(UI.room_shared_heading, timeout=6_000)
    expect(joined[0].locator(".tw-room-shared")).to_contain_text(UI.format("room_answered", count=5))
    joined[0].locator(".tw-room-shared").scroll_into_view_if_needed()
    joined[0].screenshot(path=str(ARTIFACTS / "room-participant-revealed.png"))
    assert serious_violations(joined[0]) == []
    # Those who did not answer (the outsider, the leaver) still see nothing after their pages' next looks.
    stays(lambda: not shares_bars(outsider) and not shares_bars(leaver), "the revealed bars reached a non-answerer")

    projector = facilitator.context.new_page()
    projector.goto(voila_server.url + f"?view=results&module=01-rights&key={key}")
    screen = projector.locator(".tw-projector")
    screen.wait_for()
    expect(screen).to_contain_text(UI.format("room_activity_of", number=1, total=len(QUESTIONS)))
    expect(screen).to_contain_text(UI.format("room_answered", count=5))
    expect(screen).not_to_contain_text(UI.room_right_answer)
    projector.get_by_role("button", name=UI.room_show_answer).click()
    expect(screen).to_contain_text(UI.room_right_answer)
    projector.screenshot(path=str(ARTIFACTS / "room-projector.png"), full_page=True)
    assert serious_violations(projector) == []
    next_button = projector.get_by_role("button", name=UI.room_next)
    next_button.focus()
    projector.keyboard.press("Enter")
    expect(screen).to_contain_text(UI.format("room_activity_of", number=2, total=len(QUESTIONS)))

    panel.get_by_role("button", name=UI.room_end).click()
    panel.get_by_role("button", name=UI.format("room_end_confirm", code=code)).click()
    expect(panel.get_by_role("button", name=UI.room_start)).to_be_visible()
    assert export(voila_server, key) == (200, {"results": []})
    joined[1].locator(".tw-quiz").get_by_role("button", name=UI.next).click()
    answer(joined[1], 1, 0)
    expect(joined[1].get_by_text(UI.room_ended)).to_be_visible()

    assert voila_server.log().count(key) == 1  # the printed link, and no log line after it
