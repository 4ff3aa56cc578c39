"""Notifications: one call every feature makes. Each is stored for the in-app centre and, by
the person's choice for that topic, emailed now, gathered in a daily digest, or not emailed.

Emails say only "you have a new message in <the clinic's name>" unless the person opted in to
details. Urgent safety mail to moderators is sent by ``alerts`` and cannot be turned off.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import Row, ScalarSelect, func, select, update

from portal.auth import sessions
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.mail import clinic_name, queue_email
from portal.notifications.models import EmailDetails, EmailPreference, Notification

TOPICS = {
    "circle": "My circle (someone joined)",
    "board": "The goal board (suggestions, encouragement, help)",
    "questions": "Questions (published, returned, answered)",
    "staff": "Work for staff (new questions, notes from families)",
}
MODES = {"immediate": "Right away", "daily": "Once a day", "never": "Never (in the app only)"}
# A calm default: one email a day at most, until the person chooses otherwise.
DEFAULT_MODE = "daily"
KIND_TOPICS = {
    "invitation_accepted": "circle",
    "question_published": "questions",
    "question_edited": "questions",
    "question_returned": "questions",
    "question_duplicate": "questions",
    "question_answered": "questions",
    "new_question": "staff",
    "private_question": "staff",
    "observation": "staff",
}


def topic_of(kind: str) -> str:
    return "board" if kind.startswith("board_") else KIND_TOPICS.get(kind, "staff")


def preferences(user_id: int) -> dict[str, str]:
    chosen = dict(
        db.session.execute(
            select(EmailPreference.topic, EmailPreference.mode).where(
                EmailPreference.user_id == user_id
            )
        ).all()
    )
    return {topic: chosen.get(topic, DEFAULT_MODE) for topic in TOPICS}


def wants_details(user_id: int) -> bool:
    row = db.session.get(EmailDetails, user_id)
    return bool(row and row.include_details)


def save_preferences(user_id: int, modes: dict[str, str], *, details: bool) -> None:
    for topic, mode in modes.items():
        if topic not in TOPICS or mode not in MODES:
            raise ValueError(f"unknown email preference {topic}={mode}")
        row = db.session.get(EmailPreference, (user_id, topic))
        if row is None:
            db.session.add(EmailPreference(user_id=user_id, topic=topic, mode=mode))
        else:
            row.mode = mode
    row_details = db.session.get(EmailDetails, user_id)
    if row_details is None:
        db.session.add(EmailDetails(user_id=user_id, include_details=details))
    else:
        row_details.include_details = details


def notify(user_ids: Iterable[int | None], *, kind: str, message: str, link: str = "") -> None:
    """Store a notice for each person (once each) and email it as they chose."""
    sessions.forget_alongside()
    for user_id in sorted({uid for uid in user_ids if uid is not None}):
        mode = preferences(user_id)[topic_of(kind)]
        db.session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                message=message[:300],
                link=link[:300],
                digest_pending=mode == "daily",
            )
        )
        if mode != "immediate":
            continue
        person = _recipient(user_id)
        if person is None:
            continue
        queue_email(
            person.email,
            f"You have a new message in {clinic_name()}",
            "notification",
            person=person,
            items=[(message, link)],
            details=wants_details(user_id),
            base_url=current_app.config["PUBLIC_BASE_URL"],
        )


def send_digests() -> int:
    """Gather each person's waiting notices into one email. Each notice is claimed by exactly
    one run (a conditional UPDATE), so overlapping runs never send the same digest twice."""
    people = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.digest_pending.is_(True), Notification.digest_batch == "")
        .distinct()
    ).all()
    sent = 0
    for user_id in people:
        batch = secrets.token_hex(8)
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.digest_pending.is_(True),
                Notification.digest_batch == "",
            )
            .values(digest_batch=batch, digest_pending=False)
        )
        db.session.commit()
        items = db.session.scalars(
            select(Notification)
            .where(Notification.digest_batch == batch)
            .order_by(Notification.created_at)
        ).all()
        person = _recipient(user_id)
        if not items or person is None:
            continue
        queue_email(
            person.email,
            f"Your {clinic_name()} digest",
            "notification",
            person=person,
            items=[(n.message, n.link) for n in items],
            details=wants_details(user_id),
            base_url=current_app.config["PUBLIC_BASE_URL"],
        )
        db.session.commit()
        sent += 1
    return sent


def _recipient(user_id: int) -> Row[Any, Any] | None:
    """Email address and name of an active account (read from the table: no feature import)."""
    users = db.metadata.tables["users"]
    return db.session.execute(
        select(users.c.email, users.c.display_name).where(
            users.c.id == user_id, users.c.active.is_(True)
        )
    ).first()


def unread_subquery(user_id: Any) -> ScalarSelect[int]:
    """The unread count as a subquery, for the user loader to fetch with the session."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user_id: int) -> int:
    fetched = sessions.loaded_alongside("unread", user_id)
    if fetched is not None:
        return int(fetched)
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
    sessions.forget_alongside()
    statement = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    db.session.execute(statement.values(read_at=utcnow()))
