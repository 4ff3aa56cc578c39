"""Backups on SQLite: back up a live database, restore into an empty one, find no difference."""

from __future__ import annotations

import sqlite3

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import POSTGRES_URL, settings_for

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="SQLite backups; PostgreSQL uses pg_dump"
)


def dump(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def test_backup_and_restore_round_trip(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    target = tmp_path / "backups" / "portal.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0  # never overwrites

    fresh_path = tmp_path / "restored.sqlite3"
    fresh = create_app(settings_for(f"sqlite:///{fresh_path}", tmp_path))
    restored = fresh.test_cli_runner().invoke(args=["restore", str(target)])
    assert restored.exit_code == 0, restored.output
    live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    assert dump(fresh_path) == dump(live)
    again = fresh.test_cli_runner().invoke(args=["restore", str(target)])
    assert again.exit_code != 0  # refuses to restore over data
    with fresh.app_context():
        db.engine.dispose()
