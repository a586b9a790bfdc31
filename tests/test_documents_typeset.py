"""The printed guide and handouts, read back from the PDFs: contents, page numbers, running headers, tables.

The documents are written once per test module by the command ``make docs`` runs, into a temporary folder,
with the computer's own fonts hidden from typst (the packaged fonts must be enough).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from therapy_workshop.cli import main
from therapy_workshop.facilitator.documents import agendas_html, css_string, guide_body, handout_body, html_document
from therapy_workshop.facilitator.typeset import document_tree, typeset_pdf
from therapy_workshop.html.safe import Markup
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets import fonts


@pytest.fixture(scope="module")
def documents(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("documents")  # never the repository's build/
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fonts, "SYSTEM_FONTS", False)
        assert main(["docs", "--out", str(out), "--root", str(repo_root)]) == 0
    return out


@pytest.fixture(scope="module")
def guide(documents: Path) -> PdfReader:
    return PdfReader(documents / "guide" / "facilitator-guide.pdf")


def outline_entries(reader: PdfReader) -> list[tuple[str, int]]:
    """The top level of the PDF's bookmarks: each title with the page (from 1) it opens."""
    return [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]


def lines(reader: PdfReader, page: int) -> list[str]:
    return [line.strip() for line in reader.pages[page].extract_text().splitlines() if line.strip()]


def module_headings(workshop: Workshop) -> list[str]:
    return [f"{module.title} ({module.minutes} minutes)" for module in workshop.modules]


def test_the_guide_has_a_bookmark_for_the_agendas_and_every_module(workshop: Workshop, guide: PdfReader) -> None:
    assert [title for title, _page in outline_entries(guide)] == ["Agendas", *module_headings(workshop)]


def test_the_guide_opens_with_contents_whose_page_numbers_are_right(workshop: Workshop, guide: PdfReader) -> None:
    first_page = lines(guide, 0)
    assert first_page[:2] == ["Your Rights in Therapy", "Facilitator guide"]
    assert "Contents" in first_page
    for title, page in outline_entries(guide):
        entry = next(line for line in first_page if line.startswith(title))
        assert re.fullmatch(rf"{re.escape(title)}[ .]*{page}", entry), entry  # "Review (30 minutes) . . . 37"
        assert title in lines(guide, page - 1)[1]  # and the section starts at the top of that page


def test_every_page_has_its_number_at_the_foot_and_a_running_header_after_the_first(
    workshop: Workshop, guide: PdfReader
) -> None:
    starts = dict((page, title) for title, page in outline_entries(guide))
    section = None
    assert len(guide.pages) > 20
    for index in range(len(guide.pages)):
        number = index + 1
        page = lines(guide, index)
        assert page[-1] == str(number)
        section = starts.get(number, section)
        if number > 1:
            assert section is not None
            assert page[0] == f"Your Rights in Therapy {section}"  # the document on the left, the section right


def test_agenda_tables_give_notes_the_width_and_minutes_only_what_they_need(workshop: Workshop) -> None:
    table = next(
        node for node in document_tree(agendas_html(workshop)) if isinstance(node, dict) and node["t"] == "table"
    )
    assert table["columns"][:3] == ["auto", "auto", "auto"]  # Part, Starts, Minutes: as wide as their content
    assert isinstance(table["columns"][3], float)  # Notes: the rest of the line
    assert table["numeric"] == [False, True, True, False]  # times and minutes set flush right


def test_on_paper_the_minutes_column_is_narrow_and_the_notes_column_wide(guide: PdfReader) -> None:
    agenda_page = dict(outline_entries(guide))["Agendas"] - 1
    left: dict[str, float] = {}

    def visit(text: str, matrix: list[float], _tm: Any, _font: Any, _size: float) -> None:
        if text.strip() in {"Part", "Starts", "Minutes", "Notes"}:
            left.setdefault(text.strip(), matrix[4])

    guide.pages[agenda_page].extract_text(visitor_text=visit)
    page_width = float(guide.pages[agenda_page].mediabox.width)
    minutes_width = left["Notes"] - left["Minutes"]
    notes_width = page_width - 62 - left["Notes"]  # 22 mm margin
    assert minutes_width < 50  # points: about the word "Minutes" itself
    assert notes_width > 5 * minutes_width


def test_handouts_take_few_pages_and_number_them(documents: Path, workshop: Workshop) -> None:
    for module in workshop.modules[1:]:
        reader = PdfReader(documents / "handouts" / f"handout-{module.id}.pdf")
        assert lines(reader, 0)[:2] == ["Your Rights in Therapy · Handout", module.title]
        for index in range(len(reader.pages)):
            assert lines(reader, index)[-1] == str(index + 1)
        assert len(reader.pages) <= 7


def test_handouts_leave_space_to_write_where_an_exercise_asks(workshop: Workshop) -> None:
    for module_id in ("02-conduct", "04-reporting"):
        page = handout_body(workshop, module_id)
        tree = str(document_tree(page))
        if module_id == "02-conduct":  # sort each situation: a line beside it to write the category
            assert 'class="tw-write-beside"' in page and "tw-write-beside" in tree
        else:  # put steps in order: a box beside each to write its number
            assert 'class="tw-number-these"' in page and "tw-number-these" in tree


def test_content_text_is_never_read_as_typst_markup() -> None:
    risky = "*not bold* _x_ #pagebreak() $x^2$ <label> @ref \\ [1] = Heading"
    data = typeset_pdf("Title #1", "Kicker *", "handout", Markup("<p>{}</p>").format(risky))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert risky in reader.pages[0].extract_text()


def test_the_html_prints_like_the_pdf(workshop: Workshop) -> None:
    page = html_document("Facilitator guide", "Your Rights in Therapy", "guide", guide_body(workshop))
    assert "@page { size: A4;" in page and "counter(page)" in page  # page numbers when printed
    assert ".tw-guide h2 { break-before: page; }" in page  # each section on a new page
    assert "tr, ol.tw-key > li, ol.tw-questions > li" in page and "break-inside: avoid" in page
    assert '@top-left { content: "Your Rights in Therapy";' in page  # running header from page 2
    contents = page.split('<nav class="tw-toc"')[1].split("</nav>")[0]
    for module in workshop.modules:
        assert f'<a href="#module-{module.id}">{module.title} ({module.minutes} minutes)</a>' in contents
        assert f'<h2 id="module-{module.id}">' in page


def test_a_running_header_cannot_break_out_of_its_css_string() -> None:
    quoted = css_string('Title"; } </style><script>alert(1)</script>')
    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in quoted[1:-1] and "<" not in quoted and "}" not in quoted
