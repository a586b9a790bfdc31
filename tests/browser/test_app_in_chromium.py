"""The Voilà app as a learner uses it, in Debian's Chromium against a live server."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from therapy_workshop.validate.loader import load_workshop

from ..expected import folded, shown
from .conftest import ARTIFACTS as ARTIFACTS_DIR
from .conftest import REPO, PageRecorder, VoilaServer, give_back_kernel

WORKSHOP = load_workshop(REPO)
QUIZ = WORKSHOP.quizzes["01-rights"]


# Resolves once the app's page has not changed for ``quiet`` ms: the widgets of a module render one after another
# after its title, and nothing marks the last one, so "the page stopped changing" is the condition to wait on.
# Fails if the page keeps changing for 15 s.
SETTLED_JS = """(quiet) => new Promise((done, fail) => {
  const app = document.querySelector('.tw-app') || document.body;
  let timer = null;
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(finish, quiet); });
  const giveUp = setTimeout(() => { observer.disconnect(); clearTimeout(timer);
                                    fail(new Error('the page kept changing for 15 s')); }, 15000);
  function finish() { observer.disconnect(); clearTimeout(giveUp); done(true); }
  observer.observe(app, {childList: true, subtree: true, attributes: true, characterData: true});
  timer = setTimeout(finish, quiet);
})"""


def wait_until_rendered(page: Any, quiet_ms: int = 150) -> None:
    """Wait until the page has stopped changing (every widget of the module rendered)."""
    page.evaluate(SETTLED_JS, quiet_ms)


def open_app(page: Any, server: VoilaServer, query: str = "") -> None:
    """Open the app and wait for the module the query asks for (the start page shows first, then it switches)."""
    page.goto(server.url + query)
    wanted = parse_qs(query.lstrip("?")).get("module", [WORKSHOP.modules[0].id])[0]
    page.wait_for_selector(f'.tw-module-title[data-module="{wanted}"]')
    wait_until_rendered(page)


def other_hosts(server: VoilaServer, recorder: PageRecorder) -> list[str]:
    own = urlparse(server.url).netloc
    return sorted({url for url in recorder.requests if url.startswith("http") and urlparse(url).netloc != own})


def test_text_is_served_compressed_to_browsers_that_ask(voila_server: VoilaServer) -> None:
    url = voila_server.url + "voila/static/voila.js"
    with urllib.request.urlopen(url, timeout=10) as response:
        plain = response.read()
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        compressed = response.read()
    assert gzip.decompress(compressed) == plain
    assert len(compressed) < len(plain) / 2


def test_start_page_is_served_with_the_workshop_title(voila_server: VoilaServer) -> None:
    with urllib.request.urlopen(voila_server.url, timeout=10) as response:
        html = response.read().decode()
    assert give_back_kernel(voila_server, html)
    assert "<title>Your Rights in Therapy</title>" in html
    assert "cdn.jsdelivr.net" not in html and "cdnjs" not in html
    assert "fontawesome" not in html.lower()


@pytest.mark.parametrize(
    "path",
    [
        "voila/files/01_your_rights_in_therapy.ipynb",
        "voila/files/app.ipynb",
        "voila/files/../content/modules.yaml",
        "voila/render/01_your_rights_in_therapy.ipynb",
        "api/kernels",
        "voila/tree",
    ],
)
def test_nothing_but_the_app_is_served(voila_server: VoilaServer, path: str) -> None:
    try:
        with urllib.request.urlopen(voila_server.url + path, timeout=10) as response:
            body = response.read().decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        status = error.code
    assert status in (403, 404)
    assert "Traceback" not in body
    assert "modules:" not in body and '"cells"' not in body


def test_learner_answers_wrong_then_right_and_finishes_the_quiz(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    open_app(page, voila_server)
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Your rights in therapy").click()
    page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    assert page.url.endswith("?module=01-rights")
    assert page.title() == "Your rights in therapy · Your Rights in Therapy"

    first = QUIZ.questions[0]
    wrong = next(index for index, option in enumerate(first.options) if not option.correct)
    right = next(index for index, option in enumerate(first.options) if option.correct)
    group = page.get_by_role("group", name=first.prompt.strip()[:40])
    group.get_by_label(first.options[wrong].text).check()
    page.get_by_role("button", name="Check").click()
    feedback = page.locator(".tw-feedback")
    feedback.wait_for()
    text = folded(feedback.inner_text())
    assert text.startswith("Not quite. Here is why.")
    assert f"You chose: {shown(first.options[wrong].text)} {shown(first.options[wrong].feedback)}" in text
    assert shown(first.explanation) in text

    page.get_by_role("button", name="Try again").click()
    page.wait_for_selector(".tw-feedback", state="detached")
    group.get_by_label(first.options[right].text).check()
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector('.tw-feedback[data-tone="right"]')
    text = folded(page.locator(".tw-feedback").inner_text())
    assert text.startswith("That's right.")
    assert f"You chose: {shown(first.options[right].text)} {shown(first.options[right].feedback)}" in text
    assert shown(first.explanation) in text

    for number in range(2, len(QUIZ.questions) + 1):
        page.get_by_role("button", name="Next question").click()
        page.get_by_text(f"Question {number} of {len(QUIZ.questions)}").wait_for()
    page.get_by_role("button", name="See my results").click()
    score = page.locator(".tw-score")
    score.wait_for()
    assert score.inner_text() == f"You got 0 of {len(QUIZ.questions)} right on the first try."
    assert page.locator(".tw-review li").count() == len(QUIZ.questions)

    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []


def test_need_support_opens_with_the_keyboard_and_lists_lines(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server)
    summary = page.locator("summary", has_text="Need support?")
    summary.focus()
    page.keyboard.press("Enter")
    for country in WORKSHOP.support.countries:
        assert page.get_by_text(country.lines[0].name, exact=False).first.is_visible()
    assert page.get_by_text("education, not legal or clinical advice").first.is_visible()


def test_deep_link_opens_the_module_directly(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server, "?module=01-rights")
    page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    assert page.get_by_role("link", name="Your rights in therapy", exact=True).get_attribute("aria-current") == "page"


def test_quiz_works_with_the_keyboard_alone(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server, "?module=01-rights")
    first = QUIZ.questions[0]
    radio = page.locator(".tw-choices input").first
    radio.wait_for()
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked()
    page.keyboard.press("Tab")
    expect(page.locator(".tw-quiz").get_by_role("button", name="Check", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_selector(".tw-feedback")
    expect(page.locator(":focus")).to_have_class(re.compile(r"(^|\s)tw-live(\s|$)"))  # the feedback takes focus
    assert first.options[0].text in page.locator(".tw-feedback").inner_text()


def test_moving_between_modules_keeps_one_kernel_and_leaving_frees_it(chromium: Any, voila_server: VoilaServer) -> None:
    idle = voila_server.settled_kernel_count()
    context = chromium.new_context()
    page = context.new_page()
    open_app(page, voila_server)
    assert voila_server.wait_for_kernels(idle + 1) == idle + 1
    page.evaluate("window.twSamePage = true")  # a reload would forget this
    for _ in range(3):
        page.get_by_role("link", name="Next: Your rights in therapy").click()
        page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
        page.get_by_role("link", name="Previous: Start here").click()
        page.wait_for_selector('.tw-module-title[data-module="00-start"]')
    assert page.evaluate("window.twSamePage === true"), "moving between modules reloaded the page"
    assert voila_server.settled_kernel_count() == idle + 1
    page.goto("about:blank")
    assert voila_server.wait_for_kernels(idle) == idle
    context.close()


def test_a_tab_closed_without_beforeunload_still_frees_its_kernel(chromium: Any, voila_server: VoilaServer) -> None:
    # Phones, crashed tabs and closed laptops often skip 'beforeunload', Voilà's only moment to free a kernel;
    # the template sends the same request on 'pagehide'. Closing a page here runs no beforeunload handler.
    idle = voila_server.settled_kernel_count()
    context = chromium.new_context()
    page = context.new_page()
    open_app(page, voila_server)
    assert voila_server.wait_for_kernels(idle + 1) == idle + 1
    page.close(run_before_unload=False)
    assert voila_server.wait_for_kernels(idle, timeout=10) == idle
    context.close()


def test_a_lost_kernel_is_said_in_words_and_reload_brings_the_module_back(page: Any, voila_server: VoilaServer) -> None:
    # The kernel dies under a live page (crash, out of memory, server trouble): no broken-link icons, a notice in
    # the page's own words with its Reload button focused, and the reload opens the same module again.
    ui = WORKSHOP.ui
    open_app(page, voila_server, "?module=01-rights")
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    killed = [child for child in voila_server.kernel_processes() if kernel_id in " ".join(child.cmdline())]
    assert len(killed) == 1
    killed[0].kill()

    notice = page.get_by_role("alert").filter(has_text=ui.kernel_lost)
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice.get_by_role("button", name=ui.reload)).to_be_focused()
    assert page.evaluate(
        "[...document.querySelectorAll('.jupyter-widgets-disconnected')]"
        ".every((view) => getComputedStyle(view, '::before').display === 'none')"
    )
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "fault-kernel-lost.png"))

    page.keyboard.press("Enter")
    page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    expect(page.get_by_role("alert").filter(has_text=ui.kernel_lost)).to_have_count(0)


VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# What a reader meets on the page, measured in the browser: visible text smaller than 15 px (pictures and
# screen-reader-only text aside), links told apart by colour alone, and anything wider than the screen.
READABILITY_JS = """() => {
  const app = document.querySelector('.tw-app');
  const small = new Set();
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode, element = text.parentElement;
    if (!text.textContent.trim() || !element || element.closest('.tw-sr-only, svg') || !element.offsetParent) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 15) small.add(`${size}px: ${text.textContent.trim().slice(0, 40)}`);
  }
  const colourOnly = [...app.querySelectorAll('a[href]')]
    .filter((link) => link.offsetParent && !link.matches('[aria-current="page"]'))
    .filter((link) => !getComputedStyle(link).textDecorationLine.includes('underline'))
    .map((link) => link.textContent.trim().slice(0, 40));
  const width = document.documentElement.clientWidth;
  const tooWide = [...app.querySelectorAll('*')]
    .filter((element) => element.offsetParent && !element.closest('.tw-table-wrap'))
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`).slice(0, 5);
  // WCAG 2.2 target size (2.5.8): at least 24 px each way of a control must show, so one that a box clips
  // (overflow hidden inside the app) or squeezes is caught too.
  const shown = (control) => {
    let box = control.getBoundingClientRect();
    let top = box.top, bottom = box.bottom, left = box.left, right = box.right;
    for (let parent = control.parentElement; parent && app.contains(parent); parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const clip = parent.getBoundingClientRect();
      top = Math.max(top, clip.top); bottom = Math.min(bottom, clip.bottom);
      left = Math.max(left, clip.left); right = Math.min(right, clip.right);
    }
    return {height: bottom - top, width: right - left};
  };
  const tooSmallToTap = [...app.querySelectorAll('button, select, textarea, summary, input[type="text"]')]
    .filter((control) => control.offsetParent && !control.closest('.tw-sr-only'))
    // What a closed <details> holds is not shown (Chromium keeps it laid out, hidden, so offsetParent is set).
    .filter((control) => !control.closest('details:not([open])') || control.tagName === 'SUMMARY')
    .filter((control) => { const box = shown(control); return box.height < 24 || box.width < 24; })
    .map((control) => `${control.tagName.toLowerCase()}: ${(control.textContent || '').trim().slice(0, 30)}`);
  return {small: [...small].slice(0, 8), colourOnly, tooWide, tooSmallToTap,
          scrolls: document.documentElement.scrollWidth > width};
}"""


def open_every_kind_of_text(page: Any, module_id: str) -> None:
    """Show feedback, a scenario step and the support panel, so their text is measured too."""
    if module_id in WORKSHOP.quizzes:
        quiz = page.locator(".tw-quiz").first
        quiz.locator(".tw-choices input").first.check()
        quiz.get_by_role("button", name="Check").click()
        quiz.locator(".tw-feedback").wait_for()
    scenario = page.locator(".tw-scenario")
    if scenario.count():
        scenario.first.locator(".tw-scenario-choices button").first.click()
        scenario.first.locator('.tw-feedback[data-tone="story"]').wait_for()
    page.locator("summary", has_text="Need support?").click()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("module_id", [module.id for module in WORKSHOP.modules])
def test_every_module_is_accessible_and_readable_on_a_laptop_and_a_phone(
    chromium: Any, voila_server: VoilaServer, module_id: str, viewport: str
) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    context = chromium.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        open_app(page, voila_server, f"?module={module_id}")
        open_every_kind_of_text(page, module_id)
        results = Axe().run(page).response
        serious = [
            {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]][:5]}
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        # axe leaves links "to review" when their colour alone might do; underlined links pass outright.
        unsure_links = [item["id"] for item in results["incomplete"] if item["id"] == "link-in-text-block"]
        readability = page.evaluate(READABILITY_JS)
        page.screenshot(path=str(ARTIFACTS_DIR / f"a11y-{module_id}-{viewport}.png"), full_page=True)
    finally:
        page.goto("about:blank")  # the unload beacon frees this page's kernel
        context.close()
    assert serious == [], json.dumps(serious, indent=1)
    assert unsure_links == []
    assert readability == {"small": [], "colourOnly": [], "tooWide": [], "tooSmallToTap": [], "scrolls": False}


def test_every_module_loads_without_errors_or_other_hosts_and_is_photographed(
    page: Any, voila_server: VoilaServer, recorder: PageRecorder
) -> None:
    open_app(page, voila_server)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    for module in [*WORKSHOP.modules[1:], WORKSHOP.modules[0]]:  # the start page last: it is open at first
        page.locator(".tw-menu").get_by_role("link", name=module.title, exact=True).click()
        title = page.locator(f'.tw-module-title[data-module="{module.id}"]')
        expect(title).to_be_focused()  # focus moves to the new page
        page.screenshot(path=str(ARTIFACTS_DIR / f"module-{module.id}.png"), full_page=True)
    assert recorder.console_errors == []
    assert other_hosts(voila_server, recorder) == []


# Every control a keyboard user must be able to reach (shown: not hidden, not inside a closed <details>, which
# Chromium hides with content-visibility; and not disabled), each under a stable key: its place in the page, or for
# a radio group its name (Tab enters a group once; the arrow keys move inside it). ``twKey`` stays on the window
# so the keys of what Tab reaches are made the same way.
CONTROLS_JS = """() => {
  window.twKey = (el) => {
    if (el.matches('input[type="radio"]') && el.name) return `radio group ${el.name}`;
    const path = [];
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      path.unshift(`${node.tagName.toLowerCase()}${[...node.parentElement.children].indexOf(node)}`);
    }
    return path.join('>');
  };
  window.twLabel = (el) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent
                              || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50)}"`;
  return [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')]
    .filter((el) => el.checkVisibility({visibilityProperty: true}) && !el.matches(':disabled'))
    .map((el) => ({key: window.twKey(el), label: window.twLabel(el)}));
}"""

FOCUSED_JS = """() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const name = (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || el.title
                || '').trim();
  return {key: window.twKey(el), label: window.twLabel(el), name,
          ring: style.outlineStyle !== 'none' || style.boxShadow !== 'none'}; }"""


def test_keyboard_alone_reaches_every_control_with_a_visible_focus(page: Any, voila_server: VoilaServer) -> None:
    for module in WORKSHOP.modules:
        open_app(page, voila_server, f"?module={module.id}")
        controls = {control["key"]: control["label"] for control in page.evaluate(CONTROLS_JS)}
        assert controls, f"{module.id}: no controls found"
        reached: dict[str, str] = {}
        unnamed, no_ring = [], []
        page.locator("body").focus()
        first = None
        for _ in range(3 * len(controls) + 20):  # once round the page is enough; stop when Tab comes back
            page.keyboard.press("Tab")
            info = page.evaluate(FOCUSED_JS)
            if info is None:
                continue  # past the last control the document itself has focus for one press
            if info["key"] == first:
                break
            first = first or info["key"]
            reached[info["key"]] = info["label"]
            if not info["name"]:
                unnamed.append(info["label"])
            if not info["ring"]:
                no_ring.append(info["label"])
        else:
            pytest.fail(f"{module.id}: Tab never came back to the first control")
        missed = sorted(f"{controls[key]} at {key}" for key in controls.keys() - reached.keys())
        assert missed == [], f"{module.id}: controls Tab never reached: {missed}"
        assert unnamed == [], f"{module.id}: controls without a name: {unnamed}"
        assert no_ring == [], f"{module.id}: controls without a visible focus: {no_ring[:3]}"
