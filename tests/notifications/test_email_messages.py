"""Every message, whatever sent it: headers, a layout that reads on a phone, the crisis lines in
both parts, counts in words, the clinic's own name; and "someone joined" as the patient chose."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.auth import services as auth_services
from portal.auth.models import User
from portal.circles import services as circle_services
from portal.db import utcnow
from portal.extensions import db
from portal.notifications import alerts, inbox
from portal.notifications.mail import deliver_queued
from portal.notifications.models import Notification, OutgoingEmail
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, signed_in, submit
from tests.fixtures.mailbox import Mailbox

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates" / "email"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def html_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no HTML part")


def send_every_kind(app: Flask, patient: User, family: User, moderator: User) -> None:
    """One message from each template, each through the service that really sends it."""
    base = app.config["PUBLIC_BASE_URL"]
    with app.test_request_context(method="POST"):
        pat = db.session.get_one(User, patient.id)
        circle = circle_services.ensure_circle(pat)
        circle_services.invite_member(
            pat,
            circle,
            name="Riley",
            email="riley@example.test",
            relationship="sibling",
            see_board=True,
            encourage=False,
            see_timeline=False,
            base_url=base,
        )
        auth_services.request_password_reset(email=family.email, base_url=base)
        inbox.save_preferences(family.id, {"board": "immediate"}, details=False)
        inbox.notify([family.id], kind="board_encouragement", message="Hi", link="/goals/1")
        alerts.alert_moderators("question")
        auth_services.request_email_change(
            db.session.get_one(User, family.id),
            new_email="fran.new@example.test",
            password=PASSWORD,
            base_url=base,
        )
        db.session.commit()
        deliver_queued()
    token = re.search(r"/account/email-address/(\S+)", confirm_text(app)).group(1)
    with app.test_request_context(method="POST"):
        assert auth_services.confirm_email_change(token) is not None
        db.session.commit()
        deliver_queued()


def confirm_text(app: Flask) -> str:
    with app.app_context():
        return db.session.scalars(
            select(OutgoingEmail.body_text).where(
                OutgoingEmail.to_address == "fran.new@example.test"
            )
        ).one()


@pytest.fixture
def every_kind(app, patient, family, moderator, mailbox) -> list[Message]:
    send_every_kind(app, patient, family, moderator)
    assert len(mailbox.messages) == 6  # invitation, reset, notice, urgent, confirm, changed
    return mailbox.messages


def test_every_template_is_drawn_in_the_shared_layouts():
    """The header, footer and crisis lines live in one place, so no message can lack them."""
    pairs = sorted(p.stem for p in EMAIL_TEMPLATES.glob("*.txt") if not p.name.startswith("_"))
    assert pairs, "no email templates found"
    for name in pairs:
        html = (EMAIL_TEMPLATES / f"{name}.html").read_text()
        text = (EMAIL_TEMPLATES / f"{name}.txt").read_text()
        assert html.startswith('{% extends "email/_layout.html" %}'), name
        assert text.startswith('{% extends "email/_layout.txt" %}'), name
        assert "988" not in html + text, f"{name} repeats the crisis lines the layout gives"


def test_every_message_has_a_date_an_unsubscribe_link_and_the_crisis_lines(every_kind):
    for message in every_kind:
        subject = message["Subject"]
        sent = parsedate_to_datetime(message["Date"])
        assert sent.tzinfo is not None, subject
        assert abs(sent - utcnow()) < timedelta(minutes=5), subject
        assert message["List-Unsubscribe"] == "<http://localhost/account/email>", subject
        html = html_of(message)
        assert VIEWPORT in html, subject
        text = Mailbox.text_of(message)
        for part in (text, html):
            assert "call or text 988" in part, subject
            assert "text HOME to 741741" in part, subject
            assert "call 911" in part, subject
            assert part.count("741741") == 1, subject


def test_the_clinic_name_replaces_the_product_name_everywhere(
    app, patient, family, moderator, mailbox
):
    app.config["CLINIC_NAME"] = "Northside Clinic"
    send_every_kind(app, patient, family, moderator)
    assert len(mailbox.messages) == 6
    for message in mailbox.messages:
        subject = message["Subject"]
        assert "Northside Clinic" in subject
        assert "Recovery Circle" not in subject
        assert parseaddr(message["From"])[0] == "Northside Clinic", subject
        for part in (Mailbox.text_of(message), html_of(message)):
            assert "Recovery Circle" not in part, subject
            assert "Northside Clinic" in part, subject


def says(words: str, part: str) -> bool:
    """Whether ``part`` has these whole words ("1 day" is not in "1 days")."""
    return re.search(rf"\b{re.escape(words)}\b", " ".join(part.split())) is not None


@pytest.mark.parametrize(("hours", "words"), [(1, "within 1 hour"), (2, "within 2 hours")])
def test_the_reset_mail_counts_hours_in_words(app, family, mailbox, hours, words):
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(hours=hours)
    submit(app.test_client(), "/forgot-password", {"email": family.email})
    [message] = mailbox.to(family.email)
    assert says(words, Mailbox.text_of(message))
    assert says(words, html_of(message))
    assert "hour(s)" not in Mailbox.text_of(message) + html_of(message)


@pytest.mark.parametrize(("days", "words"), [(1, "for 1 day"), (7, "for 7 days")])
def test_the_invitation_counts_days_in_words(app, patient, mailbox, days, words):
    app.config["INVITATION_MAX_AGE"] = timedelta(days=days)
    client = signed_in(app, patient.email, PASSWORD)
    submit(client, "/circle/invite", INVITE)
    [message] = mailbox.to("riley@example.test")
    assert says(words, Mailbox.text_of(message))
    assert says(words, html_of(message))


# "Someone joined you": the patient's email choice for "My circle" decides, and the mail links
# to the circle and to the email settings.

INVITE = {
    "name": "Riley",
    "email": "riley@example.test",
    "relationship": "sibling",
    "see_board": "y",
    "see_timeline": "y",
}


def choose_circle_mail(app, person, mode):
    client = signed_in(app, person.email, PASSWORD)
    data = {f"topic-{topic}": "daily" for topic in inbox.TOPICS} | {"topic-circle": mode}
    assert submit(client, "/account/email", data).status_code == 302
    return client


def riley_joins(app, patient_client, mailbox):
    submit(patient_client, "/circle/invite", INVITE)
    [invitation] = mailbox.to("riley@example.test")
    link = re.search(r"http://localhost(/join/\S+)", Mailbox.text_of(invitation)).group(1)
    newcomer = app.test_client()
    password = "riley's long pass"
    joined = submit(
        newcomer, link, {"display_name": "Riley", "password": password, "confirm": password}
    )
    assert joined.status_code == 302


def joined_notices(app, patient):
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == patient.id, Notification.kind == "invitation_accepted"
                )
            )
        )


def test_never_means_no_mail_when_someone_joins(app, patient, mailbox):
    riley_joins(app, choose_circle_mail(app, patient, "never"), mailbox)
    assert mailbox.to(patient.email) == []
    [notice] = joined_notices(app, patient)  # still in the app
    assert notice.digest_pending is False


def test_right_away_sends_one_mail_linking_the_circle_and_the_settings(app, patient, mailbox):
    riley_joins(app, choose_circle_mail(app, patient, "immediate"), mailbox)
    [message] = mailbox.to(patient.email)  # one mail, not a notice and a second one
    text, html = Mailbox.text_of(message), html_of(message)
    assert "Riley" not in text + html + message["Subject"]  # no names unless asked for
    for part in (text, html):
        assert "http://localhost/circle" in part
        assert "http://localhost/account/email" in part
    assert 'href="http://localhost/circle"' in html
    assert 'href="http://localhost/account/email"' in html


def test_with_details_the_mail_names_who_joined(app, patient, mailbox):
    client = signed_in(app, patient.email, PASSWORD)
    data = {f"topic-{topic}": "daily" for topic in inbox.TOPICS} | {"topic-circle": "immediate"}
    submit(client, "/account/email", data | {"include_details": "y"})
    riley_joins(app, client, mailbox)
    [message] = mailbox.to(patient.email)
    assert "Riley accepted your invitation" in Mailbox.text_of(message)
    assert 'href="http://localhost/circle"' in html_of(message)


def test_once_a_day_waits_for_the_digest(app, patient, mailbox):
    riley_joins(app, signed_in(app, patient.email, PASSWORD), mailbox)  # daily is the default
    assert mailbox.to(patient.email) == []
    assert "1 digest(s) queued" in app.test_cli_runner().invoke(args=["send-digests"]).output
    [digest] = mailbox.to(patient.email)
    assert "http://localhost/circle" in Mailbox.text_of(digest)
    assert "http://localhost/account/email" in Mailbox.text_of(digest)


# The email settings page says plainly what "include what happened" puts in email.


def test_the_details_option_warns_that_titles_and_names_appear_in_email(app, family):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    page = client.get("/account/email").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*id="include_details"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', checkbox)
    assert described, "the warning is not tied to the checkbox"
    hint_id = described.group(1).split()[0]
    hint = re.search(rf'id="{hint_id}"[^>]*>(.*?)</', page, re.S).group(1)
    words = " ".join(hint.split())
    assert "titles" in words
    assert "names" in words
    assert "appear in the email" in words
    assert "may see" in words or "may read" in words


@pytest.fixture(autouse=True)
def _patient_has_a_circle(app, patient):
    with app.app_context():
        circle_services.ensure_circle(db.session.get_one(User, patient.id))
        db.session.commit()


@pytest.fixture(autouse=True)
def _relaxed_limits(app):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
