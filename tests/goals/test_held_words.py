"""A relative's encouragement or offer in words of crisis is held, not delivered: the patient is
not shown it and not notified, the writer is told plainly and sees the crisis lines, the
moderators' alert stands, and "Send it anyway" (the writer's own choice) delivers it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.goals.models import BoardActivity, Encouragement, HelpOffer
from portal.notifications.models import Notification, SafetyAlert
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, build_world

RISK_WORDS = "I'm scared he wants to kill himself"
EMERGENCY_WORDS = "Pat might have taken all his pills"


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def goal_url(world, key="a"):
    return f"/goals/{world.goals[key]}"


def _encourage(client, world, words):
    url = goal_url(world)
    return submit(client, url, {"msg-body": words}, action=f"{url}/encouragement")


def _offer(client, world, words):
    url = goal_url(world)
    return submit(client, url, {"offer-body": words, "offer-step": "0"}, action=f"{url}/offers")


KINDS = [
    # (what is written, how, its model, its URL segment, the source moderators see)
    ("encouragement", _encourage, Encouragement, "encouragement", "board message"),
    ("offer", _offer, HelpOffer, "offers", "offer of help"),
]
IDS = [kind[0] for kind in KINDS]


def find(page, words):
    """Where the words are on the page, however the template escaped the apostrophe."""
    for form in (words, words.replace("'", "&#39;"), words.replace("'", "&#x27;")):
        if form in page:
            return page.index(form)
    return -1


def rows(app, model):
    with app.app_context():
        return [(r.id, r.body, r.held_at is not None) for r in db.session.scalars(select(model))]


def patient_notices(app, world):
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.kind).where(Notification.user_id == world.people["patient"].id)
            )
        )


def activity_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BoardActivity))


def send_anyway(client, world, segment, item_id, *, page=None):
    url = goal_url(world)
    html = page or client.get(url).get_data(as_text=True)
    return client.post(f"{url}/{segment}/{item_id}/send", data={"csrf_token": csrf_token(html)})


@pytest.mark.parametrize(("kind", "write", "model", "segment", "source"), KINDS, ids=IDS)
@pytest.mark.parametrize("words", [RISK_WORDS, EMERGENCY_WORDS], ids=["risk", "emergency"])
def test_crisis_words_from_a_relative_are_held_not_delivered(
    app, world, mailbox, kind, write, model, segment, source, words
):
    relative = as_person(app, world, "full")
    response = write(relative, world, words)
    assert response.status_code == 302
    assert "#" not in response.headers["Location"]  # at the top, on the crisis lines

    # The patient is not notified, by app or by mail, and nothing shows in "Lately".
    assert patient_notices(app, world) == []
    assert mailbox.to(world.people["patient"].email) == []
    assert activity_count(app) == 0
    # The moderators' alert stands, in the same transaction.
    with app.app_context():
        assert db.session.scalars(select(SafetyAlert.source)).all() == [source]
    assert mailbox.to(world.people["moderator"].email)
    [(item_id, body, held)] = rows(app, model)
    assert (body, held) == (words, True)

    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    banner, main = page[: page.index('class="site-header"')], page[page.index("<main") :]
    assert 'class="crisis-now' in banner
    assert find(main, "We haven't sent this to Pat. If Pat may be in danger now, call 911") > 0
    assert "Thank you for cheering them on" not in page
    assert "Your offer is sent" not in page
    at = find(page, words)
    assert at > 0
    held_item = page[page.rfind("<li", 0, at) : page.index("</li>", at)]
    assert held_item.startswith('<li class="held">')
    assert "held, not sent" in held_item
    assert f'action="{goal_url(world)}/{segment}/{item_id}/send"' in held_item
    assert "Send it anyway" in held_item

    for who in ("patient", "board_only"):
        other = as_person(app, world, who).get(goal_url(world)).get_data(as_text=True)
        assert find(other, words) == -1, who
        assert "/send" not in other, who


@pytest.mark.parametrize(("kind", "write", "model", "segment", "source"), KINDS, ids=IDS)
def test_send_it_anyway_delivers_it_with_the_usual_notification(
    app, world, mailbox, kind, write, model, segment, source
):
    relative = as_person(app, world, "full")
    write(relative, world, RISK_WORDS)
    [(item_id, _body, _held)] = rows(app, model)

    response = send_anyway(relative, world, segment, item_id)
    assert response.status_code == 302
    assert rows(app, model) == [(item_id, RISK_WORDS, False)]
    assert patient_notices(app, world) == [f"board_{'encouragement' if kind != 'offer' else kind}"]
    assert activity_count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "board.held_sent")
        ).all()
        assert (event.actor_id, event.target_id) == (world.people["full"].id, item_id)
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sent to Pat." in page
    assert "held, not sent" not in page

    patient_page = as_person(app, world, "patient").get(goal_url(world)).get_data(as_text=True)
    assert find(patient_page, RISK_WORDS) > 0
    # Sending twice does nothing more.
    assert send_anyway(relative, world, segment, item_id).status_code == 404
    assert patient_notices(app, world) == [f"board_{'encouragement' if kind != 'offer' else kind}"]


@pytest.mark.parametrize(("kind", "write", "model", "segment", "source"), KINDS, ids=IDS)
def test_only_the_writer_may_send_held_words(
    app, world, mailbox, kind, write, model, segment, source
):
    relative = as_person(app, world, "full")
    write(relative, world, RISK_WORDS)
    [(item_id, _body, _held)] = rows(app, model)
    for who in ("patient", "board_only", "other_member", "moderator", "lapsed"):
        client = as_person(app, world, who)
        page = client.get("/").get_data(as_text=True)
        assert send_anyway(client, world, segment, item_id, page=page).status_code == 404, who
    # No CSRF token: refused; a GET is not a way to send.
    url = f"{goal_url(world)}/{segment}/{item_id}/send"
    assert relative.post(url).status_code == 400
    assert relative.get(url).status_code == 405
    assert rows(app, model) == [(item_id, RISK_WORDS, True)]
    assert patient_notices(app, world) == []


def test_a_writer_who_may_no_longer_encourage_cannot_send(app, world, mailbox):
    relative = as_person(app, world, "full")
    _encourage(relative, world, RISK_WORDS)
    [(item_id, _body, _held)] = rows(app, Encouragement)
    page = relative.get(goal_url(world)).get_data(as_text=True)
    with app.app_context():
        from portal.circles.models import Membership

        db.session.get(Membership, world.memberships["full"]).can_encourage = False
        db.session.commit()
    assert send_anyway(relative, world, "encouragement", item_id, page=page).status_code == 403
    assert rows(app, Encouragement) == [(item_id, RISK_WORDS, True)]


def test_a_held_offer_cannot_be_accepted(app, world, mailbox):
    _offer(as_person(app, world, "full"), world, RISK_WORDS)
    [(offer_id, _body, _held)] = rows(app, HelpOffer)
    patient = as_person(app, world, "patient")
    url = goal_url(world)
    response = submit(patient, url, {"decision": "accept"}, action=f"{url}/offers/{offer_id}")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(HelpOffer, offer_id).status == "offered"


def test_calm_words_are_delivered_as_before(app, world, mailbox):
    relative = as_person(app, world, "full")
    response = _encourage(relative, world, "Proud of you")
    assert response.headers["Location"].endswith("#messages")
    assert rows(app, Encouragement)[0][1:] == ("Proud of you", False)
    assert patient_notices(app, world) == ["board_encouragement"]
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for cheering them on" in page
    assert "held, not sent" not in page


def test_the_patients_own_crisis_words_still_post_with_the_lines(app, world, mailbox):
    patient = as_person(app, world, "patient")
    url = goal_url(world)
    response = submit(patient, url, {"step-text": RISK_WORDS}, action=f"{url}/steps")
    assert response.status_code == 302
    page = patient.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="crisis-now' in page[: page.index('class="site-header"')]
    assert find(page, RISK_WORDS) > 0
    assert "held, not sent" not in page


def _policy_case(actor_id, membership_kwargs, author_id):
    from datetime import timedelta
    from types import SimpleNamespace

    from portal.circles.models import CareCircle, Membership
    from portal.db import utcnow
    from portal.goals.models import Goal

    actor = SimpleNamespace(id=actor_id, is_authenticated=True, has_role=lambda role: False)
    circle = CareCircle(id=10, patient_id=1)
    goal = Goal(circle_id=10, status="active", visibility="circle", title="A walk")
    membership = None
    if membership_kwargs is not None:
        membership = Membership(
            circle_id=10,
            user_id=actor_id,
            can_see_board=membership_kwargs.get("board", False),
            can_encourage=membership_kwargs.get("encourage", False),
            removed_at=utcnow() if membership_kwargs.get("removed") else None,
            consent_expires_at=utcnow() + timedelta(days=100),
        )
    return actor, author_id, goal, circle, membership, frozenset()


WRITER = {"board": True, "encourage": True}


@pytest.mark.parametrize(
    ("actor_id", "membership_kwargs", "author_id", "allowed"),
    [
        (2, WRITER, 2, True),  # the writer, who may still encourage
        (3, WRITER, 2, False),  # another relative who may encourage
        (1, None, 2, False),  # the patient
        (2, {"board": True}, 2, False),  # the writer, no longer allowed to encourage
        (2, {**WRITER, "removed": True}, 2, False),  # the writer, removed from the circle
        (2, WRITER, None, False),  # a former member's words
    ],
)
def test_who_may_send_held_words(actor_id, membership_kwargs, author_id, allowed):
    from portal import policy

    assert policy.can_send_held(*_policy_case(actor_id, membership_kwargs, author_id)) is allowed
