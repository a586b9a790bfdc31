"""The page preview: each module's opening as plain HTML, safe to include in the Voilà template."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from therapy_workshop.cli import main
from therapy_workshop.shell.preview import PREVIEW_FILE, jinja_safe, opening_html, preview_html
from therapy_workshop.validate.loader import load_workshop

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content and notebooks, free to edit."""
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def test_every_module_has_a_hidden_opening_with_its_title_and_no_controls() -> None:
    workshop = load_workshop(REPO)
    page = str(preview_html(workshop))
    for module in workshop.modules:
        assert f'<div class="tw-page" data-preview-module="{module.id}" hidden>' in page
        assert f'<h1 class="tw-preview-title" elementtiming="module-title">{module.title}</h1>' in page
    assert re.search(r"<(button|input|select|textarea)\b", page) is None
    assert 'data-module="' not in page  # scripts and tests know the app's headings by it


def test_an_opening_stops_at_the_first_activity_and_keeps_its_place() -> None:
    workshop = load_workshop(REPO)
    opening = str(opening_html(workshop, "01-rights"))
    assert "What this module is about" in opening
    assert opening.endswith('<div class="tw-preview-activity" aria-hidden="true"></div>')
    assert "Check" not in opening and "tw-quiz" not in opening


def test_braces_in_content_cannot_become_template_code(project: Path) -> None:
    notebook = project / "notebooks" / "01_your_rights_in_therapy.ipynb"
    notebook.write_text(
        notebook.read_text(encoding="utf-8").replace("What this module is about", "What {{ config }} {% is %} about"),
        encoding="utf-8",
    )
    text = jinja_safe(str(preview_html(load_workshop(project))))
    assert "What &#123;&#123; config }} &#123;% is %} about" in text
    assert "{{" not in text and "{%" not in text


def test_a_delimiter_left_in_the_stylesheet_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError) as raised:
        jinja_safe('<div><style id="tw-preview-style">a {# b }</style></div>')
    assert str(raised.value) == "the page preview would hold '{#', which Jinja reads as template code"


def test_check_writes_the_preview_and_removes_it_when_the_content_breaks(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["check", "--root", str(project)]) == 0
    assert "Your rights in therapy" in (project / PREVIEW_FILE).read_text(encoding="utf-8")
    modules = project / "content" / "modules.yaml"
    modules.write_text(modules.read_text(encoding="utf-8") + "\nnot: [valid\n", encoding="utf-8")
    assert main(["check", "--root", str(project)]) == 1
    assert not (project / PREVIEW_FILE).exists()
