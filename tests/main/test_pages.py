"""Pages everyone shares: crisis help on every page, health check, friendly errors."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.core import access
from portal.extensions import db
from tests.conftest import PASSWORD, settings_for
from tests.fixtures.forms import sign_in


def test_crisis_page_needs_no_sign_in(client):
    page = client.get("/help-now").get_data(as_text=True)
    assert 'href="tel:988"' in page
    assert "Text HOME to 741741" in page
    assert 'href="tel:911"' in page


def test_crisis_page_always_has_the_spanish_lines_and_poison_help(client):
    page = client.get("/help-now").get_data(as_text=True)
    spanish = page[page.index('<section class="panel" lang="es"') :]
    spanish = spanish[: spanish.index("</section>")]
    assert "Llame al 988 y marque 2 para español" in spanish
    assert '<a href="sms:988?body=AYUDA"><strong>envíe AYUDA por mensaje de texto al 988' in spanish
    assert "Llame al 911 si alguien está en peligro inmediato" in spanish
    assert "Poison Help: 1-800-222-1222" in page
    assert 'href="tel:+18002221222"' in page


@pytest.mark.parametrize("url", ["/", "/login", "/about", "/no-such-page"])
def test_every_page_links_to_crisis_help_and_says_no_medical_advice(client, url):
    page = client.get(url).get_data(as_text=True)
    assert 'href="/help-now">Need help now?</a>' in page
    assert "It does not give medical advice." in page


def test_signed_in_pages_also_carry_the_crisis_link(client, family):
    sign_in(client, family.email, PASSWORD)
    assert 'href="/help-now">Need help now?</a>' in client.get("/account").get_data(as_text=True)


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_unreachable(app, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    client = app.test_client()
    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_healthz_with_a_database_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-dir" / "portal.sqlite3"
    app = create_app(settings_for(f"sqlite:///{missing}", tmp_path))
    assert app.test_client().get("/healthz").status_code == 503


def test_not_found_page_is_friendly(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_server_error_shows_no_stack_trace(app):
    @app.get("/boom")
    @access.public
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in text
    assert "secret internals" not in text
    assert "Traceback" not in text


def test_welcome_page_for_visitors_and_dashboard_for_people(client, family):
    assert "Sign in" in client.get("/").get_data(as_text=True)
    sign_in(client, family.email, PASSWORD)
    assert "Hello, Fran Family" in client.get("/").get_data(as_text=True)


def test_page_titles_are_plain_text(app, client, family):
    """A page title with markup in it means a template block went wrong."""
    import re

    sign_in(client, family.email, PASSWORD)
    for url in ("/", "/account", "/learn", "/qa", "/notifications", "/account/email"):
        title = re.search(r"<title>(.*?)</title>", client.get(url).get_data(as_text=True), re.S)
        assert title, url
        assert "<" not in title.group(1), url
        assert len(title.group(1)) < 120, url
