"""The question's "Before you send" step: "Change it" goes back with everything as it was (the
ticked topics too), and its two buttons sit apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def forms_of(html):
    return re.findall(r"<form\b.*?</form>", html, flags=re.S)


def hidden_fields(form_html):
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html)
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def review(client):
    return submit(
        client,
        "/qa/ask",
        {
            "title": "How do we plan a quiet weekend?",
            "body": "Some details.",
            "topics": ["broken-leg", "fast-relief"],
            "sharing": "shared",
            "action": "review",
        },
    ).get_data(as_text=True)


def test_change_it_keeps_the_ticked_topics(app, world):
    client = as_person(app, world, "full")
    page = review(client)
    [change] = [f for f in forms_of(page) if 'value="change"' in f]
    fields = hidden_fields(change)
    assert fields["topics"] == ["broken-leg", "fast-relief"]

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', change).group(1)
    back = client.post(
        "/qa/ask",
        data={
            "csrf_token": token,
            **{k: v for k, v in fields.items() if k != "csrf_token"},
            "action": "change",
        },
    ).get_data(as_text=True)
    for topic in ("broken-leg", "fast-relief"):
        checkbox = re.search(rf'<input[^>]*value="{topic}"[^>]*>', back).group(0)
        assert "checked" in checkbox, topic
    assert 'value="How do we plan a quiet weekend?"' in back


def test_the_review_buttons_do_not_touch(app, world):
    page = review(as_person(app, world, "full"))
    actions = page[page.index('<div class="actions">') :]
    assert actions.index("Send my question") < actions.index("Change it") < actions.index("</div>")
    css = (Path(app.static_folder) / "css" / "portal.css").read_text(encoding="utf-8")
    assert re.search(r"\.actions[^{]*\{[^}]*display: flex[^}]*gap: \.5rem", css)
