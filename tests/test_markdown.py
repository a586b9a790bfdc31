"""Markdown rendering: content can never inject markup; links behave as a reader expects."""

from __future__ import annotations

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import escape


def test_raw_html_in_content_is_escaped() -> None:
    html = render_markdown('Hello <img src=x onerror="alert(1)"> world')
    assert "<img" not in html
    assert "&lt;img" in html


def test_external_links_open_in_a_new_tab_without_referrer() -> None:
    html = render_inline("[APA](https://www.apa.org/ethics/code)")
    assert html == ('<a href="https://www.apa.org/ethics/code" target="_blank" rel="noopener noreferrer">APA</a>')


def test_link_rewriter_changes_only_what_it_maps() -> None:
    def rewrite(href: str) -> str:
        return "?module=01-rights" if href == "01_x.ipynb" else href

    html = render_markdown("[one](01_x.ipynb) and [two](#src-apa-code)", rewrite)
    assert '<a href="?module=01-rights">one</a>' in html
    assert '<a href="#src-apa-code">two</a>' in html


def test_javascript_links_are_not_rendered_as_links() -> None:
    assert "<a" not in render_inline("[click](javascript:alert(1))")


def test_tables_and_code_render() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n")
    assert "<table>" in html
    assert 'class="highlight"' in html


def test_escape_quotes_for_attributes() -> None:
    assert escape('"><script>') == "&#34;&gt;&lt;script&gt;"  # markupsafe's entity for a double quote


def test_a_recorded_text_is_served_from_the_table_and_any_other_is_rendered() -> None:
    from therapy_workshop.html.links import app_link_rewriter
    from therapy_workshop.html.markdown import recording, use_prerendered
    from therapy_workshop.model.workshop import find_root
    from therapy_workshop.validate.loader import load_workshop

    rewrite = app_link_rewriter(load_workshop(find_root()))
    with recording() as table:
        block = render_markdown("Go to [the start](00_start_here.ipynb).", rewrite)
        render_inline("*Hello*")
    assert table == {
        "block\0app\0Go to [the start](00_start_here.ipynb).": str(block),
        "inline\0\0*Hello*": "<em>Hello</em>",
    }
    assert '<a href="?module=00-start">the start</a>' in block
    try:
        use_prerendered({"inline\0\0*Hello*": "<em>from the table</em>"})
        assert render_inline("*Hello*") == "<em>from the table</em>"
        assert render_markdown("*Hello*") == "<p><em>Hello</em></p>\n"  # a block is another key
        # A rewriter the table does not know is never looked up: its links could differ.
        assert render_inline("*Hello*", lambda href: href) == "<em>Hello</em>"
    finally:
        use_prerendered({})
