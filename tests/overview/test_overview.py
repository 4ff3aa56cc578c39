"""The clinic overview: totals as accessible SVG, nothing about any one person."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def test_overview_counts_and_accessible_charts(app, world):
    members = ("full", "board_only", "timeline_only")
    for name in members:
        as_person(app, world, name).get("/")
    finisher = as_person(app, world, "full")
    for slug in ("broken-leg-the-picture", "broken-leg-why-it-helps"):
        submit(finisher, f"/learn/broken-leg/{slug}", {})
    submit(
        finisher,
        "/qa/ask",
        {"title": "A question for the chart", "sharing": "shared", "action": "send"},
    )
    page = as_person(app, world, "clinician").get("/overview").get_data(as_text=True)
    assert page.count('role="img"') == 5
    active = re.search(r'<desc id="people-desc">([^<]*)</desc>', page).group(1)
    assert active.rstrip().endswith(f": {len(members)}")
    asked = re.search(r'<desc id="asked-desc">([^<]*)</desc>', page).group(1)
    assert asked.rstrip().endswith(": 1")
    assert "Show the numbers" in page
    for name in ("Full", "Board_Only", "Secret goal", "A question for the chart"):
        assert name not in page.split("<main")[1]


def test_overview_is_for_clinicians_and_admins(app, world):
    assert as_person(app, world, "admin").get("/overview").status_code == 200
    for name in ("full", "patient", "moderator"):
        assert as_person(app, world, name).get("/overview").status_code == 403
