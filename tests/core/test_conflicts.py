"""A lost race on a versioned row is a conflict the person is told about, never a 500 and never
a silent overwrite."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from portal.core import access
from portal.core.versioning import flush_versioned
from portal.extensions import db
from portal.goals.models import Goal
from tests.fixtures.world import build_world


class LostRaceError(Exception):
    pass


def test_a_row_saved_elsewhere_since_it_was_read_raises_the_callers_conflict(app, make_user):
    world = build_world(app, make_user)
    with app.app_context():
        goal = db.session.get_one(Goal, world.goals["a"])
        db.session.expunge(goal)  # keeps what was read, as a request that has not written yet
        db.session.commit()
        # Another request saves the same goal between our read and our write.
        with db.engine.begin() as other:
            other.execute(
                update(Goal)
                .where(Goal.id == goal.id)
                .values(title="Theirs", version=Goal.version + 1)
            )
        goal = db.session.merge(goal, load=False)
        goal.title = "Mine"
        with pytest.raises(LostRaceError):
            flush_versioned(LostRaceError)
        db.session.rollback()
        assert db.session.get_one(Goal, world.goals["a"]).title == "Theirs"


def test_a_lost_race_that_reaches_the_top_is_a_409_page(app):
    @app.get("/test-lost-race")
    @access.public
    def lost_race() -> str:
        raise StaleDataError("UPDATE statement on table 'goals' expected to update 1 row(s)")

    reply = app.test_client().get("/test-lost-race")
    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert "Someone changed this a moment ago" in page
    assert "UPDATE statement" not in page
    assert 'href="tel:988"' in page  # crisis help stays one click away on error pages too
