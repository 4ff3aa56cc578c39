"""Fixtures: an isolated database per test (SQLite file, or PostgreSQL with TEST_DATABASE_URL),
builders for people, and a real loopback SMTP server for tests that send mail."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.auth.models import User
from portal.auth.services import create_user
from portal.extensions import db
from tests.fixtures.mailbox import Mailbox, SmtpServer

pytest_plugins = [
    "tests.fixtures.redis_server",
    "tests.fixtures.crisis",
]  # redis_url, stub_detector

PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def settings_for(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "PORTAL_ENV": "test",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PUBLIC_BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Still scrypt, at a cost that keeps hundreds of sign-ins in the suite quick.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }


def production_settings(database_url: str, tmp_path: Path, redis_url: str) -> dict[str, Any]:
    """What production insists on, on top of the test settings: mail, and shared rate limits."""
    return {
        **settings_for(database_url, tmp_path),
        "PORTAL_ENV": "production",
        "MAIL_SERVER": "127.0.0.1",
        "RATELIMIT_STORAGE_URI": redis_url,
        "PUBLIC_BASE_URL": "https://circle.clinic.example",
    }


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[None]:
    """On PostgreSQL, create the tables once; each test then empties them."""
    if not POSTGRES_URL:
        yield
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": POSTGRES_URL, "SECRET_KEY": "x" * 40})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.engine.dispose()
    yield


def empty_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


class FinishingClient(FlaskClient):
    """A test client that reads each response to the end and closes it, as a browser and a
    real server do: the portal sends queued mail once the response has gone out (after
    close), and a test reads the mailbox right after its request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path: Path, postgres_schema: None) -> Iterator[Flask]:
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    application = create_app(settings_for(url, tmp_path))
    application.test_client_class = FinishingClient
    with application.app_context():
        if not POSTGRES_URL:
            db.create_all()
    yield application
    with application.app_context():
        if POSTGRES_URL:
            empty_tables()
        db.engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database for migration tests: a SQLite file, or a fresh PostgreSQL database."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Build an account: ``make_user("clinician moderator", email=...)``."""
    counter = iter(range(1, 10_000))

    def build(
        roles: str = "family",
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        **fields: Any,
    ) -> User:
        number = next(counter)
        with app.app_context():
            user = create_user(
                email=email or f"{roles.split()[0]}{number}@example.test",
                display_name=name or f"{roles.split()[0].title()} {number}",
                password=password,
                roles=set(roles.split()),
            )
            for key, value in fields.items():
                setattr(user, key, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return build


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", email="admin@example.test", name="Ada Admin")


@pytest.fixture
def clinician(make_user: Callable[..., User]) -> User:
    return make_user("clinician", email="clinician@example.test", name="Dr. Cal Clinician")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("moderator", email="moderator@example.test", name="Mo Moderator")


@pytest.fixture
def patient(make_user: Callable[..., User]) -> User:
    return make_user("patient", email="patient@example.test", name="Pat Patient")


@pytest.fixture
def family(make_user: Callable[..., User]) -> User:
    return make_user("family", email="family@example.test", name="Fran Family")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(app: Flask, smtp_server: SmtpServer) -> Mailbox:
    """Point the app at the loopback SMTP server; without this fixture, sending mail fails."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    return smtp_server.mailbox
