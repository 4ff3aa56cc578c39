from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class OutgoingEmail(Base):
    """A message written in the same transaction as the action that caused it.

    It is sent only after that transaction commits, so a rollback never sends anything, and a
    failed send stays queued for the next attempt instead of being lost.
    """

    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """An in-app notice for one person, listed in their notification centre until read."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # For a daily digest: waiting (pending), then claimed by exactly one digest run (batch).
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_batch: Mapped[str] = mapped_column(String(32), default="", index=True)


class SafetyAlert(Base):
    """Crisis language found in something that is not a question (a board message, a check-in),
    put at the top of the moderators' queue until someone has handled it."""

    __tablename__ = "safety_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    excerpt: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    patterns: Mapped[str] = mapped_column(String(300), default="")
    # core.safety.Level: "risk", or "emergency" (an attempt under way or just made)
    level: Mapped[str] = mapped_column(String(10), default="risk", server_default="risk")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class EmailPreference(Base):
    """How a person wants email about one group of notifications: now, daily, or never."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="immediate")


class EmailDetails(Base):
    """Whether a person opted in to details in emails (off: only "you have a new message")."""

    __tablename__ = "email_details"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    include_details: Mapped[bool] = mapped_column(Boolean, default=False)
