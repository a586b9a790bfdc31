"""HTML documents to typst: the markup becomes a JSON tree that a fixed typst layout sets as pages.

The guide, the handouts and the answer sheet are written once, as the same safe HTML the app shows (so they
cannot drift from it), and printed from that HTML. The HTML is parsed into plain data (a tag, its id and
classes, its children) and handed to typst as JSON: typst never reads content as markup, so no text from the
content files can change the layout, whatever characters it holds. ``fonts.py`` says why typst.

What needs judgement is measured here, where Python can see whole tables and list items: which table columns
are short (they take their content's width, the rest share what is left), which columns hold numbers (set
flush right), and which tables and list items are short enough to keep on one page (an agenda, a question with
its options, an answer with its explanation).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from therapy_workshop.facilitator.document_layout import DOCUMENT_SOURCE
from therapy_workshop.html.safe import Markup
from therapy_workshop.widgets.fonts import compile_pdf

Node = dict[str, Any]

#: Elements with no end tag.
_VOID = frozenset({"br", "hr", "img", "meta", "input", "wbr"})
#: Elements whose whitespace-only text between children is layout, not content.
_CONTAINERS = frozenset({"root", "div", "section", "nav", "ul", "ol", "table", "thead", "tbody", "tr"})
#: Block elements: whitespace next to them is never a word space.
_BLOCKS = _CONTAINERS | {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "hr"}
#: A column whose longest cell has at most this many characters takes its content's width.
SHORT_COLUMN = 40
#: A list item with at most this many characters is kept on one page.
KEEP_TOGETHER = 900
#: A table with at most this many rows (an agenda) is kept on one page; a longer one breaks between rows.
KEEP_ROWS = 15
_NUMBER = re.compile(r"[\d\s:.,–-]+")


class _TreeBuilder(HTMLParser):
    """Builds ``{"t": tag, "c": children, ...}`` nodes; text stays text (strings), never markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node = {"t": "root", "c": []}
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: Node = {"t": tag, "c": []}
        for name, value in attrs:
            if name in {"id", "class", "href"} or name.startswith("data-"):
                node[name.removeprefix("data-")] = value or ""
        self.stack[-1]["c"].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):  # tolerate a missing end tag, as a browser does
            if self.stack[depth]["t"] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1]["c"].append(data)


def _text(node: Node | str) -> str:
    """A node's plain text."""
    if isinstance(node, str):
        return node
    return "".join(_text(child) for child in node["c"])


def _tidy(node: Node) -> None:
    """Collapse whitespace as a browser does, and drop the whitespace that only separates blocks."""
    children: list[Node | str] = []
    for index, child in enumerate(node["c"]):
        if isinstance(child, str):
            text = re.sub(r"\s+", " ", child)
            if not text.strip():
                before = node["c"][index - 1] if index > 0 else None
                after = node["c"][index + 1] if index + 1 < len(node["c"]) else None
                beside_block = any(isinstance(other, dict) and other["t"] in _BLOCKS for other in (before, after))
                if node["t"] in _CONTAINERS or beside_block or before is None or after is None:
                    continue
            children.append(text)
        else:
            _tidy(child)
            children.append(child)
    node["c"] = children


def _curl(node: Node, before: str = " ") -> str:
    """Typographic quotes for print ("…" → “…”, it's → it’s), outside code; returns the last character seen.

    A quote opens after a space or an opening bracket (or at the start) and closes anywhere else.
    """
    if node["t"] in {"code", "pre"}:
        return _text(node)[-1:] or before
    if node["t"] in _BLOCKS:
        before = " "  # a block starts a new run of text
    for index, child in enumerate(node["c"]):
        if isinstance(child, dict):
            last = _curl(child, before)
            before = " " if child["t"] in _BLOCKS else last
            continue
        letters = []
        for character in child:
            opens = before.isspace() or before in "([{\u2014\u2013/"
            if character == '"':
                character = "\u201c" if opens else "\u201d"
            elif character == "'":
                character = "\u2018" if opens else "\u2019"
            letters.append(character)
            before = character
        node["c"][index] = "".join(letters)
    return before


def _rows(table: Node) -> list[list[Node]]:
    rows: list[list[Node]] = []

    def walk(node: Node) -> None:
        for child in node["c"]:
            if isinstance(child, dict):
                if child["t"] == "tr":
                    rows.append([cell for cell in child["c"] if isinstance(cell, dict) and cell["t"] in {"td", "th"}])
                else:
                    walk(child)

    walk(table)
    return rows


def _measure_table(table: Node) -> None:
    """Give a table its column widths (``auto`` or a share of the rest) and the alignment of number columns."""
    rows = _rows(table)
    count = max((len(row) for row in rows), default=0)
    body = [row for row in rows if not all(cell["t"] == "th" for cell in row)]
    columns: list[str | float] = []
    numeric: list[bool] = []
    for column in range(count):
        texts = [_text(row[column]).strip() for row in rows if column < len(row)]
        longest = max((len(text) for text in texts), default=0)
        values = [_text(row[column]).strip() for row in body if column < len(row)]
        numeric.append(bool(values) and all(_NUMBER.fullmatch(value) for value in values if value))
        if longest <= SHORT_COLUMN:
            columns.append("auto")
        else:
            columns.append(round(sum(len(text) for text in texts) / max(len(texts), 1), 1))
    if "auto" in columns and all(column == "auto" for column in columns):
        columns[-1] = 1.0  # the table still spans the text width
    table["columns"] = columns
    table["numeric"] = numeric
    table["keep"] = len(body) <= KEEP_ROWS


def _measure(node: Node) -> None:
    """Decisions that need whole elements: table columns, list items kept on one page."""
    for child in node["c"]:
        if isinstance(child, dict):
            _measure(child)
    if node["t"] == "table":
        _measure_table(node)
    elif node["t"] == "li":
        node["keep"] = len(_text(node)) <= KEEP_TOGETHER


def document_tree(body: Markup) -> list[Node | str]:
    """The HTML ``body`` as typst's JSON input: nested ``{"t", "c", "id", "class", ...}`` nodes and strings."""
    builder = _TreeBuilder()
    builder.feed(str(body))
    builder.close()
    _tidy(builder.root)
    _curl(builder.root)
    _measure(builder.root)
    children: list[Node | str] = builder.root["c"]
    return children


def typeset_pdf(title: str, kicker: str, kind: str, body: Markup) -> bytes:
    """The document as PDF: ``kind`` is ``guide`` (contents, a new page per section) or ``handout``.

    ``kicker`` is the line above the title and the running header (the workshop and the kind of document).
    """
    data = {"title": title, "kicker": kicker, "kind": kind, "body": document_tree(body)}
    return compile_pdf(DOCUMENT_SOURCE, data)
