"""Settings: defaults, then ``instance/config.py``, then the environment, then a test mapping.

Production refuses to start without a real ``SECRET_KEY`` so a deployment never runs with a
development key by accident.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; raised at start-up, never later."""


def defaults(instance_path: Path) -> dict[str, Any]:
    """Settings every environment starts from."""
    return {
        "PORTAL_ENV": "development",
        "SECRET_KEY": "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'portal.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session does
        # Sessions: idle and absolute limits; staff get shorter ones.
        "SESSION_IDLE_MEMBER": timedelta(hours=2),
        "SESSION_IDLE_REMEMBERED": timedelta(days=14),
        "SESSION_IDLE_STAFF": timedelta(minutes=30),
        "SESSION_ABSOLUTE_MEMBER": timedelta(days=30),
        "SESSION_ABSOLUTE_STAFF": timedelta(hours=12),
        "SESSION_TOUCH_INTERVAL": timedelta(minutes=10),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # Sign-in limits: per address (Flask-Limiter) and per account (database).
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT": timedelta(minutes=15),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),
        "PASSWORD_HASH_METHOD": "scrypt",
        # Staff must set up two-factor sign-in before using the portal (on in production).
        "REQUIRE_STAFF_TWO_FACTOR": None,  # werkzeug's scrypt: n=2**15, r=8, p=1
        # Mail: with no MAIL_SERVER, development writes .eml files to instance/outbox/.
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_DEFAULT_SENDER": "Recovery Circle <no-reply@recovery-circle.invalid>",
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        # Care circles: invitation links, limits, and how long a patient's consent lasts.
        "INVITATION_MAX_AGE": timedelta(days=7),
        "INVITATION_PENDING_CAP": 10,
        "INVITATION_RATE_LIMIT": "20 per hour",
        "CONSENT_PERIOD": timedelta(days=365),
        "CONSENT_WARNING": timedelta(days=30),
        "ACCESS_LOG_RETENTION": timedelta(days=90),
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        # The largest request body accepted (every form is text; nothing is uploaded).
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Multiplies every per-account posting limit in portal/core/limits.py.
        "POSTING_LIMIT_FACTOR": 1,
        # How many reverse proxies stand in front (each adds X-Forwarded-For/-Proto). 0 trusts
        # none: a client could otherwise pick the address its rate limits are counted under.
        "TRUSTED_PROXY_HOPS": 0,
        "CLINIC_NAME": "Recovery Circle",
        "DEMO_PASSWORD": "recovery-demo-2026",
    }


ENV_OVERRIDES: dict[str, Callable[[str], Any]] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_OUTBOX_DIR": str,
    "RATELIMIT_STORAGE_URI": str,
    "LOGIN_RATE_LIMIT": str,
    "LOGIN_MAX_FAILURES": int,
    "TRUSTED_PROXY_HOPS": int,
    "PUBLIC_BASE_URL": str,
    "MAX_CONTENT_LENGTH": int,
    "POSTING_LIMIT_FACTOR": int,
    "CLINIC_NAME": str,
    "DEMO_PASSWORD": str,
    "REQUIRE_STAFF_TWO_FACTOR": lambda v: v.lower() in {"1", "true", "yes", "on"},
}


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings named in the environment, converted to their types."""
    found: dict[str, Any] = {}
    for name, convert in ENV_OVERRIDES.items():
        if name in environ and environ[name] != "":
            key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
            found[key] = convert(environ[name])
    if environ.get("PORTAL_ENV"):
        found["PORTAL_ENV"] = environ["PORTAL_ENV"]
    return found


def for_environment(env: str) -> dict[str, Any]:
    """What follows from the environment's name (cookies, HTTPS, error detail)."""
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"
    return {
        "DEBUG": False,
        "TESTING": env == "test",
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "REQUIRE_STAFF_TWO_FACTOR_DEFAULT": production,
    }


def validate(config: dict[str, Any]) -> None:
    """Fail fast on settings that would make a deployment unsafe."""
    if config["PORTAL_ENV"] == "production":
        key = config.get("SECRET_KEY") or ""
        if key == defaults(Path("."))["SECRET_KEY"] or len(key) < 32:
            raise ConfigError("SECRET_KEY must be set to a random value of 32+ characters.")
        if not config.get("MAIL_SERVER"):
            raise ConfigError("MAIL_SERVER must be set in production.")
        base = str(config.get("PUBLIC_BASE_URL") or "")
        if base == defaults(Path("."))["PUBLIC_BASE_URL"] or not base.startswith("https://"):
            # Every emailed link (invitations, password resets) is built on it.
            raise ConfigError(
                "PUBLIC_BASE_URL must be set in production to the portal's https:// address."
            )
        if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
            # Each worker would count on its own: four workers, four times the sign-in guesses.
            raise ConfigError(
                "RATELIMIT_STORAGE_URI must be storage every worker shares in production "
                "(redis://host:6379/0), not memory://."
            )
