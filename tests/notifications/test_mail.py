"""Mail goes out after commit, survives an SMTP outage, and never leaves a test by accident."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notifications.mail import MailNotConfiguredError, deliver_queued, queue_email
from portal.notifications.models import OutgoingEmail
from tests.fixtures.forms import submit


def queue_reset_mail(app, address: str) -> None:
    with app.test_request_context():
        queue_email(
            address,
            "Hello",
            "password_reset",
            user=type("U", (), {"display_name": "X"}),
            link="http://localhost/x",
            hours=1,
        )
        db.session.commit()


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutgoingEmail.status)))


def test_without_a_server_a_test_cannot_send_mail(app, family):
    with pytest.raises(MailNotConfiguredError):
        submit(app.test_client(), "/forgot-password", {"email": family.email})


def test_development_writes_eml_files_to_the_outbox(app, tmp_path):
    app.config["PORTAL_ENV"] = "development"
    queue_reset_mail(app, "someone@example.test")
    with app.test_request_context():
        assert deliver_queued() == 1
    [eml] = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert "To: someone@example.test" in eml.read_text()


def test_smtp_outage_keeps_mail_queued_until_it_can_be_sent(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    smtp_server.stop()
    queue_reset_mail(app, "someone@example.test")
    with app.test_request_context():
        assert deliver_queued() == 0
    assert statuses(app) == ["queued"]
    with app.app_context():
        row = db.session.scalars(select(OutgoingEmail)).one()
        assert row.attempts == 1
        assert "refused" in row.last_error.lower()
        row.next_attempt_at = row.created_at  # the retry is due now
        db.session.commit()
    smtp_server.start()
    with app.test_request_context():
        assert deliver_queued() == 1
    assert statuses(app) == ["sent"]
    assert [m["To"] for m in smtp_server.mailbox.messages] == ["someone@example.test"]


def test_a_rolled_back_action_sends_nothing(app, mailbox):
    with app.test_request_context():
        queue_email(
            "a@example.test",
            "Hello",
            "password_reset",
            user=type("U", (), {"display_name": "X"}),
            link="http://x",
            hours=1,
        )
        db.session.rollback()
        assert deliver_queued() == 0
    assert mailbox.messages == []


def test_send_mail_command_sends_what_is_due(app, mailbox):
    queue_reset_mail(app, "someone@example.test")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "1 message(s) sent." in result.output
    assert len(mailbox.messages) == 1
