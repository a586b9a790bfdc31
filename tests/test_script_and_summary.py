"""The ending-script builder and the summary table: text the learner keeps, made on request."""

from __future__ import annotations

from typing import Any

import pytest

from therapy_workshop.model.content import ScriptBuilderFile, SummaryTable
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.script_builder import ScriptBuilderWidget
from therapy_workshop.widgets.summary import SummaryTableWidget, summary_table_html

BUILDER: dict[str, Any] = {
    "title": "Build your ending script",
    "instructions": "Pick what fits. Nothing is saved or sent.",
    "filename": "my-ending-script.txt",
    "sections": [
        {
            "id": "opening",
            "label": "How you open",
            "pick": "one",
            "blocks": ["I have decided to stop.", "Next week will be our last session."],
        },
        {
            "id": "ask",
            "label": "What you would like",
            "pick": "any",
            "blocks": [
                "Please suggest other therapists.",
                "Can we review my progress?",
                "I'd like my records.",
            ],
        },
    ],
    "own_words_label": "Your own words",
}


@pytest.fixture
def builder(workshop: Workshop) -> ScriptBuilderWidget:
    return ScriptBuilderWidget(ScriptBuilderFile.model_validate(BUILDER), workshop.ui)


def test_picked_sentences_and_own_words_make_the_script(builder: ScriptBuilderWidget) -> None:
    builder.pick("opening", 1)
    builder.pick("ask", 0, 2)
    builder.write("Thank you for your help.")
    assert builder.script == (
        "Next week will be our last session. Please suggest other therapists. I'd like my records.\n\n"
        "Thank you for your help."
    )
    assert builder.download.text == builder.script + "\n"
    assert builder.download.filename == "my-ending-script.txt"
    assert builder.preview_text.startswith("Your script: Next week will be our last session.")


def test_empty_script_disables_the_download(builder: ScriptBuilderWidget) -> None:
    assert builder.download.text == ""
    assert builder.preview_text.startswith("Your script will appear here")


def test_learner_words_are_escaped_in_the_preview(builder: ScriptBuilderWidget) -> None:
    builder.write('<img src=x onerror="alert(1)">')
    assert "<img" not in builder.preview.value
    assert "&lt;img" in builder.preview.value
    assert builder.script == '<img src=x onerror="alert(1)">'  # the file keeps exactly what was typed


def test_text_box_is_labelled(builder: ScriptBuilderWidget) -> None:
    assert builder.own_words_box.description == "Your own words"
    builder.own_words_box.value = "typed in the page"
    assert builder.script == "typed in the page"


TABLE: dict[str, Any] = {
    "title": "At a glance",
    "filename": "at-a-glance.txt",
    "rows": [
        {
            "conduct": "Sexual contact",
            "looks_like": "Advances <or> touching",
            "standards": "APA 10.05",
            "you_can": "Leave and report",
            "sources": ["apa-code"],
        }
    ],
}


def test_summary_table_is_a_real_table_and_a_text_download(workshop: Workshop) -> None:
    table = SummaryTable.model_validate(TABLE)
    html = summary_table_html(table, workshop.ui)
    assert "<caption>At a glance</caption>" in html
    assert '<th scope="col">Kind of conduct</th>' in html
    assert '<th scope="row">Sexual contact</th>' in html
    assert "Advances &lt;or&gt; touching" in html
    widget = SummaryTableWidget(table, workshop.ui)
    assert widget.download.filename == "at-a-glance.txt"
    assert widget.download.text.startswith("At a glance\n===========\n\nSexual contact\n")
    assert "What you can do: Leave and report" in widget.download.text
