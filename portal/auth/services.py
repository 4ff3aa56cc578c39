"""Account actions. They flush but never commit: the route commits once."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from portal.audit.log import record
from portal.auth.models import Role, User, UserSession
from portal.auth.passwords import dummy_hash, hash_password, password_problems, verify_password
from portal.auth.throttle import clear_failures, lockout_remaining, note_failure
from portal.core.tokens import keyed_digest, token_digest
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.notifications.mail import clinic_name, queue_email


class AccountError(ValueError):
    """A request that cannot be done, with a message fit to show the person."""


class WrongPasswordError(AccountError):
    """The current password given to confirm a change is not the account's."""


class SignInLockedError(AccountError):
    def __init__(self, remaining: timedelta) -> None:
        minutes = max(1, int(remaining.total_seconds() // 60) + 1)
        super().__init__(
            f"Too many attempts. For your safety, sign-in is paused for about {minutes} minutes."
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *, email: str, display_name: str, password: str, roles: set[str], actor: User | None = None
) -> User:
    """Create an account (from the CLI or an accepted invitation)."""
    email = normalise_email(email)
    unknown = set(roles) - {role.value for role in Role}
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}")
    if find_user_by_email(email) is not None:
        raise AccountError("An account with that email address already exists.")
    problems = password_problems(password, email=email, name=display_name)
    if problems:
        raise AccountError(problems[0])
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        roles=" ".join(sorted(roles)),
    )
    db.session.add(user)
    db.session.flush()
    record(
        "account.created",
        actor=actor,
        target_type="user",
        target_id=user.id,
        detail=" ".join(sorted(roles)),
    )
    return user


def authenticate(*, email: str, password: str) -> User:
    """Return the account for a correct email and password, or raise with one vague message.

    Unknown addresses and wrong passwords get the same answer and the same work (a hash check),
    and both count towards the per-address lockout kept in the database.
    """
    email = normalise_email(email)
    remaining = lockout_remaining(email)
    if remaining:
        record("auth.sign_in_locked", detail=_digest_hint(email))
        raise SignInLockedError(remaining)
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not valid or not user.active:
        note_failure(email)
        record(
            "auth.sign_in_failed",
            actor=None,
            target_type="user",
            target_id=user.id if user else None,
            detail=_digest_hint(email),
        )
        raise AccountError("That email and password do not match an account we can sign in.")
    clear_failures(email)
    return user


def _digest_hint(email: str) -> str:
    """Enough to group failed attempts in the audit log without storing the typed address."""
    return "address " + keyed_digest("audit", email)[:12]


@dataclass(frozen=True)
class NewSession:
    record: UserSession
    token: str


def start_session(user: User, *, remember: bool, device: str) -> NewSession:
    """Open a server-side session; the browser keeps only the random token."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user=user,
        token_hash=token_digest(token),
        remembered=remember and not user.is_staff,
        device=device[:120],
    )
    user.last_active_at = utcnow()
    db.session.add(row)
    db.session.flush()
    record("auth.sign_in", actor=user, target_type="user", target_id=user.id)
    return NewSession(row, token)


def open_sessions(user: User) -> list[UserSession]:
    """The browsers signed in to this account now (newest first)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
            .limit(50)
        )
    )


def end_session(session_row: UserSession) -> None:
    if session_row.ended_at is None:
        session_row.ended_at = utcnow()


