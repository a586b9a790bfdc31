"""Exit this page: the include ``check`` writes, its escaping, the template's fallback, a bad destination."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from therapy_workshop.cli import main
from therapy_workshop.shell.exit_page import (
    DEFAULT_DESTINATION,
    EXIT_FILE,
    FALLBACK,
    ExitWords,
    exit_page_html,
    template_safe,
)
from therapy_workshop.shell.preview import JINJA_DELIMITERS, refuse_template_code
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.validate.yaml_source import ContentError

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / EXIT_FILE.parent
UI = "content/ui.yaml"
SHIPPED_DESTINATION = f"exit_destination: {DEFAULT_DESTINATION}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content and notebooks, free to edit; ``check`` writes its files into the copy."""
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def render_exit(template_folder: Path) -> str:
    """What the template puts at the top of the body, rendered by Jinja as Voilà would (the folder on its path)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(template_folder), undefined=jinja2.StrictUndefined)
    return environment.get_template("exit_this_page.html.j2").render()


def test_every_word_and_the_destination_are_escaped() -> None:
    words = ExitWords(
        destination='https://example.org/?a=1&b="x"',
        button="Exit <now>",
        link="Leave {{ config }} & go",
        loading="{% raw %}",
        two_more="Two {# more",
        one_more="One 'more'",
        reset="Reset",
    )
    text = template_safe(exit_page_html(words))
    assert 'href="https://example.org/?a=1&amp;b=&#34;x&#34;"' in text
    assert ">Exit &lt;now&gt;<span" in text
    assert ">Leave &#123;&#123; config }} &amp; go</a>" in text
    assert 'data-loading="&#123;% raw %}"' in text and 'data-two-more="Two &#123;# more"' in text
    assert not any(delimiter in text for delimiter in JINJA_DELIMITERS)


def test_both_controls_are_plain_links_that_tell_the_destination_nothing() -> None:
    text = template_safe(exit_page_html(FALLBACK))
    assert text.count(f'href="{DEFAULT_DESTINATION}" rel="nofollow noreferrer"') == 2
    assert text.index('class="tw-exit-link"') < text.index('class="tw-exit-button"')  # the hidden link first
    assert '<span class="tw-exit-status" role="status"></span>' in text


def test_template_code_in_an_include_is_refused_with_the_files_name() -> None:
    with pytest.raises(ValueError) as raised:
        refuse_template_code('<a href="x">{% include "secrets" %}</a>', "the exit button")
    assert str(raised.value) == "the exit button would hold '{%', which Jinja reads as template code"


def test_the_templates_fallback_is_the_include_with_the_shipped_words() -> None:
    template = (TEMPLATE / "exit_this_page.html.j2").read_text(encoding="utf-8")
    assert template_safe(exit_page_html(FALLBACK)) in template
    assert ExitWords.from_ui(load_workshop(REPO).ui) == FALLBACK, (
        "content/ui.yaml's exit_* words changed: change FALLBACK in shell/exit_page.py and the markup in "
        "exit_this_page.html.j2 with them, so a server started before check shows the same words"
    )


def test_the_stylesheet_and_script_the_template_puts_inline_hold_no_template_code() -> None:
    for name in ("exit-this-page.css", "exit-this-page.js"):
        text = (TEMPLATE / "static" / name).read_text(encoding="utf-8")
        assert [delimiter for delimiter in JINJA_DELIMITERS if delimiter in text] == [], name


def test_without_the_include_the_template_shows_the_fallback_and_with_it_the_organisers_words(
    project: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "workshop"
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("exit_page.html", "preview.html"))
    page = render_exit(folder)
    assert template_safe(exit_page_html(FALLBACK)) in page
    # The stylesheet and the script are in the page itself (no request), around the markup.
    assert page.index('<style id="tw-exit-style">') < page.index('class="tw-exit-link"') < page.index("<script>")
    assert ".tw-exit-overlay {" in page and "window.location.replace(button.href)" in page

    ui = project / UI
    ui.write_text(
        ui.read_text(encoding="utf-8")
        .replace(SHIPPED_DESTINATION, "exit_destination: https://example.org/news")
        .replace("exit_button: Exit this page", "exit_button: Leave now"),
        encoding="utf-8",
    )
    assert main(["check", "--root", str(project)]) == 0
    shutil.copyfile(project / EXIT_FILE, folder / "exit_page.html")
    page = render_exit(folder)
    assert 'href="https://example.org/news"' in page and ">Leave now<span" in page
    assert DEFAULT_DESTINATION not in page


def test_check_writes_the_include_and_keeps_it_when_the_content_breaks(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--root", str(project)]) == 0
    written = (project / EXIT_FILE).read_text(encoding="utf-8")
    assert written == template_safe(exit_page_html(ExitWords.from_ui(load_workshop(project).ui)))
    (project / "content" / "modules.yaml").write_text("modules: []\n", encoding="utf-8")
    assert main(["check", "--root", str(project)]) == 1
    # The organiser's destination, from the last good check, is better than the fallback's.
    assert (project / EXIT_FILE).read_text(encoding="utf-8") == written


@pytest.mark.parametrize(
    "destination",
    [
        "http://www.bbc.co.uk/weather",
        "javascript:alert(1)",
        "https://",
        "/voila/render/app.ipynb",
        "'https://www.bbc.co.uk/ weather'",
    ],
)
def test_a_destination_that_is_not_a_whole_https_address_is_reported_with_line_and_key(
    project: Path, destination: str
) -> None:
    ui = project / UI
    text = ui.read_text(encoding="utf-8")
    assert text.count(SHIPPED_DESTINATION) == 1
    line = text.splitlines().index(SHIPPED_DESTINATION) + 1
    ui.write_text(text.replace(SHIPPED_DESTINATION, f"exit_destination: {destination}"), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_workshop(project, check_notebooks=True)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{UI}:{line} exit_destination: the exit destination must be a whole https address, "
        "such as https://www.bbc.co.uk/weather"
    ]
