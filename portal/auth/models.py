"""People, their roles, their sign-in sessions, and sign-in failure counters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    CLINICIAN = "clinician"
    MODERATOR = "moderator"
    PATIENT = "patient"
    FAMILY = "family"


STAFF_ROLES = frozenset({Role.ADMIN, Role.CLINICIAN, Role.MODERATOR})
ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.CLINICIAN: "Clinician",
    Role.MODERATOR: "Moderator",
    Role.PATIENT: "Patient",
    Role.FAMILY: "Family member or friend",
}


class User(UserMixin, Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Space-separated role names: one person may hold several staff roles.
    roles: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    credentials: Mapped[str] = mapped_column(String(120), default="")
    last_active_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Two-factor sign-in (TOTP): a secret being set up, and the one in use once confirmed.
    totp_pending_secret: Mapped[str] = mapped_column(String(64), default="")
    totp_secret: Mapped[str] = mapped_column(String(64), default="")
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @property
    def is_staff(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[Role(name)] for name in sorted(self.role_set)]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.roles!r}>"


class UserSession(Base):
    """One signed-in browser. Ending the row ends that browser's access on its next request."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    device: Mapped[str] = mapped_column(String(120), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class LoginThrottle(Base):
    """Failed sign-ins per address, kept in the database so the limit holds across workers.

    Keyed by a keyed hash of the normalised email, so unknown addresses are throttled exactly like
    known ones and the table holds no readable address.
    """

    __tablename__ = "login_throttles"

    email_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    """A one-time code for signing in when the authenticator app is not at hand (hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
