"""The page frame and generated listings, as shown in a notebook opened on its own."""

from __future__ import annotations

import pytest

from therapy_workshop.html.links import notebook_link
from therapy_workshop.html.markdown import render_inline
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.frame import standalone_frame_html, support_panel_html
from therapy_workshop.shell.listings import cited_keys, module_overview_html, sources_list_html


def test_frame_links_to_neighbouring_notebooks(workshop: Workshop) -> None:
    html = standalone_frame_html(workshop, "01-rights")
    after = workshop.modules[2]
    assert 'href="00_start_here.ipynb">Contents</a>' in html
    assert 'rel="prev" href="00_start_here.ipynb">Previous: Start here</a>' in html
    assert f'rel="next" href="{after.notebook}">Next: {after.title}</a>' in html
    title = "Your rights in therapy"
    assert f'<h1 class="tw-module-title" data-module="01-rights" elementtiming="module-title">{title}</h1>' in html
    minutes = workshop.module("01-rights").minutes
    assert f"Module 1 of {len(workshop.modules) - 1} · about {minutes} minutes" in html


def test_last_module_has_no_next_link(workshop: Workshop) -> None:
    assert "Next:" not in standalone_frame_html(workshop, workshop.modules[-1].id)


def test_support_panel_lists_every_country_with_its_emergency_number(workshop: Workshop) -> None:
    html = support_panel_html(workshop)
    assert html.startswith('<details class="tw-support"><summary>Need support?</summary>')
    for country in workshop.support.countries:
        assert f"<strong>{country.name}</strong> · emergency: <strong>{country.emergency_number}</strong>" in html
        for line in country.lines:
            assert line.name.replace("&", "&amp;") in html
    assert "education, not legal or clinical advice" in html


def test_support_links_open_in_a_new_tab_without_referrer(workshop: Workshop) -> None:
    html = support_panel_html(workshop)
    assert 'target="_blank" rel="noopener noreferrer"' in html


def test_overview_is_generated_from_modules_yaml(workshop: Workshop) -> None:
    html = module_overview_html(workshop, notebook_link)
    module = workshop.module("01-rights")
    assert f'<a href="{module.notebook}">{module.title}</a>' in html
    assert f"about {module.minutes} minutes" in html
    assert module.objectives
    for objective in module.objectives:
        assert f"<li>{render_inline(objective)}</li>" in html


def test_sources_list_has_an_anchor_for_every_cited_source(workshop: Workshop) -> None:
    html = sources_list_html(workshop, "01-rights")
    keys = cited_keys(workshop, "01-rights")
    assert keys
    for key in keys:
        assert f'<li id="src-{key}">' in html


def test_page_without_citations_says_so(workshop: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("therapy_workshop.shell.listings.cited_keys", lambda _workshop, _module_id: [])
    assert "This page cites no sources." in sources_list_html(workshop, "00-start")


def test_the_start_page_lists_the_sources_its_safety_section_cites(workshop: Workshop) -> None:
    listed = sources_list_html(workshop, "00-start")
    assert cited_keys(workshop, "00-start")
    assert all(f'<li id="src-{key}">' in listed for key in cited_keys(workshop, "00-start"))
