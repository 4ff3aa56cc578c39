"""The support card is checked for crisis words as it is saved: the alert joins the same
transaction, and only the parts that changed are checked (a card may name warning signs)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.circles.models import CareCircle
from portal.extensions import db
from portal.notifications.models import SafetyAlert
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def save_card(app, world, client, **fields):
    with app.app_context():
        version = db.session.get(CareCircle, world.circles["a"]).card_version
    return submit(client, "/circle/support-card", {"version": str(version), **fields})


def alerts(app):
    with app.app_context():
        return [
            (a.source, a.level, a.circle_id, a.author_id)
            for a in db.session.scalars(select(SafetyAlert).order_by(SafetyAlert.id))
        ]


def test_crisis_words_on_the_card_alert_with_their_level(app, world, mailbox, stub_detector):
    patient = as_person(app, world, "patient")
    response = save_card(app, world, patient, card_early_signs="zz-emergency last night")
    assert response.status_code == 302
    assert alerts(app) == [
        ("support card", "emergency", world.circles["a"], world.people["patient"].id)
    ]
    page = patient.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="tel:911">Call 911 now' in page[: page.index('class="site-header"')]
    [message] = mailbox.to(world.people["moderator"].email)
    assert "EMERGENCY: an attempt may be under way" in message["Subject"]
    assert "last night" not in mailbox.text_of(message)


def test_saving_the_card_again_does_not_alert_again(app, world, mailbox, stub_detector):
    patient = as_person(app, world, "patient")
    save_card(app, world, patient, card_early_signs="zz-risk when I stop eating")
    again = save_card(
        app,
        world,
        patient,
        card_early_signs="zz-risk when I stop eating",
        card_what_helps="A walk",
    )
    assert again.status_code == 302
    assert [a[0] for a in alerts(app)] == ["support card"]


def test_a_calm_card_raises_nothing(app, world, stub_detector):
    patient = as_person(app, world, "patient")
    response = save_card(app, world, patient, card_what_helps="Tea and a short walk")
    assert response.status_code == 302
    assert alerts(app) == []
    assert 'class="crisis-now' not in patient.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_failed_alert_leaves_the_card_as_it_was(app, world, mailbox, stub_detector, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("alert failed")

    monkeypatch.setattr("portal.notifications.alerts.raise_safety_alert", broken)
    patient = as_person(app, world, "patient")
    response = save_card(app, world, patient, card_early_signs="zz-risk")
    assert response.status_code == 500
    with app.app_context():
        circle = db.session.get(CareCircle, world.circles["a"])
        assert circle.card_early_signs in (None, "")
        assert circle.card_version == 0
    assert alerts(app) == []
