"""What the board says back: success messages sit in a live region (role="status") and are in
sight after Move; accepting an offer is confirmed; the step toggle's name and aria-pressed agree;
the member preview has a title of its own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.goals.models import Goal, HelpOffer
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def status_region(html):
    """The text of the page's flash messages, which must sit in the role="status" region."""
    match = re.search(r'<div class="flashes" role="status"[^>]*>(.*?)</div>', html, flags=re.S)
    assert match, "no live region for messages"
    return match.group(1)


def test_after_move_the_message_is_in_sight_and_announced(app, world):
    patient = as_person(app, world, "patient")
    board = f"/circles/{world.circles['a']}/board"
    page = patient.get(board).get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Goal, world.goals["a"]).version
    response = patient.post(
        f"/goals/{world.goals['a']}/move",
        data={"csrf_token": csrf_token(page), "column": "doing", "version": str(version)},
    )
    assert response.status_code == 303
    assert "#" not in response.headers["Location"]  # no jump past the message
    after = patient.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved “Secret goal of circle a” to Doing." in status_region(after)
    main = after[after.index("<main") :]
    assert main.index('class="flashes"') < main.index("<h1")


def test_accepting_an_offer_is_confirmed(app, world):
    relative = as_person(app, world, "full")
    url = f"/goals/{world.goals['a']}"
    submit(
        relative, url, {"offer-body": "I can drive you", "offer-step": "0"}, action=f"{url}/offers"
    )
    with app.app_context():
        offer_id = db.session.scalars(select(HelpOffer.id)).one()
    patient = as_person(app, world, "patient")
    response = submit(patient, url, {"decision": "accept"}, action=f"{url}/offers/{offer_id}")
    page = patient.get(response.headers["Location"]).get_data(as_text=True)
    assert "You accepted the offer from Full: “I can drive you”. We let them know." in (
        status_region(page)
    )


def step_button(html):
    return re.search(r'<button type="submit" class="check-button"[^>]*>.*?</button>', html).group(0)


def test_the_step_toggle_keeps_its_name_and_says_pressed(app, world):
    patient = as_person(app, world, "patient")
    url = f"/goals/{world.goals['a']}"
    before = step_button(patient.get(url).get_data(as_text=True))
    assert 'aria-pressed="false"' in before
    assert ">Done: first step<" in before
    with app.app_context():
        step_id = db.session.get(Goal, world.goals["a"]).steps[0].id
    submit(patient, url, {}, action=f"{url}/steps/{step_id}/done")
    after = step_button(patient.get(url).get_data(as_text=True))
    assert 'aria-pressed="true"' in after
    assert ">Done: first step<" in after
    assert "Mark" not in before + after


def test_the_member_preview_has_its_own_title(app, world):
    patient = as_person(app, world, "patient")
    circle_page = patient.get("/circle").get_data(as_text=True)
    preview = patient.get(f"/circle/members/{world.memberships['full']}/preview")
    title = re.search(r"<title>(.*?)</title>", preview.get_data(as_text=True)).group(1)
    assert title == "Preview: what Full sees · Pat's circle · Recovery Circle"
    assert title != re.search(r"<title>(.*?)</title>", circle_page).group(1)
