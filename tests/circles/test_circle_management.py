"""The patient stays in control: permissions, removal, consent, sharing, card, access log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from portal.audit.models import AuditEvent
from portal.circles.models import AccessLogEntry, CareCircle, Membership
from portal.extensions import db
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def membership(app, world, name) -> Membership:
    with app.app_context():
        row = db.session.get(Membership, world.memberships[name])
        db.session.expunge(row)
        return row


def change_permissions(client, world, name, version, **fields):
    data = {**{k: "y" for k, v in fields.items() if v}, "version": str(version)}
    return submit(
        client, "/circle", data, action=f"/circle/members/{world.memberships[name]}/permissions"
    )


def test_circle_page_lists_members_with_coarse_activity(app, world):
    page = as_person(app, world, "patient").get("/circle").get_data(as_text=True)
    for name in ("Full", "Board_Only", "Timeline_Only", "Course_Only", "Lapsed"):
        assert name in page
    assert "Last active: Not yet" in page
    assert "Other_Member" not in page  # another circle's member


def test_narrowing_a_permission_takes_effect_on_the_next_request(app, world):
    member = as_person(app, world, "full")
    circle_url = f"/circles/{world.circles['a']}"
    assert "Secret card of circle a" in member.get(circle_url).get_data(as_text=True)
    patient = as_person(app, world, "patient")
    version = membership(app, world, "full").version
    response = change_permissions(patient, world, "full", version, see_timeline=True)
    assert response.status_code == 302
    page = member.get(circle_url).get_data(as_text=True)
    assert "Secret card of circle a" not in page
    assert "Treatment timeline: <strong>shared</strong>" in page
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "circle.permissions_changed")
        ).one()
        assert event.detail == "board+encourage+timeline -> timeline"


def test_encourage_needs_the_board(app, world):
    patient = as_person(app, world, "patient")
    version = membership(app, world, "course_only").version
    response = change_permissions(patient, world, "course_only", version, encourage=True)
    assert response.status_code == 422
    assert "also need to see your goal board" in response.get_data(as_text=True)
    assert membership(app, world, "course_only").can_encourage is False


def test_a_stale_permissions_form_is_a_conflict_not_an_overwrite(app, world):
    patient = as_person(app, world, "patient")
    stale = membership(app, world, "full").version
    assert change_permissions(patient, world, "full", stale, see_board=True).status_code == 302
    second = change_permissions(
        patient, world, "full", stale, see_board=True, see_timeline=True, encourage=True
    )
    assert second.status_code == 409
    assert "changed in another window" in second.get_data(as_text=True)
    row = membership(app, world, "full")
    assert (row.can_see_board, row.can_encourage, row.can_see_timeline) == (True, False, False)


def test_removing_a_member_takes_everything_of_the_patients_away(app, world, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    member = as_person(app, world, "full")
    patient = as_person(app, world, "patient")
    url = f"/circle/members/{world.memberships['full']}/remove"
    assert "Remove Full from your circle?" in patient.get(url).get_data(as_text=True)
    assert submit(patient, url, {}).status_code == 302
    assert member.get(f"/circles/{world.circles['a']}").status_code == 404
    assert member.get("/account").status_code == 200  # they keep their account
    assert smtp_server.mailbox.messages == []  # and are not emailed
    assert "Full" in patient.get("/circle").get_data(as_text=True)  # listed as former


def test_lapsed_consent_is_course_only_and_the_patient_is_asked(app, world):
    lapsed = as_person(app, world, "lapsed")
    page = lapsed.get(f"/circles/{world.circles['a']}").get_data(as_text=True)
    assert "Secret card of circle a" not in page
    assert "Goal board and support card: <strong>not shared</strong>" in page
    assert "consent" not in page.lower()  # the member is not told why
    patient = as_person(app, world, "patient")
    circle_page = patient.get("/circle").get_data(as_text=True)
    assert "Please check who sees what" in circle_page
    assert "paused until you confirm" in circle_page
    version = membership(app, world, "lapsed").version
    response = submit(
        patient,
        "/circle",
        {"version": str(version)},
        action=f"/circle/members/{world.memberships['lapsed']}/confirm",
    )
    assert response.status_code == 302
    assert "Secret card of circle a" in lapsed.get(f"/circles/{world.circles['a']}").get_data(
        as_text=True
    )


def test_banner_warns_a_month_before_consent_lapses(app, world):
    with app.app_context():
        row = db.session.get(Membership, world.memberships["board_only"])
        row.consent_expires_at = row.joined_at + timedelta(days=10)
        db.session.commit()
    page = as_person(app, world, "patient").get("/circle").get_data(as_text=True)
    assert "Please check who sees what" in page
    assert "Board_Only</a> (by" in page


def test_care_team_sees_nothing_until_the_patient_shares(app, world):
    clinician = as_person(app, world, "clinician")
    url = f"/circles/{world.circles['a']}"
    assert clinician.get(url).status_code == 404
    patient = as_person(app, world, "patient")
    assert submit(patient, "/circle", {"share": "y"}, action="/circle/sharing").status_code == 302
    assert "Secret card of circle a" in clinician.get(url).get_data(as_text=True)
    assert as_person(app, world, "moderator").get(url).status_code == 404
    with app.app_context():
        assert db.session.get(CareCircle, world.circles["a"]).share_with_care_team is True
        assert (
            db.session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "circle.care_team_sharing")
            ).one()
            == "on"
        )


def test_preview_shows_exactly_what_the_member_sees(app, world):
    patient = as_person(app, world, "patient")
    for name, sees_card in (("board_only", True), ("timeline_only", False), ("lapsed", False)):
        preview = patient.get(f"/circle/members/{world.memberships[name]}/preview")
        assert preview.status_code == 200
        text = preview.get_data(as_text=True)
        assert ("Secret card of circle a" in text) is sees_card
        assert "this is exactly what" in text
        assert "<form" not in text.split('id="main"')[1].split("</main>")[0]  # read-only


def test_support_card_is_sanitised_and_conflicts_keep_the_text(app, world):
    patient = as_person(app, world, "patient")
    page = patient.get("/circle/support-card").get_data(as_text=True)
    token = csrf_token(page)
    with app.app_context():
        version = db.session.get(CareCircle, world.circles["a"]).card_version
    first = patient.post(
        "/circle/support-card",
        data={
            "csrf_token": token,
            "version": version,
            "card_what_helps": "**Walks** <script>alert(1)</script>",
        },
    )
    assert first.status_code == 302
    member = as_person(app, world, "board_only")
    card = member.get(f"/circles/{world.circles['a']}").get_data(as_text=True)
    assert "<strong>Walks</strong>" in card
    assert "<script>alert" not in card
    stale = patient.post(
        "/circle/support-card",
        data={"csrf_token": token, "version": version, "card_what_helps": "My newer words"},
    )
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "My newer words" in text  # the writer's text is kept
    assert "changed in another window" in text
    with app.app_context():
        assert "Walks" in db.session.get(CareCircle, world.circles["a"]).card_what_helps


def test_support_card_length_is_bounded(app, world):
    patient = as_person(app, world, "patient")
    response = submit(
        patient, "/circle/support-card", {"version": "0", "card_what_helps": "x" * 2001}
    )
    assert response.status_code == 422
    assert "under 2000 characters" in response.get_data(as_text=True)


def test_access_log_records_views_to_the_hour(app, world):
    member = as_person(app, world, "board_only")
    for _ in range(3):
        member.get(f"/circles/{world.circles['a']}")
    as_person(app, world, "timeline_only").get(f"/circles/{world.circles['a']}")  # no card access
    with app.app_context():
        rows = db.session.scalars(select(AccessLogEntry)).all()
        assert [(r.viewer_id, r.what) for r in rows] == [
            (world.people["board_only"].id, "support_card")
        ]
    page = as_person(app, world, "patient").get("/circle/access-log").get_data(as_text=True)
    assert "Board_Only" in page
    assert "Support card" in page


def test_goal_pages_treatment_days_and_the_dashboard_timeline_are_logged(app, world):
    """The outside audit found these views missing from the patient's access log."""
    with app.app_context():
        from portal.learning.models import RecoveryTimeline

        db.session.add(
            RecoveryTimeline(circle_id=world.circles["a"], treatment_started_on=date(2026, 11, 1))
        )
        db.session.commit()
    member = as_person(app, world, "full")
    assert member.get(f"/goals/{world.goals['a']}").status_code == 200
    assert member.get(f"/circles/{world.circles['a']}/treatment-days").status_code == 200
    assert member.get("/").status_code == 200
    with app.app_context():
        seen = {
            r.what
            for r in db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.viewer_id == world.people["full"].id)
            )
        }
    assert {"board", "treatment_days", "timeline"} <= seen
    page = as_person(app, world, "patient").get("/circle/access-log").get_data(as_text=True)
    assert "Treatment days" in page


