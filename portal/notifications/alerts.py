"""Crisis language anywhere: moderators are emailed at once (without the words), and text that
has no queue of its own becomes an urgent alert at the top of theirs.

Everything here only adds rows to the caller's transaction (the alert, the mail, the in-app
notices), so the words and the alert are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Row, case, func, select

from portal.audit.log import record
from portal.core.safety import Level, SafetyCheck, check_text
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.inbox import notify
from portal.notifications.mail import clinic_name, queue_email
from portal.notifications.models import SafetyAlert

EMERGENCY = "EMERGENCY: an attempt may be under way"


def moderators() -> list[Row[Any]]:
    """Active moderators (read from the users table: notifications import no feature)."""
    users = db.metadata.tables["users"]
    return list(
        db.session.execute(
            select(users.c.id, users.c.email, users.c.display_name).where(
                users.c.active.is_(True), users.c.roles.contains("moderator")
            )
        )
    )


def alert_moderators(kind: str, level: Level | str = Level.RISK, *, waiting: int = 1) -> None:
    """Email every moderator now, saying plainly when it is an emergency, with a link to the
    moderation queue; the message carries no health details and never the words."""
    emergency = Level(level) is Level.EMERGENCY
    subject = (
        f"{EMERGENCY}. Urgent review needed in {clinic_name()} now"
        if emergency
        else f"Urgent: something in {clinic_name()} needs review now"
    )
    team = moderators()
    for moderator in team:
        queue_email(
            moderator.email,
            subject,
            "urgent_review",
            person=moderator,
            kind=kind,
            emergency=emergency,
            waiting=waiting,
            queue_url=f"{current_app.config['PUBLIC_BASE_URL']}/moderation",
        )
    notify(
        (m.id for m in team),
        kind="urgent",
        message=f"{EMERGENCY}. Review the {kind} now"
        if emergency
        else f"Urgent {kind} waiting for review",
        link="/moderation",
    )


def raise_safety_alert(
    *, source: str, text: str, author: Any, circle_id: int | None, check: SafetyCheck
) -> SafetyAlert:
    """Put the words at the top of the moderators' queue, with their level, and email them."""
    alert = SafetyAlert(
        source=source,
        excerpt=text[:2000],
        author_id=author.id,
        circle_id=circle_id,
        patterns=" ".join(check.matched)[:300],
        level=check.level.value,
    )
    db.session.add(alert)
    db.session.flush()
    if circle_id is None or _mail_due(alert):
        alert_moderators(source, check.level, waiting=_waiting(circle_id))
    return alert


URGENT_MAIL_GAP = timedelta(minutes=10)


def _mail_due(alert: SafetyAlert) -> bool:
    """At most one urgent mail per circle every ten minutes, so a flood of words cannot flood
    the moderators' inboxes; an emergency after risks still mails. The alerts themselves are
    all kept, each at the top of the queue."""
    since = utcnow() - URGENT_MAIL_GAP
    levels = {Level.EMERGENCY.value} if alert.level == Level.EMERGENCY.value else None
    earlier = select(SafetyAlert.id).where(
        SafetyAlert.circle_id == alert.circle_id,
        SafetyAlert.id != alert.id,
        SafetyAlert.created_at >= since,
    )
    if levels:
        earlier = earlier.where(SafetyAlert.level.in_(levels))
    return db.session.scalar(earlier.limit(1)) is None


def _waiting(circle_id: int | None) -> int:
    """How many alerts nobody has handled yet (all circles), for the mail to say."""
    return int(
        db.session.scalar(
            select(func.count()).select_from(SafetyAlert).where(SafetyAlert.handled_at.is_(None))
        )
        or 1
    )


def joined(texts: Iterable[str | None]) -> str:
    """The parts of one piece of writing as one text for the detector (empty parts dropped)."""
    return " \n".join(t.strip() for t in texts if t and t.strip())


def screen(
    *, source: str, texts: Iterable[str | None], author: Any, circle_id: int | None
) -> SafetyCheck:
    """Check what someone wrote; when it is crisis language, add the alert and the moderators'
    mail to this transaction (the caller commits them with the words, once) and return the
    verdict so the route can show the writer the crisis lines."""
    text = joined(texts)
    check = check_text(text)
    if check.crisis:
        raise_safety_alert(
            source=source, text=text, author=author, circle_id=circle_id, check=check
        )
    return check


_OPEN_ALERTS = (
    select(SafetyAlert)
    .where(SafetyAlert.handled_at.is_(None))
    .order_by(
        case((SafetyAlert.level == Level.EMERGENCY.value, 0), else_=1),
        SafetyAlert.created_at,
        SafetyAlert.id,
    )
    .limit(100)
)


def open_alerts() -> list[SafetyAlert]:
    """A hundred alerts nobody has handled, for the top of the moderation queue: emergencies
    first, then oldest first."""
    return list(db.session.scalars(_OPEN_ALERTS))


def handle_alert(alert: SafetyAlert, moderator: Any) -> None:
    alert.handled_at, alert.handled_by_id = utcnow(), moderator.id
    record(
        "moderation.alert_handled", actor=moderator, target_type="safety_alert", target_id=alert.id
    )
