"""Two-factor sign-in: set up with a real TOTP code, sign in with it, no replay, recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, submit


def enrol(app, client) -> tuple[str, list[str]]:
    submit(client, "/account/two-factor", {}, action="/account/two-factor/start")
    page = client.get("/account/two-factor/confirm").get_data(as_text=True)
    assert "<svg" in page  # the QR code is drawn on the server
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    done = submit(client, "/account/two-factor/confirm", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def second_step(client, code):
    return submit(client, "/login/two-factor", {"code": code})


@pytest.fixture
def enrolled(app, clinician):
    client = app.test_client()
    sign_in(client, clinician.email, PASSWORD)
    secret, codes = enrol(app, client)
    return secret, codes


def test_sign_in_needs_the_code_after_setup(app, clinician, enrolled):
    secret, _codes = enrolled
    client = app.test_client()
    first = sign_in(client, clinician.email, PASSWORD)
    assert first.headers["Location"].startswith("/login/two-factor")
    assert client.get("/account").status_code == 302  # not signed in yet
    wrong = second_step(client, "000000")
    assert wrong.status_code == 401
    # One step in the future avoids the code already used during setup.
    code = pyotp.TOTP(secret).at(utcnow().timestamp() + 30)
    assert second_step(client, code).status_code == 302
    assert client.get("/account").status_code == 200
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "auth.two_factor_enabled" in actions
    assert "auth.two_factor_failed" in actions


def test_a_code_cannot_be_replayed(app, clinician, enrolled):
    secret, _codes = enrolled
    code = pyotp.TOTP(secret).at(utcnow().timestamp() + 30)
    first = app.test_client()
    sign_in(first, clinician.email, PASSWORD)
    assert second_step(first, code).status_code == 302
    second = app.test_client()
    sign_in(second, clinician.email, PASSWORD)
    assert second_step(second, code).status_code == 401


def test_recovery_codes_work_once(app, clinician, enrolled):
    _secret, codes = enrolled
    first = app.test_client()
    sign_in(first, clinician.email, PASSWORD)
    assert second_step(first, codes[0]).status_code == 302
    again = app.test_client()
    sign_in(again, clinician.email, PASSWORD)
    assert second_step(again, codes[0]).status_code == 401


def test_wrong_codes_lock_the_account_for_a_while(app, clinician, enrolled):
    client = app.test_client()
    sign_in(client, clinician.email, PASSWORD)
    statuses = [
        second_step(client, "123456").status_code
        for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)
    ]
    assert statuses[-1] == 429


def test_a_wrong_setup_code_leaves_it_off(app, clinician):
    client = app.test_client()
    sign_in(client, clinician.email, PASSWORD)
    submit(client, "/account/two-factor", {}, action="/account/two-factor/start")
    refused = submit(client, "/account/two-factor/confirm", {"code": "000000"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(User, clinician.id).has_two_factor is False


def test_the_clinic_can_require_it_for_staff(app, clinician, family):
    app.config["REQUIRE_STAFF_TWO_FACTOR"] = True
    staff = app.test_client()
    sign_in(staff, clinician.email, PASSWORD)
    response = staff.get("/answers")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    assert staff.get("/help-now").status_code == 200
    member = app.test_client()
    sign_in(member, family.email, PASSWORD)
    assert member.get("/learn").status_code == 200


def test_production_requires_it_by_default(tmp_path, redis_url):
    from portal import create_app
    from tests.conftest import production_settings

    app = create_app(production_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, redis_url))
    assert app.config["REQUIRE_STAFF_TWO_FACTOR_DEFAULT"] is True
