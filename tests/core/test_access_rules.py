"""Walk the URL map: every endpoint has an access rule, and the rule holds for real requests."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.core.access import rule_for
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in


def sample_value(converter: object) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "sample"


def concrete_urls(app: Flask):
    """Each rule with sample arguments, and the methods it answers (besides HEAD/OPTIONS)."""
    for rule in app.url_map.iter_rules():
        arguments = {name: sample_value(converter) for name, converter in rule._converters.items()}
        url = rule.build(arguments)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_endpoint_has_an_access_rule(app):
    missing = [r.endpoint for r in app.url_map.iter_rules() if rule_for(app, r.endpoint) is None]
    assert missing == [], f"endpoints without an access rule: {missing}"


def test_non_public_endpoints_refuse_the_signed_out(app):
    client = app.test_client()
    checked = 0
    for endpoint, method, url in concrete_urls(app):
        if rule_for(app, endpoint).public:
            continue
        response = client.open(url, method=method)
        checked += 1
        if method == "GET":
            assert response.status_code == 302, (endpoint, response.status_code)
            assert response.headers["Location"].startswith("/login"), endpoint
        else:  # a POST from outside has no CSRF token and no session: refused either way
            assert response.status_code in {302, 400}, (endpoint, response.status_code)
    assert checked >= 4


@pytest.mark.parametrize(
    "roles", ["family", "patient", "clinician", "moderator", "clinician moderator"]
)
def test_staff_areas_refuse_everyone_else(app, make_user, roles):
    person = make_user(roles)
    client = app.test_client()
    sign_in(client, person.email, PASSWORD)
    restricted = [
        (endpoint, method, url)
        for endpoint, method, url in concrete_urls(app)
        if rule_for(app, endpoint).roles
        and not (rule_for(app, endpoint).roles & set(roles.split()))
    ]
    assert restricted, "expected some role-restricted endpoints"
    for endpoint, method, url in restricted:
        if method != "GET":
            continue
        assert client.get(url).status_code == 403, endpoint


def test_unruled_endpoint_is_refused(app):
    @app.get("/forgot-to-decide")
    def forgot_to_decide() -> str:
        return "secret"

    response = app.test_client().get("/forgot-to-decide")
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
