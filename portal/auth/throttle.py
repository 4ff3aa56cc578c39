"""Per-address sign-in failure counts in the database, so the lockout holds across workers."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from portal.auth.models import LoginThrottle
from portal.core.tokens import keyed_digest
from portal.db import as_utc, utcnow
from portal.extensions import db


def _digest(email: str) -> str:
    return keyed_digest("throttle", email)


def lockout_remaining(email: str) -> timedelta | None:
    row = db.session.get(LoginThrottle, _digest(email))
    if row is None or row.locked_until is None:
        return None
    remaining = as_utc(row.locked_until) - utcnow()
    return remaining if remaining > timedelta(0) else None


def note_failure(email: str) -> None:
    config = current_app.config
    now = utcnow()
    row = db.session.get(LoginThrottle, _digest(email))
    if row is None:
        row = LoginThrottle(email_digest=_digest(email), failures=0, window_started_at=now)
        db.session.add(row)
    if now - as_utc(row.window_started_at) > config["LOGIN_LOCKOUT"]:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= config["LOGIN_MAX_FAILURES"]:
        row.locked_until = now + config["LOGIN_LOCKOUT"]
        row.failures = 0
        row.window_started_at = now


def clear_failures(email: str) -> None:
    row = db.session.get(LoginThrottle, _digest(email))
    if row is not None:
        db.session.delete(row)
