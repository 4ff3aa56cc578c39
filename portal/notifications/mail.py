"""The one module that sends mail: queue rows in the transaction, deliver them after it commits.

Transport: SMTP when ``MAIL_SERVER`` is set; in development without one, ``.eml`` files in
``instance/outbox/``; anywhere else (tests) sending without a server is an error, so no test can
send mail by accident.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, g, render_template
from sqlalchemy import select, update

from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import OutgoingEmail

MAX_ATTEMPTS = 8


class MailNotConfiguredError(RuntimeError):
    """Mail was sent where no SMTP server is set and writing to the outbox is not allowed."""


def queue_email(to_address: str, subject: str, template: str, **context: object) -> OutgoingEmail:
    """Write a message row from ``email/<template>.txt`` and ``.html``; it goes out after commit."""
    message = OutgoingEmail(
        to_address=to_address,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", subject=subject, **context),
    )
    db.session.add(message)
    g.mail_queued = True
    return message


def deliver_queued(limit: int = 50) -> int:
    """Send due messages, each claimed by one worker; return how many went out."""
    now = utcnow()
    due = db.session.scalars(
        select(OutgoingEmail.id)
        .where(OutgoingEmail.status == "queued", OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    for message_id in due:
        claimed = db.session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == message_id, OutgoingEmail.status == "queued")
            .values(status="sending", attempts=OutgoingEmail.attempts + 1)
        )
        db.session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker took it
        message = db.session.get(OutgoingEmail, message_id)
        assert message is not None  # noqa: S101 - claimed above in this same database
        try:
            transmit(message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:300]
            message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "queued"
            message.next_attempt_at = utcnow() + timedelta(minutes=2**message.attempts)
            current_app.logger.warning("mail %s not sent: %s", message.id, message.last_error)
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent


def build_message(message: OutgoingEmail) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="recovery-circle.invalid")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def transmit(message: OutgoingEmail) -> None:
    config = current_app.config
    email = build_message(message)
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
        return
    if config["PORTAL_ENV"] != "development":
        raise MailNotConfiguredError("MAIL_SERVER is not set: refusing to send mail")
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%d-%H%M%S}-{message.id}.eml"
    path.write_bytes(bytes(email))
    current_app.logger.info("mail to %s written to %s", message.to_address, path)


def deliver_after_request() -> None:
    """Called once the request's transaction has committed: send what it queued."""
    if g.pop("mail_queued", False):
        deliver_queued()
