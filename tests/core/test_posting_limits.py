"""One account cannot post without end: questions, notes to the care team, encouragement,
offers, suggestions and invitation resends are limited per account, with a clear page, and
nothing past the limit is saved. Urgent mail to moderators is collapsed per circle."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.limits import POSTING_LIMITS
from portal.extensions import db
from portal.goals.models import Encouragement
from portal.notifications.models import OutgoingEmail, SafetyAlert
from tests.fixtures.forms import csrf_token
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def test_every_limited_endpoint_exists_and_says_per_hour(app):
    for endpoint, limit in POSTING_LIMITS.items():
        assert endpoint in app.view_functions
        assert limit.endswith("per hour")


def post_messages(app, world, count: int, body: str) -> list[int]:
    member = as_person(app, world, "full")
    goal = world.goals["a"]
    token = csrf_token(member.get(f"/goals/{goal}").get_data(as_text=True))
    return [
        member.post(
            f"/goals/{goal}/encouragement",
            data={"csrf_token": token, "msg-body": f"{body} {n}", "msg-post_anyway": "y"},
        ).status_code
        for n in range(count)
    ]


def test_encouragement_past_the_limit_is_refused_kindly_and_not_saved(app, world):
    app.config["RATELIMIT_ENABLED"] = True
    limit = int(POSTING_LIMITS["goals.encourage"].split()[0])
    statuses = post_messages(app, world, limit + 2, "You are doing well")
    assert statuses[:limit] == [302] * limit
    assert statuses[limit:] == [429, 429]
    member = as_person(app, world, "full")
    goal = world.goals["a"]
    token = csrf_token(member.get(f"/goals/{goal}").get_data(as_text=True))
    page = member.post(
        f"/goals/{goal}/encouragement", data={"csrf_token": token, "msg-body": "one more"}
    )
    assert page.status_code == 429
    assert "not sent or saved" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Encouragement)) == limit


def test_a_flood_of_crisis_words_keeps_every_alert_but_mails_moderators_once(app, world, mailbox):
    statuses = post_messages(app, world, 4, "I'm scared he wants to kill himself")
    assert statuses == [302] * 4
    with app.app_context():
        alerts = db.session.scalar(select(func.count()).select_from(SafetyAlert))
        mails = db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.to_address == world.people["moderator"].email)
        ).all()
    assert alerts == 4  # no alert is ever dropped
    assert len(mails) == 1
    assert "1 alert is waiting" in mails[0].body_text
