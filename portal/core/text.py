"""The one path from user-written text to HTML: a Markdown subset, then an allow-list sanitizer.

Nothing else in the portal imports bleach or marks user text as safe. markdown-it-py runs with raw
HTML switched off, and bleach then keeps only the tags and attributes below, so a ``<script>`` or a
``javascript:`` link written by anyone comes out as harmless text.
"""

from __future__ import annotations

import html
from collections.abc import MutableMapping, Sequence
from functools import lru_cache

import bleach
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre"}
    | {"h2", "h3", "h4", "h5", "h6"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Headings are fitted under the page's own headings afterwards (``_fit_headings``).
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])


def _add_rel(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


def render_markdown(source: str | None, top_heading: int = 3) -> Markup:
    """Render user-written Markdown to sanitised HTML, safe to place in a template.

    The text's highest heading comes out at ``top_heading``, the level just below the heading the
    text sits under (2 right under a page's ``<h1>``, as a course step's body is; 3, the default,
    under an ``<h2>``), and no heading is more than one level deeper than the one before it, so
    the text never outranks the page and a screen reader browsing by heading misses no level.
    """
    if not source:
        return Markup("")
    return _render(source, min(max(top_heading, 2), 6))


@lru_cache(maxsize=2048)
def _render(source: str, top_heading: int) -> Markup:
    """The same text always gives the same HTML, so a worker keeps the last couple of thousand
    (support cards, answers) instead of parsing and sanitising them on every page."""
    markdown = _markdown()
    tokens = markdown.parse(source)
    _fit_headings(tokens, top_heading)
    rendered = markdown.renderer.render(tokens, markdown.options, {})
    cleaned = bleach.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    linked = bleach.linkify(cleaned, callbacks=[_add_rel], skip_tags={"pre", "code"})
    return Markup(linked)  # noqa: S704 - the output of the sanitizer above


def _fit_headings(tokens: Sequence[Token], top: int) -> None:
    """Shift the headings so the highest is at ``top``; keep each within one level of the last.

    '### A' then '##### B' under a page's ``<h1>`` (top 2) becomes ``<h2>A</h2>`` then
    ``<h3>B</h3>``. Working on the parsed tokens leaves a '#' inside a code block alone.
    """
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    if not levels:
        return
    highest = min(levels)
    previous = top - 1
    tag = ""
    for token in tokens:
        if token.type == "heading_open":
            wanted = int(token.tag[1]) - highest + top
            previous = max(top, min(wanted, previous + 1, 6))
            tag = f"h{previous}"
            token.tag = tag
        elif token.type == "heading_close":
            token.tag = tag


def plain_excerpt(source: str | None, length: int = 160) -> str:
    """A one-line plain-text preview of user text (for lists and notifications)."""
    if not source:
        return ""
    text = bleach.clean(_markdown().render(source), tags=set(), strip=True)
    text = " ".join(html.unescape(text).split())  # plain text: the template escapes it
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
