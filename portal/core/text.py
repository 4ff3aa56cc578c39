"""The one path from user-written text to HTML: a Markdown subset, then an allow-list sanitizer.

Nothing else in the portal imports bleach or marks user text as safe. markdown-it-py runs with raw
HTML switched off, and bleach then keeps only the tags and attributes below, so a ``<script>`` or a
``javascript:`` link written by anyone comes out as harmless text.
"""

from __future__ import annotations

import html
from collections.abc import MutableMapping
from functools import lru_cache

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Headings in user text are demoted below the page's own headings.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])


def _add_rel(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


def render_markdown(source: str | None) -> Markup:
    """Render user-written Markdown to sanitised HTML, safe to place in a template."""
    if not source:
        return Markup("")
    return _render(source)


@lru_cache(maxsize=2048)
def _render(source: str) -> Markup:
    """The same text always gives the same HTML, so a worker keeps the last couple of thousand
    (support cards, answers) instead of parsing and sanitising them on every page."""
    rendered = _markdown().render(_demote_headings(source))
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


def _demote_headings(source: str) -> str:
    """Turn '# Title' and '## Title' into level-3 headings so user text never outranks the page."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#"):
            hashes = len(stripped) - len(stripped.lstrip("#"))
            if 1 <= hashes <= 2 and stripped[hashes : hashes + 1] in {" ", ""}:
                line = "###" + stripped[hashes:]
        lines.append(line)
    return "\n".join(lines)


def plain_excerpt(source: str | None, length: int = 160) -> str:
    """A one-line plain-text preview of user text (for lists and notifications)."""
    if not source:
        return ""
    text = bleach.clean(_markdown().render(source), tags=set(), strip=True)
    text = " ".join(html.unescape(text).split())  # plain text: the template escapes it
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
