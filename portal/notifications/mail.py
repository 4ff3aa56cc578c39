"""The one module that sends mail: queue rows in the transaction, deliver them after it commits.

Every message is drawn in the shared layouts (``email/_layout.html`` and ``email/_layout.txt``:
the crisis lines in both parts, the clinic's name) and built here with the same headers (``Date``,
``List-Unsubscribe`` pointing at the email settings), so no single message can forget them.

Transport: SMTP when ``MAIL_SERVER`` is set; in development without one, ``.eml`` files in
``instance/outbox/``; anywhere else (tests) sending without a server is an error, so no test can
send mail by accident.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import Response, current_app, g, render_template
from sqlalchemy import select, update

from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.notifications.models import OutgoingEmail

MAX_ATTEMPTS = 8
SETTINGS_PATH = "/account/email"


class MailNotConfiguredError(RuntimeError):
    """Mail was sent where no SMTP server is set and writing to the outbox is not allowed."""


def clinic_name() -> str:
    """The name mail is sent under (``CLINIC_NAME``): subjects, the From name, the footer."""
    return str(current_app.config["CLINIC_NAME"])


def public_url(path: str) -> str:
    """An absolute address for a link in mail, from ``PUBLIC_BASE_URL``."""
    return f"{str(current_app.config['PUBLIC_BASE_URL']).rstrip('/')}{path}"


def plural(count: int, one: str, many: str) -> str:
    """A count with its noun: ``plural(1, "hour", "hours")`` is "1 hour", 2 gives "2 hours"."""
    return f"{count} {one if count == 1 else many}"


def queue_email(to_address: str, subject: str, template: str, **context: object) -> OutgoingEmail:
    """Write a message row from ``email/<template>.txt`` and ``.html``; it goes out after commit.

    Both templates also get ``clinic``, ``settings_url`` and ``plural``, which the layouts use."""
    shared = {"clinic": clinic_name(), "settings_url": public_url(SETTINGS_PATH), "plural": plural}
    context = {**shared, **context}
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
    """The message as sent: the clinic's name on the sender's address, the time it was written
    (RFC 5322 requires a Date), and where to change which emails arrive (List-Unsubscribe)."""
    email = EmailMessage()
    email["From"] = formataddr(
        (clinic_name(), parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1])
    )
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(as_utc(message.created_at or utcnow()))
    email["Message-ID"] = make_msgid(domain="recovery-circle.invalid")
    email["List-Unsubscribe"] = f"<{public_url(SETTINGS_PATH)}>"
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


def deliver_after_request(response: Response) -> Response:
    """Called once the request's transaction has committed: send what it queued.

    A route that must not reveal whether it sent anything (forgot-password, email change)
    calls ``send_after_response()``: its mail then goes out once the response has, so how long
    the page took says nothing about whether an account exists."""
    if not g.pop("mail_queued", False):
        return response
    if not g.pop("mail_after_response", False):
        deliver_queued()
        return response
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        with app.app_context():
            deliver_queued()  # a failed send stays queued for `flask send-mail`

    response.call_on_close(deliver)
    return response


def send_after_response() -> None:
    """Send this request's mail only after its response (see ``deliver_after_request``)."""
    g.mail_after_response = True
