"""The one-notebook app shell: modules swap inside one kernel, deep links and in-page links work."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import ipywidgets as widgets
import pytest

from therapy_workshop.html.markdown import heading_ids
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.room.hub_client import HubIdentity
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.shell.frame import support_panel_html
from therapy_workshop.shell.render import build_module_page
from therapy_workshop.validate.yaml_source import ContentError, Problem
from therapy_workshop.widgets.quiz import QuizSet

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def shell(workshop: Workshop) -> WorkshopApp:
    return WorkshopApp(workshop)


def page_html(page: widgets.VBox) -> str:
    return "".join(child.value for child in page.children if isinstance(child, widgets.HTML))


def test_app_opens_on_the_start_page(shell: WorkshopApp) -> None:
    assert shell.current == "00-start"
    heading = '<h1 class="tw-module-title" data-module="00-start" elementtiming="module-title">Start here</h1>'
    assert heading in page_html(shell.page)
    assert 'aria-current="page">Start here</a>' in shell.menu.value


def test_next_and_previous_move_between_modules(shell: WorkshopApp) -> None:
    shell.next_module()
    assert shell.current == "01-rights"
    assert shell.location.current == "01-rights"
    assert shell.location.page_title == "Your rights in therapy · Your Rights in Therapy"
    shell.previous_module()
    assert shell.current == "00-start"


def test_deep_link_query_opens_that_module(shell: WorkshopApp) -> None:
    shell.location.query = "?module=01-rights"
    assert shell.current == "01-rights"


def test_unknown_deep_link_shows_start_page_with_a_notice(shell: WorkshopApp) -> None:
    shell.location.query = "?module=99-nothing"
    assert shell.current == "00-start"
    assert "There is no module called “99-nothing”" in shell.notice_area.value
    shell.go("01-rights")
    assert shell.notice_area.value == ""


def test_link_click_message_from_the_page_switches_module(shell: WorkshopApp) -> None:
    shell.location._on_message(shell.location, {"go": "01-rights"}, [])
    assert shell.current == "01-rights"


def test_quiz_progress_survives_moving_away_and_back(shell: WorkshopApp) -> None:
    shell.go("01-rights")
    quiz = next(child for child in shell.page.children if isinstance(child, QuizSet))
    quiz.next()
    shell.go("00-start")
    shell.go("01-rights")
    same = next(child for child in shell.page.children if isinstance(child, QuizSet))
    assert same is quiz
    assert same.counter_text.startswith("Question 2 of")


def test_links_between_notebooks_become_in_app_links(workshop: Workshop) -> None:
    html = page_html(build_module_page(workshop, "00-start"))
    assert 'href="?module=01-rights"' in html
    assert "01_your_rights_in_therapy.ipynb" not in html


def test_module_page_shows_notebook_text_quiz_and_sources(workshop: Workshop) -> None:
    page = build_module_page(workshop, "01-rights")
    kinds = [type(child).__name__ for child in page.children]
    assert "QuizSet" in kinds
    html = page_html(page)
    assert '<section class="tw-sources-section"><h2>Sources</h2>' in html
    assert 'id="src-aca-a.2.a"' in html
    assert "jp-RenderedMarkdown" in html


def test_footer_and_header_carry_support_and_not_advice(shell: WorkshopApp, workshop: Workshop) -> None:
    assert "<summary>Need support?</summary>" in shell.support.value
    assert "education, not legal or clinical advice" in shell.footer.value
    shell.go("01-rights")
    assert 'rel="prev" href="?module=00-start"' in shell.footer.value


def test_the_support_panel_links_to_staying_safe_on_the_start_page(shell: WorkshopApp, workshop: Workshop) -> None:
    part = "Staying-safe-while-you-use-this"
    assert f'<a href="?module=00-start#{part}">Staying safe while you use this</a>' in shell.support.value
    # In JupyterLab the same panel links to the notebook, where JupyterLab gives the heading the same id.
    assert f'<a href="00_start_here.ipynb#{part}">' in str(support_panel_html(workshop))
    notebook = json.loads((REPO / "notebooks" / workshop.module("00-start").notebook).read_text(encoding="utf-8"))
    start = "\n\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert part in heading_ids(start)


def test_app_keeps_only_the_shown_page_in_the_body(shell: WorkshopApp) -> None:
    shell.go("01-rights")
    assert shell.body.children == (shell.pages["01-rights"],)


def test_broken_content_shows_a_plain_notice_and_lists_problems_in_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    problems = [
        Problem("content/01-rights/quiz.yaml", 12, ("questions", 0, "id"), "id 'Q 1' may use only lowercase"),
        Problem("content/ui.yaml", 3, ("next",), "this key is missing"),
    ]

    def broken() -> Workshop:
        raise ContentError(problems)

    # The package exports the function ``app``, which hides the module of the same name; import it by name.
    app_module = importlib.import_module("therapy_workshop.shell.app")
    monkeypatch.setattr(app_module, "get_workshop", broken)
    shown = app_module.app()
    assert isinstance(shown, widgets.HTML)
    assert "The workshop cannot open right now" in shown.value
    assert "Some of its content has 2 problems" in shown.value
    assert "quiz.yaml" not in shown.value  # visitors get no file names or tracebacks
    terminal = capfd.readouterr().err
    assert "content/01-rights/quiz.yaml:12 questions[0].id: id 'Q 1' may use only lowercase" in terminal
    assert "content/ui.yaml:3 next: this key is missing" in terminal


@pytest.mark.parametrize(("name", "may_facilitate"), [("fiona", True), ("pat", False)])
@pytest.mark.parametrize("view", ["facilitator", "results"])
def test_on_a_hub_only_a_facilitator_gets_the_facilitator_views_without_the_key(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch, name: str, may_facilitate: bool, view: str
) -> None:
    async def identity() -> HubIdentity:
        return HubIdentity(name=name, facilitator=may_facilitate)

    monkeypatch.setattr(importlib.import_module("therapy_workshop.shell.app"), "ask_hub_identity", identity)
    app = WorkshopApp(workshop)
    app.location.query = f"?view={view}&module=01-rights"  # no loop runs here: the hub has answered already
    assert (app.facilitator, app.projecting) == (
        may_facilitate and view == "facilitator",
        may_facilitate and view == "results",
    )
    assert (app.room_panel is not None, app.projector is not None) == (app.facilitator, app.projecting)


def test_a_hub_answer_about_an_address_left_meanwhile_changes_nothing(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WorkshopApp(workshop)

    async def identity() -> HubIdentity:
        app.location.query = "?module=01-rights"  # the participant went on while the hub took its time
        return HubIdentity(name="fiona", facilitator=True)

    monkeypatch.setattr(importlib.import_module("therapy_workshop.shell.app"), "ask_hub_identity", identity)
    app.location.query = "?view=facilitator&module=01-rights"
    assert not app.facilitator and app.room_panel is None
