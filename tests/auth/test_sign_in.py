"""Sign-in, sign-out and server-side sessions, as a person and as an attacker would see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User, UserSession
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.fixtures.forms import csrf_token, sign_in, sign_out, submit


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_with_the_real_form_opens_the_dashboard(client, family, app):
    response = sign_in(client, "  Family@Example.TEST ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Fran Family" in page
    assert "auth.sign_in" in audit_actions(app)


def test_unknown_email_and_wrong_password_get_the_same_answer(client, family):
    wrong = sign_in(client, family.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account we can sign in."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_failed_sign_ins_are_audited_without_the_typed_address(client, family, app):
    sign_in(client, "someone@example.test", "wrong password here")
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
        ).one()
    assert "someone@example.test" not in event.detail
    assert event.actor_id is None


def test_account_lockout_holds_in_the_database_across_clients(app, family):
    # Each attempt comes from a fresh client (as if from different workers or addresses).
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(app.test_client(), family.email, "wrong password 123").status_code == 401
    locked = sign_in(app.test_client(), family.email, PASSWORD)
    assert locked.status_code == 429
    assert "sign-in is paused" in locked.get_data(as_text=True)
    assert "auth.sign_in_locked" in audit_actions(app)


def test_lockout_treats_unknown_addresses_the_same(app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(app.test_client(), "ghost@example.test", "wrong password 123")
    assert sign_in(app.test_client(), "ghost@example.test", "x" * 12).status_code == 429


def test_sign_in_is_rate_limited_per_address(app, family):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    responses = [sign_in(client, f"p{n}@example.test", "wrong password 123") for n in range(4)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    assert "Please wait a moment" in responses[-1].get_data(as_text=True)


@pytest.mark.parametrize("hops", [0, 1])
def test_limits_count_the_visitor_behind_a_trusted_proxy_and_no_one_else(tmp_path, hops):
    """Behind one proxy, each visitor has their own bucket; with none, a forged header counts
    for nothing."""
    from portal import create_app
    from tests.conftest import settings_for

    settings = settings_for(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path)
    app = create_app({**settings, "TRUSTED_PROXY_HOPS": hops, "LOGIN_RATE_LIMIT": "2 per minute"})

    def attempt(address: str) -> int:
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        return sign_in(client, "nobody@example.test", "wrong password 123").status_code

    with app.app_context():
        from portal.extensions import db

        db.create_all()
    first = [attempt("203.0.113.9") for _ in range(3)]
    other = attempt("198.51.100.7")
    assert first == [401, 401, 429]
    # Trusted: another visitor is not locked out. Untrusted: the forged address changes nothing.
    assert other == (401 if hops else 429)


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, family, app):
    response = client.post("/login", data={"email": family.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This page expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_sign_out_makes_a_replayed_cookie_useless(app, family):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    stolen = client.get_cookie("session")
    assert stolen is not None
    response = sign_out(client)
    assert response.status_code == 302
    assert "cookies" in response.headers["Clear-Site-Data"]
    attacker = app.test_client()
    attacker.set_cookie("session", stolen.value)
    replay = attacker.get("/account")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/login")


def test_sign_out_is_post_only(client, family):
    sign_in(client, family.email, PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_session_cookie_carries_nothing_personal(app, client, family):
    sign_in(client, family.email, PASSWORD)
    cookie = client.get_cookie("session")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(cookie.value)
    assert set(data) <= {
        "_user_id",
        "_fresh",
        "_permanent",
        "sid",
        "seen",
        "csrf_token",
        "_flashes",
    }
    assert family.email not in cookie.value
    assert "_id" not in data


def test_sign_in_renews_the_session(app, family):
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    sign_in(client, family.email, PASSWORD)
    assert client.get_cookie("session").value != before


def test_password_change_ends_every_other_session(app, family):
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, family.email, PASSWORD)
    sign_in(laptop, family.email, PASSWORD)
    response = submit(
        laptop,
        "/account",
        {
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
        action="/account/password",
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # the browser that changed it stays in
    assert phone.get("/account").status_code == 302
    assert "auth.password_changed" in audit_actions(app)


def test_wrong_current_password_changes_nothing(app, client, family):
    sign_in(client, family.email, PASSWORD)
    response = submit(
        client,
        "/account",
        {
            "current_password": "not my password",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
        action="/account/password",
    )
    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 302


def test_deactivation_ends_sessions_at_once(app, family):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    with app.app_context():
        db.session.get(User, family.id).active = False
        db.session.commit()
    assert client.get("/account").status_code == 302
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 401


def test_idle_session_expires(app, client, family):
    sign_in(client, family.email, PASSWORD)
    with client.session_transaction() as session:
        session["seen"] -= int(app.config["SESSION_IDLE_MEMBER"].total_seconds()) + 5
    assert client.get("/account").status_code == 302
    with app.app_context():
        row = db.session.scalars(select(UserSession)).one()
        assert row.ended_at is not None


def test_staff_idle_limit_is_shorter(app, client, clinician, family):
    idle = int(app.config["SESSION_IDLE_STAFF"].total_seconds()) + 5
    assert app.config["SESSION_IDLE_STAFF"] < app.config["SESSION_IDLE_MEMBER"]
    sign_in(client, clinician.email, PASSWORD)
    with client.session_transaction() as session:
        session["seen"] -= idle
    assert client.get("/account").status_code == 302
    member = app.test_client()
    sign_in(member, family.email, PASSWORD)
    with member.session_transaction() as session:
        session["seen"] -= idle
    assert member.get("/account").status_code == 200


def test_absolute_limit_ends_even_an_active_session(app, client, family):
    sign_in(client, family.email, PASSWORD)
    with app.app_context():
        row = db.session.scalars(select(UserSession)).one()
        row.created_at = row.created_at - app.config["SESSION_ABSOLUTE_MEMBER"] - timedelta(1)
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_remember_me_is_off_by_default_and_never_for_staff(app, family, clinician):
    plain = app.test_client()
    sign_in(plain, family.email, PASSWORD)
    assert plain.get_cookie("session").expires is None
    remembered = app.test_client()
    sign_in(remembered, family.email, PASSWORD, remember="y")
    assert remembered.get_cookie("session").expires is not None
    staff = app.test_client()
    sign_in(staff, clinician.email, PASSWORD, remember="y")
    assert staff.get_cookie("session").expires is None


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(client, family, target):
    response = submit(
        client,
        "/login",
        {"email": family.email, "password": PASSWORD},
        action="/login?next=" + target,
    )
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "evil.example" not in location.split("?")[0].lstrip("/").split("/")[0]


def test_next_keeps_a_local_path(client, family):
    response = submit(
        client,
        "/login",
        {"email": family.email, "password": PASSWORD},
        action="/login?next=/account",
    )
    assert response.headers["Location"] == "/account"


def test_signed_out_visitor_is_sent_to_sign_in_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_display_name_change(app, client, family):
    sign_in(client, family.email, PASSWORD)
    response = submit(
        client,
        "/account",
        {"display_name": "  Frances  "},
        action="/account/name",
        follow_redirects=True,
    )
    assert "Your name is saved." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, family.id).display_name == "Frances"
    empty = submit(client, "/account", {"display_name": "   "}, action="/account/name")
    assert empty.status_code == 422
    with app.app_context():
        assert db.session.get(User, family.id).display_name == "Frances"


def test_pages_behind_sign_in_are_not_cached(client, family):
    sign_in(client, family.email, PASSWORD)
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_csrf_token_helper_reads_the_real_form(client):
    assert len(csrf_token(client.get("/login").get_data(as_text=True))) > 20
