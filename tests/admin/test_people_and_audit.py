"""Admins manage roles and read the audit log; every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, signed_in, submit


def test_admin_gives_a_clinician_the_moderator_role(app, admin, clinician):
    client = signed_in(app, admin.email, PASSWORD)
    url = f"/admin/people/{clinician.id}"
    response = submit(client, url, {"clinician": "y", "moderator": "y", "active": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, clinician.id).role_set == {"clinician", "moderator"}
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.roles_changed")
        ).one()
        assert (event.actor_id, event.target_id) == (admin.id, clinician.id)
        assert event.detail == "clinician -> clinician moderator"


def test_deactivating_signs_the_person_out(app, admin, family):
    member = signed_in(app, family.email, PASSWORD)
    client = signed_in(app, admin.email, PASSWORD)
    submit(client, f"/admin/people/{family.id}", {"family": "y"})
    assert member.get("/account").status_code == 302
    with app.app_context():
        assert db.session.get(User, family.id).active is False


def test_admin_cannot_lock_themselves_out(app, admin):
    client = signed_in(app, admin.email, PASSWORD)
    response = submit(client, f"/admin/people/{admin.id}", {"clinician": "y", "active": "y"})
    assert response.status_code == 422
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).role_set == {"admin"}


def test_no_roles_is_refused(app, admin, family):
    client = signed_in(app, admin.email, PASSWORD)
    response = submit(client, f"/admin/people/{family.id}", {"active": "y"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, family.id).role_set == {"family"}


def test_unknown_person_is_404(app, admin):
    assert signed_in(app, admin.email, PASSWORD).get("/admin/people/9999").status_code == 404


def test_audit_log_filters_by_person_and_action(app, admin, family, clinician):
    sign_in(app.test_client(), family.email, "wrong password 123")
    signed_in(app, family.email, PASSWORD)
    signed_in(app, clinician.email, PASSWORD)
    client = signed_in(app, admin.email, PASSWORD)
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert everything.count("<tr>") >= 5
    by_family = client.get("/admin/audit?person=family@example").get_data(as_text=True)
    assert "Fran Family" in by_family
    assert "Dr. Cal Clinician" not in by_family
    failures = client.get("/admin/audit?action=auth.sign_in_failed").get_data(as_text=True)
    assert "Sign-in failed" in failures
    assert failures.count("<tr>") == 2  # the header row and the one failure


def test_audit_log_is_paginated(app, admin):
    from portal.audit.log import record

    with app.app_context():
        for _ in range(60):
            record("auth.sign_out", actor=db.session.get(User, admin.id))
        db.session.commit()
    client = signed_in(app, admin.email, PASSWORD)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get("/admin/audit?page=2").get_data(as_text=True)


def test_people_list_and_search(app, admin, family, clinician):
    client = signed_in(app, admin.email, PASSWORD)
    page = client.get("/admin/people?q=clinician").get_data(as_text=True)
    assert "Dr. Cal Clinician" in page
    assert "Fran Family" not in page


def test_non_admins_do_not_see_admin_links(app, clinician):
    page = signed_in(app, clinician.email, PASSWORD).get("/").get_data(as_text=True)
    assert "/admin/audit" not in page
    assert "/admin/people" not in page
