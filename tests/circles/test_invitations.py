"""Invitations: emailed single-use links, shown once, hashed at rest, accepted exactly once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.circles.models import Invitation, Membership
from portal.extensions import db
from portal.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, signed_in, submit

INVITE = {
    "name": "Riley",
    "email": "Riley@Example.test",
    "relationship": "sibling",
    "see_board": "y",
    "see_timeline": "y",
}


def invite(client, **changes):
    return submit(client, "/circle/invite", {**INVITE, **changes})


def link_path(text: str) -> str:
    match = re.search(r"http://localhost(/join/[A-Za-z0-9_\-]+)", text)
    assert match, "no invitation link"
    return match.group(1)


@pytest.fixture
def patient_circle(app, patient):
    with app.app_context():
        from portal.circles.services import ensure_circle

        circle = ensure_circle(db.session.get(User, patient.id))
        db.session.commit()
        return circle.id


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_patient_invites_and_a_new_person_joins(app, patient, patient_circle, mailbox):
    client = signed_in(app, patient.email, PASSWORD)
    response = invite(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invitation sent" in page
    shown = link_path(page)
    [message] = mailbox.to("riley@example.test")
    assert link_path(mailbox.text_of(message)) == shown
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert shown.rsplit("/", 1)[1] not in invitation.token_hash  # only a digest is kept
        assert invitation.expires_at is not None

    newcomer = app.test_client()
    form_page = newcomer.get(shown).get_data(as_text=True)
    assert 'value="riley@example.test" readonly' in form_page
    joined = submit(
        newcomer,
        shown,
        {
            "display_name": "Riley",
            "password": "riley's long pass",
            "confirm": "riley's long pass",
            "email": "evil@x.test",
        },
    )
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/circles/{patient_circle}"
    home = newcomer.get(joined.headers["Location"]).get_data(as_text=True)
    assert "<h1>Pat Patient's circle</h1>" in home, home[home.find("<main") :][:800]
    with app.app_context():
        riley = db.session.scalars(select(User).where(User.email == "riley@example.test")).one()
        assert riley.role_set == {"family"}
        membership = db.session.scalars(select(Membership)).one()
        assert (
            membership.can_see_board,
            membership.can_encourage,
            membership.can_see_timeline,
        ) == (True, False, True)
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.email == "evil@x.test")
            )
            == 0
        )
    assert "invitation.sent" in actions(app)
    assert "invitation.accepted" in actions(app)
    with app.app_context():  # told in the app; emailed as they chose (tests/notifications)
        assert db.session.scalars(
            select(Notification.message).where(Notification.user_id == patient.id)
        ).all() == ["Riley accepted your invitation"]
    assert newcomer.get(shown).status_code == 404  # single use


def test_existing_account_signs_in_then_confirms(app, patient, patient_circle, family, mailbox):
    client = signed_in(app, patient.email, PASSWORD)
    shown = link_path(invite(client, email=family.email).get_data(as_text=True))
    visitor = app.test_client()
    page = visitor.get(shown).get_data(as_text=True)
    assert "Sign in to accept" in page
    assert sign_in(visitor, family.email, PASSWORD).status_code == 302
    confirm = visitor.get(shown)
    assert "Accept the invitation" in confirm.get_data(as_text=True)
    assert submit(visitor, shown, {}).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Membership)).one().user_id == family.id


def test_someone_signed_in_with_another_email_cannot_accept(
    app, patient, patient_circle, make_user, mailbox
):
    client = signed_in(app, patient.email, PASSWORD)
    shown = link_path(invite(client).get_data(as_text=True))
    stranger = make_user("family")
    other = signed_in(app, stranger.email, PASSWORD)
    response = other.get(shown)
    assert response.status_code == 403
    assert "different email address" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_every_dead_link_gets_the_same_page(app, patient, patient_circle, mailbox, monkeypatch):
    client = signed_in(app, patient.email, PASSWORD)
    revoked = link_path(invite(client, email="a@example.test").get_data(as_text=True))
    with app.app_context():
        invitation_id = db.session.scalars(select(Invitation.id)).one()
    submit(client, "/circle", {}, action=f"/circle/invitations/{invitation_id}/revoke")
    expired = link_path(invite(client, email="b@example.test").get_data(as_text=True))
    with app.app_context():
        row = db.session.scalars(
            select(Invitation).where(Invitation.email == "b@example.test")
        ).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
        db.session.commit()
    visitor = app.test_client()
    pages = [visitor.get(url) for url in (revoked, expired, "/join/made-up-token")]
    assert {p.status_code for p in pages} == {404}
    bodies = {re.sub(r'name="csrf_token"[^>]*>', "", p.get_data(as_text=True)) for p in pages}
    assert len(bodies) == 1
    assert "This link no longer works" in bodies.pop()


def test_resending_kills_the_old_link(app, patient, patient_circle, mailbox):
    client = signed_in(app, patient.email, PASSWORD)
    first = link_path(invite(client).get_data(as_text=True))
    with app.app_context():
        invitation_id = db.session.scalars(select(Invitation.id)).one()
    resent = submit(client, "/circle", {}, action=f"/circle/invitations/{invitation_id}/resend")
    second = link_path(resent.get_data(as_text=True))
    assert second != first
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200
    assert len(mailbox.to("riley@example.test")) == 2
    assert "invitation.resent" in actions(app)


def test_duplicate_and_self_invitations_are_refused(app, patient, patient_circle, mailbox):
    client = signed_in(app, patient.email, PASSWORD)
    invite(client)
    again = invite(client)
    assert again.status_code == 422
    assert "already invited" in again.get_data(as_text=True)
    self_invite = invite(client, email=patient.email)
    assert "your own email" in self_invite.get_data(as_text=True)
    needs_board = invite(client, email="c@example.test", see_board="", encourage="y")
    assert "also need to see your goal board" in needs_board.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_pending_invitations_are_capped(app, patient, patient_circle, mailbox):
    app.config["INVITATION_PENDING_CAP"] = 2
    client = signed_in(app, patient.email, PASSWORD)
    invite(client, email="one@example.test")
    invite(client, email="two@example.test")
    third = invite(client, email="three@example.test")
    assert third.status_code == 422
    assert "2 invitations waiting" in third.get_data(as_text=True)


def test_sending_is_rate_limited(app, patient, patient_circle, mailbox):
    app.config["INVITATION_RATE_LIMIT"] = "2 per hour"
    client = signed_in(app, patient.email, PASSWORD)
    statuses = [invite(client, email=f"n{n}@example.test").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_two_acceptances_at_once_have_one_winner(app, patient, patient_circle, family, mailbox):
    from portal.circles import services

    client = signed_in(app, patient.email, PASSWORD)
    invite(client, email=family.email)
    with app.test_request_context(method="POST"):
        invitation = db.session.scalars(select(Invitation)).one()
        person = db.session.get(User, family.id)
        services.accept(invitation, person)
        db.session.commit()
        # A second worker read the row before the first one won: its copy still says pending.
        set_committed_value(invitation, "status", "pending")
        with pytest.raises(services.CircleError, match="already been used"):
            services.accept(invitation, person)
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_admin_invites_a_clinician_and_clinician_invites_a_patient(app, admin, mailbox):
    client = signed_in(app, admin.email, PASSWORD)
    sent = submit(
        client, "/invitations", {"name": "Cleo", "email": "cleo@example.test", "role": "clinician"}
    )
    link = link_path(sent.get_data(as_text=True))
    cleo = app.test_client()
    submit(
        cleo,
        link,
        {
            "display_name": "Dr. Cleo",
            "password": "cleo's long passphrase",
            "confirm": "cleo's long passphrase",
        },
    )
    assert "Invite patients" in cleo.get("/").get_data(as_text=True)

    refused = submit(
        cleo, "/invitations", {"name": "M", "email": "m@example.test", "role": "moderator"}
    )
    assert refused.status_code == 422
    sent = submit(
        cleo, "/invitations", {"name": "Pia", "email": "pia@example.test", "role": "patient"}
    )
    pia = app.test_client()
    submit(
        pia,
        link_path(sent.get_data(as_text=True)),
        {
            "display_name": "Pia",
            "password": "pia's long passphrase",
            "confirm": "pia's long passphrase",
        },
    )
    assert pia.get("/circle").status_code == 200  # a patient gets a circle on joining


def test_moderators_and_families_cannot_invite_staff(app, moderator, family):
    for person in (moderator, family):
        assert signed_in(app, person.email, PASSWORD).get("/invitations").status_code == 403


def test_staff_invitations_belong_to_their_sender(app, admin, make_user, mailbox):
    first, second = make_user("clinician"), make_user("clinician")
    sender = signed_in(app, first.email, PASSWORD)
    submit(sender, "/invitations", {"name": "Pia", "email": "pia@example.test", "role": "patient"})
    with app.app_context():
        invitation_id = db.session.scalars(select(Invitation.id)).one()
    intruder = signed_in(app, second.email, PASSWORD)
    refused = submit(intruder, "/invitations", {}, action=f"/invitations/{invitation_id}/revoke")
    assert refused.status_code == 404
    assert "Pia" not in intruder.get("/invitations").get_data(as_text=True)
    admin_client = signed_in(app, admin.email, PASSWORD)
    revoke = f"/invitations/{invitation_id}/revoke"
    allowed = submit(admin_client, "/invitations", {}, action=revoke)
    assert allowed.status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).status == "revoked"
