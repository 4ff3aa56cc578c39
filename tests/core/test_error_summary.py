"""Forms people can fix: one error summary, drawn by base.html from what the field macro met,
is the first thing in <main> on every page with a form error; the title starts "Error: "; each
entry links to an element that exists (the first radio of a group); every field in error, radio
groups included, is marked aria-invalid and described by the message next to it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import ModuleStep
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, course_world


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


class Page(HTMLParser):
    """Every element's attributes by id, the page title, and the first element inside <main>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, tuple[str, dict[str, str]]] = {}
        self.title = ""
        self.first_in_main: tuple[str, dict[str, str]] | None = None
        self.summary_links: list[str] = []
        self._in_title = self._in_main = self._in_summary = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.by_id[attributes["id"]] = (tag, attributes)
        if tag == "title":
            self._in_title = True
        if self._in_main and self.first_in_main is None:
            self.first_in_main = (tag, attributes)
        if tag == "main":
            self._in_main = True
        if "error-summary" in attributes.get("class", "").split():
            self._in_summary = True
        if self._in_summary and tag == "a":
            self.summary_links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "div" and self._in_summary:  # the summary holds no other div
            self._in_summary = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_summary(html: str) -> Page:
    """The summary leads <main>, the title says Error, and every link has a real target."""
    page = Page(html)
    assert page.title.startswith("Error: "), page.title
    assert page.first_in_main is not None
    _tag, attributes = page.first_in_main
    assert "error-summary" in attributes.get("class", ""), page.first_in_main
    assert attributes.get("tabindex") == "-1"
    assert html.count('class="error-summary"') == 1  # one summary, at the top
    for href in page.summary_links:
        assert href.startswith("#"), href
        assert href[1:] in page.by_id, f"{href} points at nothing"
        assert page.by_id[href[1:]][0] in {"input", "select", "textarea"}, href
    return page


def described_by(page: Page, element_id: str) -> list[str]:
    return page.by_id[element_id][1].get("aria-describedby", "").split()


def test_offer_help_sent_empty_leads_with_the_summary(app, world):
    relative = as_person(app, world, "full")
    url = f"/goals/{world.goals['a']}"
    response = submit(relative, url, {"offer-body": "", "offer-step": "0"}, action=f"{url}/offers")
    assert response.status_code == 422
    page = check_summary(response.get_data(as_text=True))
    assert page.summary_links == ["#offer-body"]
    assert page.by_id["offer-body"][1].get("aria-invalid") == "true"
    assert "offer-body-error" in described_by(page, "offer-body")
    assert "offer-body-error" in page.by_id


def test_add_step_sent_empty_leads_with_the_summary(app, world):
    patient = as_person(app, world, "patient")
    url = f"/goals/{world.goals['a']}"
    response = submit(patient, url, {"step-text": ""}, action=f"{url}/steps")
    assert response.status_code == 422
    page = check_summary(response.get_data(as_text=True))
    assert page.summary_links == ["#step-text"]
    assert "step-text-error" in described_by(page, "step-text")


def _a_check_step(app):
    with app.app_context():
        step = db.session.scalars(
            select(ModuleStep).where(ModuleStep.kind == "check").order_by(ModuleStep.id)
        ).first()
        return f"/learn/{step.module.slug}/{step.slug}"


def test_a_course_check_sent_empty_links_to_its_radios(app, world):
    client = as_person(app, world, "full")
    url = _a_check_step(app)
    response = submit(client, url, {})
    assert response.status_code == 422
    page = check_summary(response.get_data(as_text=True))
    assert page.summary_links == ["#check-choice-0"]
    group = page.by_id["check-choice"]
    assert group[0] == "fieldset"
    assert group[1].get("aria-invalid") == "true"
    assert described_by(page, "check-choice") == ["check-choice-error"]
    assert page.by_id["check-choice-error"][0] == "p"
    html = response.get_data(as_text=True)
    fieldset = html[html.index('id="check-choice"') : html.index("</fieldset>")]
    assert 'id="check-choice-error"' in fieldset  # the message is next to the question


def test_how_am_i_doing_links_every_question(app, world):
    client = as_person(app, world, "full")
    response = submit(client, "/learn/check-in", {"tired": "4"})
    assert response.status_code == 422
    page = check_summary(response.get_data(as_text=True))
    names = ["worried", "alone", "confident", "know_what_to_say"]
    assert page.summary_links == [f"#{name}-0" for name in names]
    for name in names:
        assert page.by_id[name][0] == "fieldset"
        assert page.by_id[name][1].get("aria-invalid") == "true"
        assert described_by(page, name) == [f"{name}-error"]
    assert "aria-invalid" not in page.by_id["tired"][1]


def test_a_message_for_the_whole_form_is_in_the_summary(app, world):
    client = app.test_client()
    response = submit(client, "/login", {"email": "full@world.test", "password": "wrong one"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    check_summary(html)
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert "<p>That email and password do not match" in summary


FORMS = [
    # (who, page, action, data)
    ("full", "/circles/{a}/board/suggest", None, {"title": ""}),
    ("patient", "/circles/{a}/board/new", None, {"title": "", "visibility": "circle"}),
    ("patient", "/circles/{a}/treatment-days", None, {"place": "x"}),
    ("full", "/goals/{goal}", "/goals/{goal}/encouragement", {}),
    ("full", "/qa/ask", None, {"title": "", "action": "review"}),
    ("patient", "/circle/invite", None, {"email": "not an address"}),
]


@pytest.mark.parametrize(("who", "url", "action", "data"), FORMS, ids=[f[1] for f in FORMS])
def test_every_form_error_leads_with_a_linked_summary(app, world, who, url, action, data):
    client = as_person(app, world, who)
    fill = {"a": world.circles["a"], "goal": world.goals["a"]}
    page_url = url.format(**fill)
    html = client.get(page_url).get_data(as_text=True)
    response = client.post(
        (action or url).format(**fill), data={**data, "csrf_token": csrf_token(html)}
    )
    assert response.status_code in (200, 422), response.status_code
    page = check_summary(response.get_data(as_text=True))
    assert page.summary_links


def test_a_page_without_errors_has_no_summary_and_a_plain_title(app, world):
    html = as_person(app, world, "full").get(f"/goals/{world.goals['a']}").get_data(as_text=True)
    page = Page(html)
    assert not page.title.startswith("Error")
    assert "error-summary" not in html


def test_errors_no_drawn_field_showed_are_listed_too(app):
    """A noted form's error on a field the page never drew (a hidden field, an expired form)
    still reaches the summary, as text, so it is never silently lost."""
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import HiddenField, StringField
    from wtforms.validators import DataRequired

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Name", validators=[DataRequired("Please give a name.")])
        version = HiddenField(validators=[DataRequired("This page is out of date.")])

    page = (
        '{% extends "base.html" %}{% from "_macros/forms.html" import field, error_summary %}'
        "{% block title %}Test{% endblock %}"
        "{% block content %}<h1>Test</h1>{{ error_summary(form) }}"
        "<form>{{ field(form.name) }}</form>{% endblock %}"
    )
    with app.test_request_context("/", method="POST", data={}):
        form = Form()
        assert not form.validate()
        html = render_template_string(page, form=form)
    checked = check_summary(html)
    assert checked.summary_links == ["#name"]
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert "<li>This page is out of date.</li>" in summary
    assert summary.count("Please give a name.") == 1
