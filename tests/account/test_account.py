"""The person's control of their own account: sessions and a download of their data."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def test_sessions_are_listed_and_others_can_be_signed_out(app, world):
    phone = as_person(app, world, "full", agent="Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile")
    laptop = as_person(app, world, "full", agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Android" in page
    assert "Chrome on Linux" in page
    assert "this device" in page
    response = submit(laptop, "/account", {}, action="/account/sessions/end-others")
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302  # signed out
    assert laptop.get("/account").status_code == 200
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_out_everywhere")
        ).one()
        assert event.detail == "1 other sessions"


def test_export_holds_what_the_person_wrote_and_nothing_of_others(app, world):
    member = as_person(app, world, "full")
    goal_url = f"/goals/{world.goals['a']}"
    submit(
        member, goal_url, {"msg-body": "You are doing great"}, action=f"{goal_url}/encouragement"
    )
    submit(
        as_person(app, world, "board_only"),
        goal_url,
        {"offer-body": "Board-only's offer"},
        action=f"{goal_url}/offers",
    )
    response = submit(member, "/account", {}, action="/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("recovery-circle-data.json"))
    assert data["profile"]["email"] == world.people["full"].email
    assert [e["body"] for e in data["encouragement_written"]] == ["You are doing great"]
    assert "Board-only's offer" not in json.dumps(data)
    assert data["memberships"][0]["can_see_board"] is True
    assert any(e["action"] == "auth.sign_in" for e in data["audit_entries"])


def test_a_patient_export_includes_their_circle_and_board(app, world):
    patient = as_person(app, world, "patient")
    response = submit(patient, "/account", {}, action="/account/export")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("recovery-circle-data.json"))
    assert data["my_circle"]["card_what_helps"] == "Secret card of circle a"
    assert [g["title"] for g in data["my_circle"]["goals"]] == ["Secret goal of circle a"]
    assert "Secret goal of circle b" not in json.dumps(data)


def test_export_needs_a_form_token(app, world):
    member = as_person(app, world, "full")
    assert member.post("/account/export").status_code == 400


def test_a_family_member_deletes_their_account(app, world):
    member = as_person(app, world, "full")
    goal_url = f"/goals/{world.goals['a']}"
    submit(
        member, goal_url, {"msg-body": "You are doing great"}, action=f"{goal_url}/encouragement"
    )
    submit(
        member,
        "/qa/ask",
        {"title": "A pending question of mine", "sharing": "shared", "action": "send"},
    )
    refused = submit(member, "/account/delete", {"password": "wrong password", "understand": "y"})
    assert refused.status_code == 422
    response = submit(member, "/account/delete", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 302
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert sign_in(app.test_client(), world.people["full"].email, PASSWORD).status_code == 401
    page = as_person(app, world, "patient").get(goal_url).get_data(as_text=True)
    assert "<strong>A former member</strong>" in page
    assert "You are doing great" in page
    with app.app_context():
        from portal.auth.models import User
        from portal.circles.models import Membership
        from portal.qa.models import Question

        assert db.session.get(User, world.people["full"].id) is None
        assert db.session.get(Membership, world.memberships["full"]) is None
        assert db.session.scalars(select(Question)).all() == []
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.deleted")
        ).one()
        assert event.actor_id is None
        assert world.people["full"].email not in json.dumps(
            [e.detail for e in db.session.scalars(select(AuditEvent))]
        )


def test_a_patient_deletion_erases_their_circle_and_board(app, world):
    patient = as_person(app, world, "patient")
    assert (
        submit(patient, "/account/delete", {"password": PASSWORD, "understand": "y"}).status_code
        == 302
    )
    with app.app_context():
        from portal.circles.models import CareCircle, Invitation
        from portal.goals.models import Goal

        assert db.session.get(CareCircle, world.circles["a"]) is None
        assert db.session.get(Goal, world.goals["a"]) is None
        assert db.session.get(Invitation, world.invitations["a"]) is None
        assert db.session.get(CareCircle, world.circles["b"]) is not None
    member = as_person(app, world, "board_only")  # the relative keeps their account
    assert member.get(f"/circles/{world.circles['a']}").status_code == 404


def test_the_last_admin_cannot_delete_themselves(app, world):
    admin = as_person(app, world, "admin")
    response = submit(admin, "/account/delete", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 422
    assert "only administrator" in response.get_data(as_text=True)
