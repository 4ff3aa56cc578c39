"""Migrations run up and down on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
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