def end_all_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` (but ``keep``); return how many were ended."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    result = db.session.execute(statement.values(ended_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password and end every session, this one included (the route starts anew)."""
    if not verify_password(user.password_hash, current):
        raise WrongPasswordError("Your current password is not right.")
    set_password(user, new)
    record("auth.password_changed", actor=user, target_type="user", target_id=user.id)


def set_password(user: User, new: str) -> None:
    problems = password_problems(new, email=user.email, name=user.display_name)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = hash_password(new)
    end_all_sessions(user)


def change_display_name(user: User, *, display_name: str) -> None:
    name = display_name.strip()
    if not name:
        raise AccountError("Please enter the name people in your circle know you by.")
    user.display_name = name
    record("auth.name_changed", actor=user, target_type="user", target_id=user.id)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password or the email address does, which makes every earlier reset
    link single-use and ends links mailed to an address the account no longer has."""
    return keyed_digest("reset", f"{user.password_hash}\n{user.email}")[:16]


def request_password_reset(*, email: str, base_url: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})
    queue_email(
        user.email,
        f"Reset your {clinic_name()} password",
        "password_reset",
        user=user,
        link=f"{base_url.rstrip('/')}/reset-password/{token}",
        hours=int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 3600),
    )
    record("auth.password_reset_requested", actor=user, target_type="user", target_id=user.id)


def user_for_reset_token(token: str) -> User | None:
    """The account a reset link belongs to, or None when it is forged, expired or used."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=int(max_age.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user)):
        return None
    return user


def reset_password(user: User, *, new: str) -> None:
    set_password(user, new)
    clear_failures(user.email)
    record("auth.password_reset", actor=user, target_type="user", target_id=user.id)


def session_expired(row: UserSession, *, now: datetime, last_seen: datetime) -> bool:
    """Whether an open session has passed its idle or absolute limit."""
    config = current_app.config
    idle: timedelta
    absolute: timedelta
    if row.user.is_staff:
        idle, absolute = config["SESSION_IDLE_STAFF"], config["SESSION_ABSOLUTE_STAFF"]
    else:
        idle = config["SESSION_IDLE_REMEMBERED" if row.remembered else "SESSION_IDLE_MEMBER"]
        absolute = config["SESSION_ABSOLUTE_MEMBER"]
    return now - last_seen > idle or now - as_utc(row.created_at) > absolute


def _email_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-change")


def request_email_change(user: User, *, new_email: str, password: str, base_url: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is confirmed.

    Whether the address already has an account is never told to the person asking (that
    alone is sensitive for a clinic's portal): its owner gets a short notice instead of a link,
    and both paths queue one message. Mail to an address not yet proven carries no name.
    """
    if not verify_password(user.password_hash, password):
        raise WrongPasswordError("Your current password is not right.")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your email address.")
    if find_user_by_email(new_email) is not None:
        queue_email(
            new_email,
            f"Someone asked to use this address on {clinic_name()}",
            "email_in_use",
            link=f"{base_url.rstrip('/')}/forgot-password",
        )
        record("account.email_change_refused", actor=user, target_type="user", target_id=user.id)
        return
    token = _email_serializer().dumps(
        {"u": user.id, "e": new_email, "old": keyed_digest("email", user.email)}
    )
    queue_email(
        new_email,
        f"Confirm your new {clinic_name()} email",
        "email_change",
        link=f"{base_url.rstrip('/')}/account/email-address/{token}",
    )


def email_change_for(token: str) -> tuple[User, str] | None:
    """The account and new address a confirmation link is for, or None when it is forged,
    expired or spent (links last a day and stop working once the email has changed)."""
    try:
        data = _email_serializer().loads(token, max_age=86400)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(data.get("old", "")), keyed_digest("email", user.email)):
        return None
    new_email = str(data.get("e", ""))
    if find_user_by_email(new_email) is not None:
        return None
    return user, new_email


def confirm_email_change(token: str, *, keep: UserSession | None = None) -> User | None:
    """Apply a confirmed change: every other session ends, and reset links mailed to the old
    address stop working (the reset fingerprint holds the address)."""
    found = email_change_for(token)
    if found is None:
        return None
    user, new_email = found
    old_email = user.email
    user.email = new_email
    end_all_sessions(user, keep=keep if keep is not None and keep.user_id == user.id else None)
    queue_email(
        old_email,
        f"Your {clinic_name()} email was changed",
        "email_changed",
        user=user,
        new_email=new_email,
    )
    record("account.email_changed", actor=user, target_type="user", target_id=user.id)
    return user
