"""Markdown to HTML for lesson text, quiz prompts and feedback.

Raw HTML in content is escaped, never passed through: content is data, and nothing typed into a YAML
file or a notebook can inject markup or script into a learner's page. Links are the one thing rewritten:
the app turns links between module notebooks into ``?module=<id>`` links that it catches in the page.

Every participant's kernel would render the same Markdown when it builds a page (about a third of a module
switch's time; a room of 100 switching together renders it 100 times on the same cores). So ``check`` records
what building every page renders (:func:`recording`) and saves it in the content snapshot, and kernels look a
text up there first (:func:`use_prerendered`); markdown-it and Pygments are then imported only for a text that
was not recorded, such as feedback rendered on a click. A recorded text is keyed by the text itself, so an
edited text is simply rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from therapy_workshop.html.safe import Markup, html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token

LinkRewriter = Callable[[str], str]


def _highlight(code: str, language: str, _attrs: Any) -> str:
    """Fenced code in the page's own ``.highlight`` colours (Voilà already ships them)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return str(highlight(code, lexer, HtmlFormatter(nowrap=False)))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "highlight": _highlight})
    parser.enable("table")
    return parser


def _link_open(renderer: RendererHTML, rewrite: LinkRewriter | None) -> Callable[[Sequence[Token], int, Any, Any], str]:
    def render(tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
        token = tokens[index]
        href = str(token.attrGet("href") or "")
        if rewrite is not None:
            href = rewrite(href)
            token.attrSet("href", href)
        if href.startswith(("http://", "https://")):
            token.attrSet("target", "_blank")
            token.attrSet("rel", "noopener noreferrer")
        return str(renderer.renderToken(tokens, index, options, env))

    return render


def heading_id(text: str) -> str:
    """The id JupyterLab gives a heading (its text, spaces turned into '-'), so '#' links work in both."""
    return text.replace(" ", "-")


def _inline_text(token: Token) -> str:
    """The visible text of an inline token: what ``textContent`` gives in the browser."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _heading_open(renderer: RendererHTML) -> Callable[[Sequence[Token], int, Any, Any], str]:
    def render(tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
        if index + 1 < len(tokens) and tokens[index + 1].type == "inline":
            tokens[index].attrSet("id", heading_id(_inline_text(tokens[index + 1])))
        return str(renderer.renderToken(tokens, index, options, env))

    return render


def heading_ids(text: str) -> list[str]:
    """Ids of every heading in a Markdown text, for checking '#' links."""
    tokens = _parser().parse(text)
    return [
        heading_id(_inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and index + 1 < len(tokens)
    ]


def _renderer(rewrite: LinkRewriter | None) -> RendererHTML:
    from markdown_it.renderer import RendererHTML

    renderer = RendererHTML(_parser())
    renderer.rules["link_open"] = cast(Any, _link_open(renderer, rewrite))
    renderer.rules["heading_open"] = cast(Any, _heading_open(renderer))
    return renderer


#: Rendered HTML by :func:`_table_key`, from the content snapshot (see the module's docstring).
_PRERENDERED: dict[str, str] = {}
#: While ``check`` records: every text rendered, by the same keys.
_RECORDED: list[dict[str, str]] = []


def _table_key(kind: str, text: str, rewrite_link: LinkRewriter | None) -> str | None:
    """The table's key for one rendering; ``None`` for a link rewriter the table does not know."""
    if rewrite_link is None:
        return f"{kind}\0\0{text}"
    name = getattr(rewrite_link, "table_name", None)
    return None if name is None else f"{kind}\0{name}\0{text}"


def use_prerendered(table: dict[str, str]) -> None:
    """Look texts up in ``table`` (from the content snapshot) before rendering them."""
    _PRERENDERED.clear()
    _PRERENDERED.update(table)


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Record every text rendered inside the ``with`` block, for the content snapshot."""
    table: dict[str, str] = {}
    _RECORDED.append(table)
    try:
        yield table
    finally:
        _RECORDED.remove(table)


def _rendered(kind: str, text: str, rewrite_link: LinkRewriter | None, render: Callable[[], str]) -> Markup:
    key = _table_key(kind, text, rewrite_link)
    if key is not None and key in _PRERENDERED:
        return Markup(_PRERENDERED[key])
    result = render()
    if key is not None:
        for table in _RECORDED:
            table[key] = result
    return Markup(result)


def render_markdown(text: str, rewrite_link: LinkRewriter | None = None) -> Markup:
    """Render block Markdown (paragraphs, lists, headings, tables) to HTML (raw HTML in the text is escaped)."""

    def render() -> str:
        parser = _parser()
        return str(_renderer(rewrite_link).render(parser.parse(text), parser.options, {}))

    return _rendered("block", text, rewrite_link, render)


def render_inline(text: str, rewrite_link: LinkRewriter | None = None) -> Markup:
    """Render one line of Markdown (emphasis, links, code) without wrapping it in a paragraph."""

    def render() -> str:
        parser = _parser()
        return str(_renderer(rewrite_link).render(parser.parseInline(text), parser.options, {}))

    return _rendered("inline", text, rewrite_link, render)


def external_link(url: str, text_html: str) -> Markup:
    """A link to another site: opens in a new tab and tells that site nothing about this page.

    ``text_html`` is escaped unless it is Markup already.
    """
    return html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, text_html)


def markdown_div(inner_html: str) -> Markup:
    """Wrap rendered Markdown so it is styled exactly like Voilà's own Markdown cells.

    The classes go on an inner div: on the widget itself, the widget's font size and line height leak in.
    """
    return html('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown tw-markdown">{}</div>', inner_html)
