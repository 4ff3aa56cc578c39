"""Migrations run up and down on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect, text

from portal import create_app, include_in_migrations
from portal.extensions import db
from tests.conftest import settings_for


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


def _row(table, **values):
    """A row for ``table`` as reflected at an old revision: every required column filled."""
    from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text

    row = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, Boolean):
            row[column.name] = False
        elif isinstance(kind, DateTime):
            row[column.name] = datetime.now(UTC)
        elif isinstance(kind, Date):
            row[column.name] = datetime.now(UTC).date()
        elif isinstance(kind, Integer):
            row[column.name] = 1
        elif isinstance(kind, String | Text):
            row[column.name] = "x"
    return {**row, **values}


def test_suggestion_words_and_answer_edits_are_read_back_from_what_was_stored(
    empty_database_url, tmp_path
):
    """0010 copies the words of suggestions the patient never edited (waiting or declined),
    not of accepted ones; 0011 names each answer's last editor from its newest revision."""
    app = create_app(settings_for(empty_database_url, tmp_path))
    before = "b88bcdfb23ba"
    with app.app_context():
        upgrade(revision=before)
        tables = MetaData()
        tables.reflect(bind=db.engine)
        t = tables.tables
        with db.engine.begin() as connection:
            for user_id in (1, 2, 3):
                connection.execute(
                    t["users"].insert(), _row(t["users"], id=user_id, email=f"u{user_id}@x.test")
                )
            connection.execute(
                t["care_circles"].insert(), _row(t["care_circles"], id=1, patient_id=1)
            )
            for goal_id, status in ((1, "suggested"), (2, "declined"), (3, "active")):
                connection.execute(
                    t["goals"].insert(),
                    _row(
                        t["goals"],
                        id=goal_id,
                        circle_id=1,
                        status=status,
                        suggested_by_id=2,
                        title=f"title {goal_id}",
                        why=f"why {goal_id}",
                    ),
                )
            connection.execute(t["questions"].insert(), _row(t["questions"], id=1, asker_id=2))
            connection.execute(
                t["answers"].insert(), _row(t["answers"], id=1, question_id=1, clinician_id=1)
            )
            connection.execute(t["answers"].insert(), _row(t["answers"], id=2, question_id=1))
            for revision_id, editor in ((1, 1), (2, 3)):
                connection.execute(
                    t["answer_revisions"].insert(),
                    _row(t["answer_revisions"], id=revision_id, answer_id=1, editor_id=editor),
                )
        upgrade()
        with db.engine.connect() as connection:
            words = dict(connection.execute(text("SELECT id, suggested_title FROM goals")).all())
            edits = dict(connection.execute(text("SELECT id, edited_by_id FROM answers")).all())
        assert words == {1: "title 1", 2: "title 2", 3: ""}
        assert edits == {1: 3, 2: None}
        downgrade(revision=before)
        with db.engine.connect() as connection:
            assert "suggested_title" not in {
                c["name"] for c in inspect(connection).get_columns("goals")
            }
            assert "edited_by_id" not in {
                c["name"] for c in inspect(connection).get_columns("answers")
            }
            assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 2
        db.engine.dispose()
