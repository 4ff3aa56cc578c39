"""Email by choice: right away, a daily digest sent once even when runs overlap, or never."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notifications.inbox import notify, send_digests
from portal.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, submit


def choose(app, person, **modes):
    client = app.test_client()
    sign_in(client, person.email, PASSWORD)
    data = {
        f"topic-{topic}": mode
        for topic, mode in {
            "circle": "daily",
            "board": "daily",
            "questions": "daily",
            "staff": "daily",
            **modes,
        }.items()
    }
    details = data.pop("topic-details", None)
    if details:
        data["include_details"] = "y"
    assert submit(client, "/account/email", data).status_code == 302


def send(app, user_id, message="Sam accepted your offer", kind="board_offer_accepted"):
    with app.test_request_context(method="POST"):
        notify([user_id], kind=kind, message=message, link="/goals/1")
        db.session.commit()
        from portal.notifications.mail import deliver_queued

        deliver_queued()


def test_right_away_sends_a_plain_email_with_a_preferences_link(app, family, mailbox):
    choose(app, family, board="immediate")
    send(app, family.id)
    [email] = mailbox.to(family.email)
    text = mailbox.text_of(email)
    assert "You have a new message in Recovery Circle." in text
    assert "Sam accepted your offer" not in text  # no details unless asked for
    assert "/account/email" in text


def test_details_only_when_opted_in(app, family, mailbox):
    choose(app, family, board="immediate", details="y")
    send(app, family.id)
    assert "Sam accepted your offer" in mailbox.text_of(mailbox.to(family.email)[0])


def test_never_means_in_the_app_only(app, family, mailbox):
    choose(app, family, board="never")
    send(app, family.id)
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalars(select(Notification)).one().message == "Sam accepted your offer"


def test_daily_digest_is_sent_once_even_when_runs_overlap(app, family, mailbox):
    send(app, family.id, "First thing")
    send(app, family.id, "Second thing")
    assert mailbox.messages == []  # daily is the default
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-digests"])
    assert "1 digest(s) queued, 1 message(s) sent." in first.output
    again = runner.invoke(args=["send-digests"])
    assert "0 digest(s) queued" in again.output
    [email] = mailbox.to(family.email)
    assert email["Subject"] == "Your Recovery Circle digest"
    assert "2 new messages" in mailbox.text_of(email)


def test_a_digest_claim_is_taken_by_one_run_only(app, family, mailbox):
    send(app, family.id, "Only thing")
    with app.test_request_context(method="POST"):
        # A run that claimed the rows first: a second run finds nothing left to claim.
        db.session.execute(
            db.update(Notification).values(digest_batch="earlier-run", digest_pending=False)
        )
        db.session.commit()
        assert send_digests() == 0
    assert mailbox.messages == []


def test_urgent_safety_mail_cannot_be_turned_off(app, moderator, family, mailbox):
    choose(app, moderator, staff="never")
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    submit(
        client,
        "/qa/ask",
        {"title": "He says he wants to kill himself", "sharing": "shared", "action": "send"},
    )
    assert any("Urgent" in m["Subject"] for m in mailbox.to(moderator.email))


def test_bad_choices_change_nothing(app, family):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    response = submit(client, "/account/email", {"topic-board": "hourly"})
    assert response.status_code == 200
    assert "Please choose one option" in response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _relaxed_limits(app):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
