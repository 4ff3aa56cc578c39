"""Headers every response carries, and pages that load nothing from anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError
from tests.conftest import PASSWORD, production_settings, settings_for
from tests.fixtures.forms import sign_in

PUBLIC_PAGES = ["/", "/login", "/help-now", "/about", "/forgot-password"]


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/no-such-page"])
def test_every_response_has_a_strict_policy(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert "http" not in csp  # no third-party origin anywhere
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_hsts_outside_development(tmp_path):
    settings = settings_for(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    app = create_app(settings)
    response = app.test_client().get("/help-now", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    dev = create_app({**settings, "PORTAL_ENV": "development"})
    dev_response = dev.test_client().get("/help-now", base_url="https://localhost")
    assert "Strict-Transport-Security" not in dev_response.headers


def test_production_refuses_to_start_without_a_secret_key(tmp_path, redis_url):
    settings = production_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, redis_url)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({**settings, "SECRET_KEY": "dev-only-not-secret"})


@pytest.mark.parametrize("base", [None, "", "http://127.0.0.1:5000", "http://circle.example"])
def test_production_refuses_to_start_without_its_public_https_address(tmp_path, redis_url, base):
    settings = production_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, redis_url)
    settings.pop("PUBLIC_BASE_URL")
    if base is not None:
        settings["PUBLIC_BASE_URL"] = base
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app(settings)


def test_production_refuses_rate_limits_each_worker_would_count_alone(tmp_path, redis_url):
    settings = production_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, redis_url)
    with pytest.raises(ConfigError, match=r"RATELIMIT_STORAGE_URI .* not memory://"):
        create_app({**settings, "RATELIMIT_STORAGE_URI": "memory://"})
    assert create_app(settings).config["RATELIMIT_STORAGE_URI"] == redis_url


def test_production_cookies_are_host_prefixed_and_secure(tmp_path, make_user, redis_url):
    settings = production_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, redis_url)
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    plain = app.test_client().get("/login", base_url="http://portal.example")
    assert plain.status_code == 302  # production sends plain HTTP to HTTPS
    assert plain.headers["Location"].startswith("https://")
    response = app.test_client().get("/login", base_url="https://portal.example")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_development_cookie_is_httponly_and_lax(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


THIRD_PARTY = re.compile(r'(?:src|href|action)="(?:https?:)?//(?!localhost)', re.IGNORECASE)


def test_pages_make_no_third_party_requests(client, family):
    for url in PUBLIC_PAGES:
        assert not THIRD_PARTY.search(client.get(url).get_data(as_text=True)), url
    sign_in(client, family.email, PASSWORD)
    for url in ["/", "/account"]:
        assert not THIRD_PARTY.search(client.get(url).get_data(as_text=True)), url


def test_static_assets_have_no_remote_urls():
    static = Path(__file__).resolve().parents[2] / "portal" / "static"
    for path in static.rglob("*"):
        if path.suffix in {".css", ".js"}:
            assert not re.search(r"https?://", path.read_text()), path


def test_templates_have_no_inline_scripts_or_styles():
    templates = Path(__file__).resolve().parents[2] / "portal" / "templates"
    for path in templates.rglob("*.html"):
        if "email" in path.parts:
            continue  # mail clients, not browsers under our CSP, read these
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert "<style" not in text, path
        assert " style=" not in text, path
