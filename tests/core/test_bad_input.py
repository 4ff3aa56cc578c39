"""Bad input gets a clear answer and changes nothing, never a 500: huge and odd values on every
route of the URL map, a request body over the limit, and a length limit on every text field."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.routing import AnyConverter, IntegerConverter
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length

import portal
from tests.conftest import PASSWORD
from tests.fixtures.forms import csrf_token, sign_in
from tests.fixtures.world import build_world, snapshot

HUGE_IDS = [2**63, 10**30]
ODD_QUERIES = ["?page=99999999999999999999999", "?page=-5", "?page=abc", "?page=1e9"]
ODD_FORM = {
    "version": "not-a-number",
    "expected_version": "9" * 40,
    "answer_id": "9" * 40,
    "page": "9" * 40,
    "original": "9" * 30,
    "step": "9" * 40,
    "decision": "accept",
}
ACTORS = ["admin", "clinician", "moderator", "patient", "full"]


def urls_with(app: Flask, number: int):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        arguments = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                arguments[name] = number
            elif isinstance(converter, AnyConverter):
                arguments[name] = sorted(converter.items)[0]
            else:
                arguments[name] = "x" * 300
        yield rule, rule.build(arguments)[1]


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
    return build_world(app, make_user)


@pytest.mark.parametrize("actor", ACTORS)
def test_huge_ids_odd_pages_and_garbage_forms_never_give_500(app, world, actor):
    client = app.test_client()
    sign_in(client, world.people[actor].email, PASSWORD)
    token = csrf_token(client.get("/account").get_data(as_text=True))
    form = {**ODD_FORM, "csrf_token": token}  # a real token, so the views handle the values
    before = snapshot(app)
    failures = []
    for number in HUGE_IDS:
        for rule, url in urls_with(app, number):
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            for method in methods:
                if rule.endpoint in ("auth.logout", "account.delete_account"):
                    continue
                for query in ODD_QUERIES if method == "GET" else [""]:
                    response = client.open(url + query, method=method, data=form)
                    if response.status_code >= 500:
                        failures.append(f"{method} {url}{query} -> {response.status_code}")
    for rule, url in urls_with(app, 1):
        if "GET" in (rule.methods or set()):
            for query in ODD_QUERIES:
                response = client.get(url + query)
                if response.status_code >= 500:
                    failures.append(f"GET {url}{query} -> {response.status_code}")
    assert not failures, "\n".join(failures[:30])
    assert snapshot(app) == before


def test_a_request_body_over_the_limit_is_refused_kindly_and_changes_nothing(app, world):
    client = app.test_client()
    sign_in(client, world.people["full"].email, PASSWORD)
    before = snapshot(app)
    goal = world.goals["a"]
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/goals/{goal}/encouragement", data={"msg-body": big})
    assert response.status_code == 413
    assert "too long to send" in response.get_data(as_text=True)
    assert snapshot(app) == before


def _forms():
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if not module.name.endswith(".forms"):
            continue
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, FlaskForm)
                and value.__module__ == loaded.__name__
            ):
                yield f"{module.name}.{name}", value


def test_every_text_field_has_a_length_limit(app):
    missing = []
    with app.test_request_context():
        for name, form_class in _forms():
            for field in form_class(meta={"csrf": False}):
                if not isinstance(field, StringField | TextAreaField) or isinstance(
                    field, HiddenField | PasswordField
                ):
                    continue  # hidden values are parsed (core.forms.parse_version), not shown
                if not any(isinstance(v, Length) and (v.max or 0) > 0 for v in field.validators):
                    missing.append(f"{name}.{field.name}")
    assert not missing, f"text fields without a maximum length: {missing}"
