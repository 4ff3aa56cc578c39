"""Crisis language anywhere: moderators are emailed at once (without the words), and text that
has no queue of its own becomes an urgent alert at the top of theirs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from portal.audit.log import record
from portal.core.safety import SafetyCheck
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.inbox import notify
from portal.notifications.mail import queue_email
from portal.notifications.models import SafetyAlert


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


def alert_moderators(kind: str) -> None:
    """Email every moderator now; the message carries no health details."""
    team = moderators()
    for moderator in team:
        queue_email(
            moderator.email,
            "Urgent: something in Recovery Circle needs review now",
            "urgent_review",
            person=moderator,
            kind=kind,
        )
    notify(
        (m.id for m in team),
        kind="urgent",
        message=f"Urgent {kind} waiting for review",
        link="/moderation",
    )


def raise_safety_alert(
    *, source: str, text: str, author: Any, circle_id: int | None, check: SafetyCheck
) -> SafetyAlert:
    alert = SafetyAlert(
        source=source,
        excerpt=text[:2000],
        author_id=author.id,
        circle_id=circle_id,
        patterns=" ".join(check.matched)[:300],
    )
    db.session.add(alert)
    db.session.flush()
    alert_moderators(source)
    return alert


_OPEN_ALERTS = (
    select(SafetyAlert)
    .where(SafetyAlert.handled_at.is_(None))
    .order_by(SafetyAlert.created_at)
    .limit(100)
)


def open_alerts() -> list[SafetyAlert]:
    """The oldest hundred alerts nobody has handled, for the top of the moderation queue."""
    return list(db.session.scalars(_OPEN_ALERTS))


def handle_alert(alert: SafetyAlert, moderator: Any) -> None:
    alert.handled_at, alert.handled_by_id = utcnow(), moderator.id
    record(
        "moderation.alert_handled", actor=moderator, target_type="safety_alert", target_id=alert.id
    )
