"""The four kinds of W3C Nu checker error the front-end audit found, each checked at its source.

The browser tests give every page they visit to the checker itself (tests/e2e/test_html_validity.py,
which needs Java); these run in the fast suite, without it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import pairwise
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from portal.db import iso_utc
from portal.extensions import db
from portal.learning.models import CourseModule, ModuleStep
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, signed_in, submit
from tests.fixtures.world import as_person, course_world

# What a URL may hold (RFC 3986): anything else, a space above all, must be percent-encoded.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# HTML's "valid global date and time string", as the portal writes it: UTC to the second.
GLOBAL_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class Elements(HTMLParser):
    """Start tags with their attributes, and the heading levels inside <main>, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self._in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "main":
            self._in_main = True
        elif self._in_main and re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def skipped_levels(levels: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in pairwise(levels) if b > a + 1]


def test_the_inline_favicon_is_a_valid_data_url(client):
    icons = [
        a for tag, a in parsed(client.get("/login").get_data(as_text=True)).tags if tag == "link"
    ]
    (href,) = [a["href"] for a in icons if a.get("rel") == "icon"]
    assert href is not None
    assert href.startswith("data:image/svg+xml,")  # inline: a page stays at three requests
    assert URL_CHARACTERS.fullmatch(href), "unencoded characters in the favicon's data: URL"
    svg_text = unquote(href.removeprefix("data:image/svg+xml,"))
    svg = ElementTree.fromstring(svg_text)  # noqa: S314 - our own base template's icon
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def test_no_course_page_skips_a_heading_level(app, world):
    client = as_person(app, world, "full")
    with app.app_context():
        modules = db.session.scalars(select(CourseModule)).all()
        pages = [f"/learn/{m.slug}" for m in modules]
        steps = db.session.execute(
            select(CourseModule.slug, ModuleStep.slug).join(ModuleStep.module)
        ).all()
        pages += [f"/learn/{module}/{step}" for module, step in steps]
    with_sections = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        levels = parsed(response.get_data(as_text=True)).headings
        assert levels[0] == 1, url
        assert skipped_levels(levels) == [], f"{url}: headings {levels}"
        with_sections += len(levels) > 1
    assert with_sections >= 22  # the steps whose Markdown has headings of their own


def test_audit_log_times_are_valid_datetime_values(app, admin, family):
    sign_in(app.test_client(), family.email, "wrong password 123")
    html = signed_in(app, admin.email, PASSWORD).get("/admin/audit").get_data(as_text=True)
    values = [a["datetime"] for tag, a in parsed(html).tags if tag == "time"]
    assert values
    assert [v for v in values if not GLOBAL_DATETIME.fullmatch(v or "")] == []


def test_iso_utc_reads_naive_moments_as_utc_and_drops_the_microseconds():
    assert iso_utc(datetime(2026, 12, 4, 4, 3, 1, 77188)) == "2026-12-04T04:03:01Z"
    assert iso_utc(datetime(2026, 12, 4, 4, 3, 1, 77188, tzinfo=UTC)) == "2026-12-04T04:03:01Z"


@pytest.mark.parametrize("inviter", ["admin", "clinician"])
def test_the_staff_invite_role_select_is_valid(app, request, inviter):
    person = request.getfixturevalue(inviter)
    html = signed_in(app, person.email, PASSWORD).get("/invitations").get_data(as_text=True)
    tags = parsed(html).tags
    select_at = next(
        i for i, (tag, a) in enumerate(tags) if tag == "select" and a["name"] == "role"
    )
    first_option = tags[select_at + 1]
    assert first_option[0] == "option"
    # A required select must open on an empty placeholder; this one always has a value.
    assert "required" not in tags[select_at][1] or first_option[1].get("value") == ""


def test_a_staff_invitation_without_a_role_is_refused(app, admin, mailbox):
    client = signed_in(app, admin.email, PASSWORD)
    response = submit(client, "/invitations", {"name": "Cleo", "email": "cleo@example.test"})
    assert response.status_code == 422
    assert mailbox.messages == []


def test_the_dashboard_has_no_empty_progress_bar(app, family):
    html = signed_in(app, family.email, PASSWORD).get("/").get_data(as_text=True)
    assert [a for tag, a in parsed(html).tags if tag == "progress" and a.get("max") == "0"] == []


def test_the_coachs_heading_fits_where_it_is_shown(app, world):
    relative = as_person(app, world, "full")
    suggest = f"/circles/{world.circles['a']}/board/suggest"
    coached = submit(relative, suggest, {"title": "Stop being lazy and walk", "area": "health"})
    goal = f"/goals/{world.goals['a']}"
    encouraged = submit(
        relative, goal, {"msg-body": "Just try harder!"}, action=f"{goal}/encouragement"
    )
    for page in (coached, encouraged):
        html = page.get_data(as_text=True)
        assert "Before you send this" in html
        levels = parsed(html).headings
        assert skipped_levels(levels) == [], levels
