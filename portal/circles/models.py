"""Care circles, memberships with permissions, invitations and the patient's access log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, Timestamped, as_utc, utcnow


class Relationship(StrEnum):
    PARTNER = "partner"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    FRIEND = "friend"
    OTHER = "other"


RELATIONSHIP_LABELS = {
    Relationship.PARTNER: "Partner",
    Relationship.PARENT: "Parent",
    Relationship.CHILD: "Child",
    Relationship.SIBLING: "Brother or sister",
    Relationship.FRIEND: "Friend",
    Relationship.OTHER: "Other",
}


class CareCircle(Timestamped, Base):
    """One per patient: the people they invited and what each of them may see."""

    __tablename__ = "care_circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    share_with_care_team: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether circle members may send the care team "I noticed" observations.
    observations_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The "how to support me" card, written by the patient (Markdown, sanitised on display).
    card_what_helps: Mapped[str] = mapped_column(Text, default="")
    card_please_dont_say: Mapped[str] = mapped_column(Text, default="")
    card_early_signs: Mapped[str] = mapped_column(Text, default="")
    card_who_to_call: Mapped[str] = mapped_column(Text, default="")
    card_version: Mapped[int] = mapped_column(default=0)
    card_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def has_support_card(self) -> bool:
        return any(
            (
                self.card_what_helps,
                self.card_please_dont_say,
                self.card_early_signs,
                self.card_who_to_call,
            )
        )


class Membership(Base):
    """A person in a circle. Removal keeps the row (history) but takes every permission away."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relationship_kind: Mapped[str] = mapped_column(String(20))
    can_see_board: Mapped[bool] = mapped_column(Boolean, default=False)
    can_encourage: Mapped[bool] = mapped_column(Boolean, default=False)
    can_see_timeline: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Permissions lapse to "course only" unless the patient re-confirms them before this moment.
    consent_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)

    circle: Mapped[CareCircle] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def relationship_label(self) -> str:
        return RELATIONSHIP_LABELS[Relationship(self.relationship_kind)]


class InvitationKind(StrEnum):
    MEMBER = "member"  # a patient invites family or a friend into their circle
    PATIENT = "patient"  # a clinician or admin invites a patient
    STAFF = "staff"  # an admin invites a clinician or moderator


INVITATION_STATES = {
    "pending": "Waiting",
    "accepted": "Joined",
    "expired": "Expired",
    "revoked": "Cancelled",
}


class Invitation(Base):
    """An emailed, single-use link. Only a digest of its token is stored."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_circle_status", "circle_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    inviter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(80))
    roles: Mapped[str] = mapped_column(String(40), default="")
    relationship_kind: Mapped[str] = mapped_column(String(20), default="")
    can_see_board: Mapped[bool] = mapped_column(Boolean, default=False)
    can_encourage: Mapped[bool] = mapped_column(Boolean, default=False)
    can_see_timeline: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    circle: Mapped[CareCircle | None] = relationship()
    inviter: Mapped[User | None] = relationship(foreign_keys=[inviter_id])

    def state(self, now: datetime) -> str:
        """pending, accepted, revoked, or expired (a pending link past its date)."""
        if self.status == "pending" and as_utc(self.expires_at) <= now:
            return "expired"
        return self.status

    def state_label(self, now: datetime) -> str:
        return INVITATION_STATES[self.state(now)]

    @property
    def relationship_label(self) -> str:
        if not self.relationship_kind:
            return ""
        return RELATIONSHIP_LABELS[Relationship(self.relationship_kind)]


class AccessLogEntry(Base):
    """Who in the circle opened the patient's board, timeline or support card, to the hour."""

    __tablename__ = "access_log_entries"
    __table_args__ = (
        UniqueConstraint("circle_id", "viewer_id", "what", "hour"),
        Index("ix_access_log_entries_circle_hour", "circle_id", "hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(String(20))
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))
