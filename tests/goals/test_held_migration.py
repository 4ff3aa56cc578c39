"""Migration 0012 (held board words) runs up and down on SQLite and PostgreSQL: rows already
stored stay delivered, and a downgrade never turns held words into delivered ones."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.auth.services import create_user
from portal.circles.services import ensure_circle
from portal.db import utcnow
from portal.extensions import db
from portal.goals.models import Encouragement, Goal, HelpOffer
from tests.conftest import PASSWORD, settings_for

BEFORE = "d52e8f3b1a20"  # 0011, the revision before held words


def _bodies(table):
    with db.engine.connect() as connection:
        return sorted(connection.execute(text(f"SELECT body FROM {table}")).scalars())  # noqa: S608 - our own table names


def test_held_words_migrate_up_and_down(empty_database_url, tmp_path):
    app = create_app(settings_for(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        patient = create_user(
            email="p@example.test", display_name="P", password=PASSWORD, roles={"patient"}
        )
        relative = create_user(
            email="r@example.test", display_name="R", password=PASSWORD, roles={"family"}
        )
        db.session.flush()
        goal = Goal(circle_id=ensure_circle(patient).id, title="A walk")
        db.session.add(goal)
        db.session.flush()
        now = utcnow()
        db.session.add_all(
            [
                Encouragement(goal_id=goal.id, author_id=relative.id, body="sent"),
                Encouragement(goal_id=goal.id, author_id=relative.id, body="held", held_at=now),
                HelpOffer(goal_id=goal.id, author_id=relative.id, body="sent"),
                HelpOffer(goal_id=goal.id, author_id=relative.id, body="held", held_at=now),
            ]
        )
        db.session.commit()
        db.session.remove()

        downgrade(revision=BEFORE)
        for table in ("encouragements", "help_offers"):
            with db.engine.connect() as connection:
                columns = {c["name"] for c in inspect(connection).get_columns(table)}
            assert "held_at" not in columns, table
            assert _bodies(table) == ["sent"], table  # never delivered by a rollback

        upgrade()
        for table in ("encouragements", "help_offers"):
            with db.engine.connect() as connection:
                query = text(f"SELECT held_at FROM {table}")  # noqa: S608 - our own table names
                held = connection.execute(query).scalars().all()
            assert held == [None], table
        db.engine.dispose()
