"""Migrations run up and down on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app, include_in_migrations
from portal.extensions import db
from tests.conftest import POSTGRES_URL, settings_for


@pytest.fixture
def empty_database_url(tmp_path):
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


def test_upgrade_matches_models_and_downgrade_removes_everything(empty_database_url, tmp_path):
    app = create_app(settings_for(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_in_migrations}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"

        downgrade(revision="base")
        with db.engine.connect() as connection:
            left = set(inspect(connection).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade()  # and up again, as a redeploy after a rollback would
        with db.engine.connect() as connection:
            assert "users" in inspect(connection).get_table_names()
        db.engine.dispose()


def test_crisis_levels_keep_what_was_stored(empty_database_url, tmp_path):
    """Alerts stored before levels existed are risks; so are the questions already urgent."""
    app = create_app(settings_for(empty_database_url, tmp_path))
    before_levels = "3ceb5ff935de"
    question = {
        "asker_relationship": "",
        "body": "",
        "topics": "",
        "shared": True,
        "anonymous": False,
        "status": "pending",
        "crisis_patterns": "",
        "return_reason": "",
        "return_note": "",
        "edited_by_moderator": False,
        "me_too_count": 0,
        "created_at": datetime.now(UTC),
        "hidden_reason": "",
        "version": 1,
    }
    with app.app_context():
        upgrade(revision=before_levels)
        tables = MetaData()
        tables.reflect(bind=db.engine, only=["questions", "safety_alerts"])
        with db.engine.begin() as connection:
            connection.execute(
                tables.tables["questions"].insert(),
                [
                    {**question, "title": "urgent", "urgent": True},
                    {**question, "title": "calm", "urgent": False},
                ],
            )
            connection.execute(
                tables.tables["safety_alerts"].insert(),
                {
                    "source": "board message",
                    "excerpt": "",
                    "patterns": "",
                    "created_at": datetime.now(UTC),
                },
            )
        upgrade()
        with db.engine.connect() as connection:
            levels = dict(
                connection.execute(text("SELECT title, crisis_level FROM questions")).all()
            )
            alert_levels = (
                connection.execute(text("SELECT level FROM safety_alerts")).scalars().all()
            )
        assert levels == {"urgent": "risk", "calm": "none"}
        assert alert_levels == ["risk"]
        downgrade(revision=before_levels)
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("questions")}
            titles = connection.execute(text("SELECT title FROM questions")).scalars().all()
        assert "crisis_level" not in columns
        assert sorted(titles) == ["calm", "urgent"]
        db.engine.dispose()
