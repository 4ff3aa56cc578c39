"""Server-side sessions behind Flask-Login.

The signed cookie carries only a random token and the time of the last request. The token's
digest names a ``UserSession`` row: ending the row (sign-out, password change, deactivation,
"sign out everywhere") makes every copy of the cookie useless on its next request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from portal.auth.models import User, UserSession
from portal.auth.services import NewSession, session_expired
from portal.core.tokens import token_digest
from portal.db import as_utc, utcnow
from portal.extensions import db

TOKEN_KEY = "sid"  # noqa: S105 - the name of a session key, not a secret
SEEN_KEY = "seen"


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: one query for the session row and its user."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    row = db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == token_digest(token))
    )
    if row is None or row.ended_at is not None or str(row.user_id) != user_id:
        return None
    if not row.user.active:
        return None
    now = utcnow()
    seen = datetime.fromtimestamp(session.get(SEEN_KEY, 0), tz=UTC)
    if session_expired(row, now=now, last_seen=seen):
        g.session_bookkeeping = ("end", row.id, row.user_id)
        return None
    g.user_session = row
    if now - as_utc(row.last_seen_at) > current_app.config["SESSION_TOUCH_INTERVAL"]:
        g.session_bookkeeping = ("touch", row.id, row.user_id)
    return row.user


def begin(new: NewSession) -> None:
    """Sign the browser in with a fresh cookie (no fixation: nothing of the old one survives)."""
    session.clear()
    login_user(new.record.user)
    session.pop("_id", None)  # Flask-Login's hash of address and browser: not needed here
    session[TOKEN_KEY] = new.token
    session[SEEN_KEY] = int(utcnow().timestamp())
    session.permanent = new.record.remembered
    g.user_session = new.record


def finish() -> None:
    logout_user()
    session.clear()


def current_person() -> User:
    """The signed-in account, typed (routes behind a sign-in rule only)."""
    person = current_user._get_current_object()
    if not isinstance(person, User):
        raise LookupError("no one is signed in")
    return person


def current_session() -> UserSession | None:
    return g.get("user_session")


def after_request(response: Response) -> Response:
    """Keep the idle clock, record coarse activity, and never let a private page be cached."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        if current_user.is_authenticated and TOKEN_KEY in session:
            session[SEEN_KEY] = int(utcnow().timestamp())
    pending = g.pop("session_bookkeeping", None)
    if pending:
        _bookkeep(*pending)
    return response


def _bookkeep(kind: str, row_id: int, user_id: int) -> None:
    """Write session activity in a short transaction of its own, after the request's work."""
    now = utcnow()
    db.session.rollback()
    try:
        values = {"ended_at": now} if kind == "end" else {"last_seen_at": now}
        db.session.execute(update(UserSession).where(UserSession.id == row_id).values(**values))
        if kind == "touch":
            db.session.execute(update(User).where(User.id == user_id).values(last_active_at=now))
        db.session.commit()
    except OperationalError:  # bookkeeping must never fail a page
        db.session.rollback()
        current_app.logger.warning("session bookkeeping skipped for session %s", row_id)


def describe_device(user_agent: str) -> str:
    """A short, non-identifying label for the sessions list ("Chrome on Android")."""
    agent = user_agent.lower()
    browser = next((name for key, name in BROWSERS if key in agent), "A browser")
    system = next((name for key, name in SYSTEMS if key in agent), "")
    return f"{browser} on {system}" if system else browser


BROWSERS = (
    ("edg/", "Edge"),
    ("firefox", "Firefox"),
    ("chrome", "Chrome"),
    ("chromium", "Chromium"),
    ("safari", "Safari"),
)
SYSTEMS = (
    ("android", "Android"),
    ("iphone", "iPhone"),
    ("ipad", "iPad"),
    ("windows", "Windows"),
    ("mac os", "Mac"),
    ("linux", "Linux"),
)
