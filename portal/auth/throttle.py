"""Per-address sign-in failure counts in the database, so the lockout holds across workers.

Each attempt first locks its address's row (creating it if needed) and keeps the lock until
the request commits: attempts at one account, from any number of workers or servers, are
checked one after another, so a burst cannot slip more guesses past the limit than it allows.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.auth.models import LoginThrottle
from portal.core.tokens import keyed_digest
from portal.db import as_utc, insert_or_ignore, utcnow
from portal.extensions import db


def _digest(email: str) -> str:
    return keyed_digest("throttle", email)


def _locked_row(email: str) -> LoginThrottle:
    """The address's row, created if missing, locked until this transaction ends."""
    digest = _digest(email)
    db.session.execute(
        insert_or_ignore(LoginThrottle, email_digest=digest, failures=0, window_started_at=utcnow())
    )
    return db.session.execute(
        select(LoginThrottle)
        .where(LoginThrottle.email_digest == digest)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def lockout_remaining(email: str) -> timedelta | None:
    """How long the address is still locked out, if it is. Call before checking a password."""
    row = _locked_row(email)
    if row.locked_until is None:
        return None
    remaining = as_utc(row.locked_until) - utcnow()
    return remaining if remaining > timedelta(0) else None


def note_failure(email: str) -> None:
    config = current_app.config
    now = utcnow()
    # lockout_remaining() locked and loaded the row earlier in this transaction.
    row = db.session.get(LoginThrottle, _digest(email)) or _locked_row(email)
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
