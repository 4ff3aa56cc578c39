"""The one Markdown-plus-sanitizer path for user-written text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.core.text import ALLOWED_PROTOCOLS, ALLOWED_TAGS, plain_excerpt, render_markdown


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        '<iframe src="https://evil.example"></iframe>',
        "![pixel](https://tracker.example/pixel.png)",
        '<div style="background:url(https://evil.example)">x</div>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)>",
        "<a href='https://ok.example' onclick='steal()'>x</a>",
    ],
)
def test_attacks_come_out_harmless(attack):
    parser = TagCollector()
    parser.feed(str(render_markdown(attack)))
    assert parser.tags <= ALLOWED_TAGS, parser.tags
    for tag, name, value in parser.attributes:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("a", "title")}, (tag, name)
        if name == "href":
            assert value.split(":", 1)[0].lower() in ALLOWED_PROTOCOLS, value


class TagCollector(HTMLParser):
    """Every tag and attribute a browser would see in the rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def test_markdown_subset_is_kept():
    html = str(render_markdown("**bold** and *soft*\n\n- one\n- two\n\n> quote"))
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html


def test_links_are_kept_but_marked():
    html = str(render_markdown("[988 Lifeline](https://988lifeline.org)"))
    assert 'href="https://988lifeline.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_headings_never_outrank_the_page():
    html = str(render_markdown("# Big title\n\n## Second"))
    assert "<h1>" not in html
    assert "<h2>" not in html
    assert "<h3>Big title</h3>" in html


def test_headings_start_where_the_text_sits_and_never_skip_a_level():
    # A course step's body sits right under the page's <h1> and is written with ###.
    html = str(render_markdown("### A\n\n##### B\n\n#### C\n\n### D", top_heading=2))
    assert re.findall(r"<(h[1-6])>", html) == ["h2", "h3", "h3", "h2"]
    assert re.findall(r"</(h[1-6])>", html) == ["h2", "h3", "h3", "h2"]


def test_fitting_headings_leaves_code_alone():
    html = str(render_markdown("```\n# not a heading\n```\n\n## Real", top_heading=2))
    assert "# not a heading" in html
    assert "<h2>Real</h2>" in html


def test_empty_text_renders_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""


def test_plain_excerpt_strips_markup_and_shortens():
    assert plain_excerpt("**Hello** <b>there</b>") == "Hello <b>there</b>"
    assert len(plain_excerpt("word " * 100, length=40)) == 40
