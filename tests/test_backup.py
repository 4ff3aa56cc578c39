"""Backups lose nothing: fill a migrated database, back it up, restore into an empty one, compare.

SQLite uses the portal's own commands (SQLite's online backup API) and runs in every run, on a
file of its own. PostgreSQL uses ``pg_dump --format=custom`` and ``pg_restore`` (README,
"Deploying") and runs when TEST_DATABASE_URL names a test cluster. Neither is ever skipped.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.audit.log import record
from portal.auth.models import User
from portal.extensions import db
from portal.notifications.inbox import notify
from portal.notifications.models import Notification, OutgoingEmail
from tests.conftest import PASSWORD, POSTGRES_URL, settings_for
from tests.fixtures.forms import sign_in
from tests.fixtures.world import build_world

BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
# Where tools/throwaway-postgres.sh finds the server; its pg_dump matches the server's version.
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


@contextmanager
def scratch_database(suffix: str) -> Iterator[str]:
    """A new, empty database on the test cluster, dropped afterwards."""
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The portal on a database of its own, migrated as a deployment is (conftest's ``app``
    shares the test database and builds it with ``create_all``)."""
    with (
        scratch_database("backup_live")
        if request.param == "postgresql"
        else nullcontext(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    ) as url:
        application = create_app(settings_for(url, tmp_path))
        with application.app_context():
            upgrade()
        yield application
        with application.app_context():
            db.engine.dispose()


def fill(app: Flask, make_user: Callable[..., User]) -> None:
    """Real content: the demo, the test world, and rows with awkward values."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    world = build_world(app, make_user)
    for name in ("patient", "full", "board_only"):
        client = app.test_client()  # sessions, access log entries, audit rows
        assert sign_in(client, f"{name}@world.test", PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
    sign_in(app.test_client(), "full@world.test", "a wrong password")  # a sign-in throttle row
    patient_id = world.people["patient"].id
    with app.app_context():
        notify(
            [patient_id, world.people["other_patient"].id],
            kind="board_encouraged",
            message="Proud of you — “tiny” steps 🌱\nand a second line",
        )
        record("auth.sign_in", actor=db.session.get(User, patient_id), detail="it's 'quoted'")
        db.session.add(
            OutgoingEmail(to_address="a@world.test", subject="Ünïcode", body_text="a\r\nb ✓")
        )
        db.session.commit()
        # Leave a gap at the end of a sequence: a restore that recomputed it from max(id)
        # would hand out an id again.
        last = db.session.scalars(db.select(Notification).order_by(Notification.id.desc())).first()
        db.session.delete(last)
        db.session.commit()


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (in a stable order), read through SQLAlchemy."""
    engine = create_engine(url)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            # The name comes from the database's own catalogue.
            found = connection.execute(text(f'SELECT * FROM "{name}"'))  # noqa: S608
            rows[name] = sorted((tuple(row) for row in found), key=repr)
    engine.dispose()
    return rows


FILLED = (
    *("alembic_version", "users", "user_sessions", "login_throttles", "audit_events"),
    *("care_circles", "memberships", "invitations", "access_log_entries", "course_modules"),
    *("module_steps", "step_revisions", "goals", "goal_steps", "goal_checkins", "encouragements"),
    *("treatment_days", "help_slots", "help_offers", "questions", "answers", "notifications"),
    "outgoing_emails",
)


def assert_real_content(rows: dict[str, list[tuple[Any, ...]]]) -> None:
    empty = [table for table in FILLED if not rows[table]]
    assert not empty, f"empty tables {empty}: the round trip would prove little"


def test_backup_and_restore_lose_nothing(
    app: Flask, make_user: Callable[..., User], tmp_path: Path
) -> None:
    fill(app, make_user)
    live_url = app.config["SQLALCHEMY_DATABASE_URI"]
    live = table_rows(live_url)
    assert_real_content(live)
    if make_url(live_url).get_backend_name() == "sqlite":
        sqlite_round_trip(app, tmp_path, live)
    else:
        postgres_round_trip(live_url, tmp_path, live)


def sqlite_round_trip(app: Flask, tmp_path: Path, live: dict[str, list[tuple[Any, ...]]]) -> None:
    runner = app.test_cli_runner()
    target = tmp_path / "backups" / "portal.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0  # never overwrites

    fresh_path = tmp_path / "restored.sqlite3"
    fresh = create_app(settings_for(f"sqlite:///{fresh_path}", tmp_path))
    restored = fresh.test_cli_runner().invoke(args=["restore", str(target)])
    assert restored.exit_code == 0, restored.output
    assert table_rows(f"sqlite:///{fresh_path}") == live
    # The schema too: tables, indexes and the full-text index.
    live_path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert sqlite_dump(fresh_path) == sqlite_dump(Path(str(live_path)))
    again = fresh.test_cli_runner().invoke(args=["restore", str(target)])
    assert again.exit_code != 0  # refuses to restore over data
    with fresh.app_context():
        db.engine.dispose()


def sqlite_dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def postgres_round_trip(
    live_url: str, tmp_path: Path, live: dict[str, list[tuple[Any, ...]]]
) -> None:
    archive = tmp_path / "portal.dump"
    pg_tool("pg_dump", "--format=custom", f"--file={archive}", database=live_url)
    with scratch_database("backup_restored") as restored_url:
        pg_tool("pg_restore", "--exit-on-error", "--no-owner", str(archive), database=restored_url)
        assert table_rows(restored_url) == live
        assert sequences(restored_url) == sequences(live_url)
        assert schema(restored_url) == schema(live_url)


def pg_tool(tool: str, *arguments: str, database: str) -> str:
    """Run a PostgreSQL client program against ``database`` (password through the environment)."""
    program = PG_BIN / tool if (PG_BIN / tool).exists() else shutil.which(tool)
    assert program, f"{tool} not found in {PG_BIN} or on PATH (set PG_BIN)"
    url = make_url(database)
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    libpq = url.set(drivername="postgresql", password=None).render_as_string()
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from the test's own URLs
        [str(program), *arguments, f"--dbname={libpq}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def sequences(url: str) -> list[tuple[Any, ...]]:
    """Each sequence with its next value's inputs (NULL last_value: not used yet)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT sequencename, start_value, increment_by, last_value FROM pg_sequences"
                " WHERE schemaname = 'public' ORDER BY sequencename"
            )
        )
        result = [tuple(row) for row in found]
    engine.dispose()
    assert result, "no sequences: the comparison would prove nothing"
    return result


def schema(url: str) -> list[str]:
    """The schema as pg_dump writes it (tables, indexes, triggers, functions, full-text search)."""
    dump = pg_tool("pg_dump", "--schema-only", "--no-owner", database=url)
    # \restrict lines carry a random key per run (PostgreSQL 15.14 and later).
    return [
        line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    ]
