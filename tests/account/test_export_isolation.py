"""A person's data download holds what they wrote, as they wrote it, and nothing of anyone else's
that they may not see now: checked after each kind of change a patient can make, and by walking
every table the export reads."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import String, Text, event, select

from portal.account.export import collect
from portal.auth.models import User
from portal.circles.models import CareCircle, Membership
from portal.extensions import db
from portal.goals.models import Encouragement, Goal, HelpOffer
from portal.qa.models import Answer, Observation, Question
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def export_of(client) -> dict[str, Any]:
    response = submit(client, "/account", {}, action="/account/export")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return json.loads(archive.read("recovery-circle-data.json"))


def suggest(app, world, title: str, why: str) -> int:
    member = as_person(app, world, "full")
    circle_id = world.circles["a"]
    response = submit(
        member,
        f"/circles/{circle_id}/board/suggest",
        {"title": title, "why": why, "area": "other", "post_anyway": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(select(Goal.id).where(Goal.title == title)).one()


def test_a_suggestion_in_the_export_is_the_suggesters_own_words(app, world):
    goal_id = suggest(app, world, "Walk to the bayou", "Fresh air helps")
    data = export_of(as_person(app, world, "full"))
    [row] = data["goal_suggestions"]
    assert (row["title"], row["why"], row["status"]) == (
        "Walk to the bayou",
        "Fresh air helps",
        "waiting",
    )
    assert goal_id


@pytest.mark.parametrize("change", ["edit", "only_me", "remove_member", "decline"])
def test_after_the_patient_changes_it_the_export_still_holds_only_the_suggesters_words(
    app, world, change
):
    goal_id = suggest(app, world, "Walk to the bayou", "Fresh air helps")
    patient = as_person(app, world, "patient")
    decision = "decline" if change == "decline" else "accept"
    response = submit(
        patient, f"/goals/{goal_id}", {"decision": decision}, action=f"/goals/{goal_id}/suggestion"
    )
    assert response.status_code == 302
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        if change in ("edit", "only_me"):
            # The patient's own words, and then (for only_me) the goal made private.
            goal.title, goal.why = "My therapy homework", "What Dr. A said about my father"
            goal.visibility = "private" if change == "only_me" else goal.visibility
        if change == "remove_member":
            goal.title = "My therapy homework"
            membership = db.session.get(Membership, world.memberships["full"])
            membership.removed_at = goal.created_at
        db.session.commit()
    data = export_of(as_person(app, world, "full"))
    text = json.dumps(data)
    assert "My therapy homework" not in text
    assert "Dr. A" not in text
    [row] = data["goal_suggestions"]
    assert (row["title"], row["why"]) == ("Walk to the bayou", "Fresh air helps")
    assert row.get("status") == ("declined" if change == "decline" else None)


def test_an_old_accepted_suggestion_without_kept_words_shows_none_of_the_patients(app, world):
    goal_id = suggest(app, world, "Walk to the bayou", "Fresh air helps")
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        goal.status, goal.title = "active", "My therapy homework"
        goal.suggested_title = goal.suggested_why = ""  # as rows from before the migration
        db.session.commit()
    [row] = export_of(as_person(app, world, "full"))["goal_suggestions"]
    assert row["title"] is None
    assert "not kept" in row["note"]
    assert "My therapy homework" not in json.dumps(row)


MINE, OTHERS = "MINE", "THEIRS"


def fill_every_text_column(app, world) -> None:
    """Every text value in the database says whose it is: rows the family member wrote say MINE,
    every other row says THEIRS (goals in circle a the member suggested keep only their own
    suggested words as MINE)."""
    me = world.people["full"].id
    goal_id = suggest(app, world, "placeholder", "placeholder")
    for path, fields in (
        (f"/goals/{world.goals['a']}/encouragement", {"msg-body": "placeholder"}),
        (f"/goals/{world.goals['a']}/offers", {"offer-body": "placeholder"}),
    ):
        submit(as_person(app, world, "full"), f"/goals/{world.goals['a']}", fields, action=path)
        submit(
            as_person(app, world, "board_only"),
            f"/goals/{world.goals['a']}",
            fields,
            action=path,
        )
    submit(
        as_person(app, world, "patient"),
        f"/goals/{goal_id}",
        {"decision": "accept"},
        action=f"/goals/{goal_id}/suggestion",
    )
    with app.app_context():
        # Someone else's words in every kind of row the member also writes.
        other, clinician = world.people["other_member"].id, world.people["clinician"].id
        for author in (me, other):
            circle = world.circles["a" if author == me else "b"]
            goal = world.goals["a" if author == me else "b"]
            question = Question(asker_id=author, title="placeholder", body="placeholder")
            db.session.add_all(
                [
                    Encouragement(goal_id=goal, author_id=author, body="placeholder"),
                    HelpOffer(goal_id=goal, author_id=author, body="placeholder"),
                    Observation(circle_id=circle, author_id=author, note="placeholder"),
                    question,
                ]
            )
            db.session.flush()
            db.session.add(Answer(question_id=question.id, clinician_id=clinician, body="x" * 20))
        db.session.flush()
        for table in db.metadata.sorted_tables:
            text_columns = [
                c.name
                for c in table.columns
                if isinstance(c.type, String | Text)
                and not c.primary_key
                and not c.foreign_keys
                and c.name not in {"email", "password_hash", "token_hash", "roles", "status"}
                and (c.type.length or 100) >= 10
            ]
            if not text_columns:
                continue
            lengths = {c: table.c[c].type.length or 1000 for c in text_columns}
            rows = db.session.execute(table.select()).mappings().all()
            for row in rows:
                own = _written_by(table.name, row, me)
                values = {
                    c: f"{MINE if c in own else OTHERS} {table.name}.{c}"[: lengths[c]]
                    for c in text_columns
                }
                key = {c.name: row[c.name] for c in table.primary_key.columns}
                db.session.execute(
                    table.update().where(*(table.c[k] == v for k, v in key.items())).values(values)
                )
        db.session.commit()


OWNER_COLUMNS = ("user_id", "author_id", "asker_id", "taken_by_id", "clinician_id", "actor_id")


def _written_by(table: str, row: Any, me: int) -> set[str]:
    """Which text columns of this row the member wrote themselves."""
    if table == "users":
        return {"display_name", "credentials", "totp_secret"} if row["id"] == me else set()
    if table == "goals":
        return {"suggested_title", "suggested_why"} if row["suggested_by_id"] == me else set()
    if any(row.get(column) == me for column in OWNER_COLUMNS):
        return set(row.keys())
    return set()


def test_the_export_walks_every_table_it_reads_and_holds_nothing_of_others(app, world):
    fill_every_text_column(app, world)
    tables_read: set[str] = set()

    def remember(conn, cursor, statement, parameters, context, executemany):
        if context is not None and context.compiled is not None:
            for table in getattr(context.compiled, "statement", None).get_final_froms():
                tables_read.add(getattr(table, "name", ""))

    with app.app_context():
        me = db.session.get(User, world.people["full"].id)
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            text = json.dumps(collect(me))
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        assert OTHERS not in text, [w for w in text.split('"') if OTHERS in w][:10]
        assert f"{MINE} goals.suggested_title" in text
        assert f"{MINE} encouragements.body" in text
        assert f"{MINE} help_offers.body" in text
        # Every table the export read held someone else's words, so the check above covered it.
        covered = {
            table.name
            for table in db.metadata.sorted_tables
            if any(
                OTHERS in str(value)
                for row in db.session.execute(table.select()).all()
                for value in row
            )
        }
    with_text = {
        t.name
        for t in db.metadata.sorted_tables
        if any(isinstance(c.type, String | Text) for c in t.columns)
    }
    untested = (tables_read & with_text) - covered - {"users", "care_circles"}
    assert not untested, f"tables the export reads that hold nobody else's words: {untested}"
    assert {"goals", "encouragements", "help_offers"} <= tables_read


def test_a_patients_export_holds_their_own_circle_and_no_other(app, world):
    fill_every_text_column(app, world)
    with app.app_context():
        patient = db.session.get(User, world.people["patient"].id)
        data = collect(patient)
        other = db.session.get(CareCircle, world.circles["b"])
        assert other is not None
    text = json.dumps(data)
    assert "Secret goal of circle b" not in text
    assert data["my_circle"]["goals"]