def test_reading_all_evening_writes_the_access_log_once_an_hour(app, world):
    member = as_person(app, world, "board_only")
    card = f"/circles/{world.circles['a']}"
    member.get(card)  # writes this hour's row
    written: list[str] = []

    def note(conn, cursor, statement, *rest):
        if "access_log_entries" in statement:
            written.append(statement.split()[0])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    try:
        for _ in range(4):
            assert member.get(card).status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
    # The first view wrote this hour's row; once it was committed the worker remembered it.
    assert written == []


def test_the_dashboard_card_counts_as_a_view(app, world):
    as_person(app, world, "board_only").get("/")
    as_person(app, world, "course_only").get("/")
    with app.app_context():
        rows = db.session.scalars(select(AccessLogEntry)).all()
        assert [(r.viewer_id, r.what) for r in rows] == [
            (world.people["board_only"].id, "support_card")
        ]


def test_old_access_log_entries_are_dropped(app, world):
    from portal.db import utcnow

    with app.app_context():
        db.session.add(
            AccessLogEntry(
                circle_id=world.circles["a"],
                viewer_id=world.people["full"].id,
                what="board",
                hour=utcnow() - timedelta(days=91),
            )
        )
        db.session.commit()
    as_person(app, world, "board_only").get(f"/circles/{world.circles['a']}")
    with app.app_context():
        assert {r.what for r in db.session.scalars(select(AccessLogEntry))} == {"support_card"}


def test_a_person_in_two_circles_switches_between_them(app, world):
    with app.app_context():
        from portal.db import utcnow

        db.session.add(
            Membership(
                circle_id=world.circles["b"],
                user_id=world.people["full"].id,
                relationship_kind="friend",
                can_see_board=True,
                consent_expires_at=utcnow() + timedelta(days=30),
            )
        )
        db.session.commit()
    member = as_person(app, world, "full")
    home = member.get("/").get_data(as_text=True)
    assert "You are supporting <strong>Pat</strong>" in home
    assert "Switch circle" in home
    response = submit(member, "/circles", {}, action=f"/circles/{world.circles['b']}/switch")
    assert response.status_code == 302
    home = member.get("/").get_data(as_text=True)
    assert "You are supporting <strong>Oli</strong>" in home
    assert "Secret card of circle b" in home


def test_denied_attempts_on_another_circle_are_audited(app, world):
    other = as_person(app, world, "other_patient")
    assert other.get(f"/circle/members/{world.memberships['full']}/preview").status_code == 404
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.denied")
        ).one()
        assert event.actor_id == world.people["other_patient"].id
        assert (event.target_type, event.target_id) == ("membership", world.memberships["full"])
