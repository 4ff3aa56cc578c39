"""In-app notifications: one call every feature makes; listed and counted for the person."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import Notification


def notify(user_ids: Iterable[int | None], *, kind: str, message: str, link: str = "") -> None:
    """Store a notice for each person (once each); the caller's commit keeps them."""
    for user_id in sorted({uid for uid in user_ids if uid is not None}):
        db.session.add(
            Notification(user_id=user_id, kind=kind, message=message[:300], link=link[:300])
        )


def unread_count(user_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def mark_read(user_id: int, notification_id: int | None = None) -> None:
    statement = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    db.session.execute(statement.values(read_at=utcnow()))
