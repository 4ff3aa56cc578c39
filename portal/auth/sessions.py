"""Server-side sessions behind Flask-Login.

The signed cookie carries only a random token and the time of the last request. The token's
digest names a ``UserSession`` row: ending the row (sign-out, password change, deactivation,
"sign out everywhere") makes every copy of the cookie useless on its next request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

from flask import Response, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Executable, ScalarSelect, bindparam, select, update
from sqlalchemy.orm import joinedload

from portal.auth.models import User, UserSession
from portal.auth.services import NewSession, session_expired
from portal.core.deferred import defer_write
from portal.core.tokens import token_digest
from portal.db import as_utc, utcnow
from portal.extensions import db

TOKEN_KEY = "sid"  # noqa: S105 - the name of a session key, not a secret
SEEN_KEY = "seen"
SEEN_GRANULARITY = 60  # seconds


# Numbers other features want about the signed-in person on every page (the header's unread
# count), fetched by the loader's one query instead of one query each.
AlongsideUser = Callable[[Any], ScalarSelect[Any]]
_alongside: dict[str, AlongsideUser] = {}


def load_alongside_user(name: str, column: AlongsideUser) -> None:
    """Have the user loader also select ``column(user_id)``; read it with ``loaded_alongside``."""
    _alongside[name] = column


def loaded_alongside(name: str, user_id: int) -> Any | None:
    """What the loader fetched for ``user_id`` this request, or None if it did not."""
    found: dict[str, Any] = g.get("alongside_user", {})
    return found.get(name) if found.get("user_id") == user_id else None


def forget_alongside() -> None:
    """Called by a write that changes one of those numbers during the request."""
    g.pop("alongside_user", None)


@lru_cache(maxsize=4)
def _loader_statement(names: tuple[str, ...]) -> Executable:
    """Built once: the statement is the same on every request, only the digest changes."""
    return (
        select(UserSession, *(_alongside[n](UserSession.user_id).label(n) for n in names))
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == bindparam("digest"))
    )


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: one query for the session row, its user and the per-page numbers."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    names = tuple(_alongside)
    found = db.session.execute(_loader_statement(names), {"digest": token_digest(token)}).first()
    if found is None:
        return None
    row: UserSession = found[0]
    if row.ended_at is not None or str(row.user_id) != user_id:
        return None
    if not row.user.active:
        return None
    now = utcnow()
    seen = datetime.fromtimestamp(session.get(SEEN_KEY, 0), tz=UTC)
    if session_expired(row, now=now, last_seen=seen):
        defer_write(partial(_end_session_row, row.id))
        return None
    g.user_session = row
    g.alongside_user = {"user_id": row.user_id, **dict(zip(names, found[1:], strict=True))}
    if now - as_utc(row.last_seen_at) > current_app.config["SESSION_TOUCH_INTERVAL"]:
        defer_write(partial(_touch_session_row, row.id, row.user_id))
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


PENDING_KEY = "second_factor"
PENDING_FOR = 300  # seconds to type the code


def await_second_factor(user: User, *, remember: bool) -> None:
    """Password checked; remember (for five minutes) who still owes a code. No session yet."""
    session.clear()
    session[PENDING_KEY] = [user.id, int(utcnow().timestamp()), remember]


def pending_second_factor() -> tuple[User, bool] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, list) or len(pending) != 3:
        return None
    user_id, started, remember = pending
    if utcnow().timestamp() - started > PENDING_FOR:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.has_two_factor:
        return None
    return user, bool(remember)


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
    """Keep the idle clock and never let a private page be cached."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        # g.user_session, not current_user: bookkeeping commits have expired the user by now.
        if g.get("user_session") is not None and TOKEN_KEY in session:
            now = int(utcnow().timestamp())
            # To the minute: re-signing the cookie on every page would cost more than it tells.
            if now - int(session.get(SEEN_KEY, 0)) >= SEEN_GRANULARITY:
                session[SEEN_KEY] = now
    return response


def _end_session_row(row_id: int) -> None:
    db.session.execute(
        update(UserSession).where(UserSession.id == row_id).values(ended_at=utcnow())
    )


def _touch_session_row(row_id: int, user_id: int) -> None:
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.id == row_id).values(last_seen_at=now))
    db.session.execute(update(User).where(User.id == user_id).values(last_active_at=now))


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


def signed_in() -> bool:
    return bool(current_user.is_authenticated)


TWO_FACTOR_SETUP_ENDPOINTS = frozenset(
    {
        "auth.two_factor_settings",
        "auth.start_two_factor",
        "auth.confirm_two_factor",
        "auth.logout",
        "main.help_now",
        "main.healthz",
        "static",
    }
)


def require_staff_two_factor() -> ResponseReturnValue | None:
    """``before_request``: where the clinic requires it, staff set up two-factor first."""
    required = current_app.config["REQUIRE_STAFF_TWO_FACTOR"]
    if required is None:
        required = current_app.config["REQUIRE_STAFF_TWO_FACTOR_DEFAULT"]
    if not required or request.endpoint in TWO_FACTOR_SETUP_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.is_staff and not current_user.has_two_factor:
        return redirect(url_for("auth.two_factor_settings"))
    return None
