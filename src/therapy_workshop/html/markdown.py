"""Markdown to HTML for lesson text, quiz prompts and feedback.

Raw HTML in content is escaped, never passed through: content is data, and nothing typed into a YAML
file or a notebook can inject markup or script into a learner's page. Links are the one thing rewritten:
the app turns links between module notebooks into ``?module=<id>`` links that it catches in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from therapy_workshop.html.safe import Markup, html

LinkRewriter = Callable[[str], str]


def _highlight(code: str, language: str, _attrs: Any) -> str:
    """Fenced code in the page's own ``.highlight`` colours (Voilà already ships them)."""
    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return str(highlight(code, lexer, HtmlFormatter(nowrap=False)))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
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
    renderer = RendererHTML(_parser())
    renderer.rules["link_open"] = cast(Any, _link_open(renderer, rewrite))
    renderer.rules["heading_open"] = cast(Any, _heading_open(renderer))
    return renderer


def render_markdown(text: str, rewrite_link: LinkRewriter | None = None) -> Markup:
    """Render block Markdown (paragraphs, lists, headings, tables) to HTML (raw HTML in the text is escaped)."""
    parser = _parser()
    return Markup(_renderer(rewrite_link).render(parser.parse(text), parser.options, {}))


def render_inline(text: str, rewrite_link: LinkRewriter | None = None) -> Markup:
    """Render one line of Markdown (emphasis, links, code) without wrapping it in a paragraph."""
    parser = _parser()
    return Markup(_renderer(rewrite_link).render(parser.parseInline(text), parser.options, {}))


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
