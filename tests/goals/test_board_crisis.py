"""Crisis words on the board: every kind of board text raises an alert with its level, in the
same transaction as the words, and the writer sees the crisis lines first on the next page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.db import utcnow
from portal.extensions import db
from portal.goals.models import Encouragement, Goal, GoalCheckIn, GoalStep, HelpOffer
from portal.notifications.models import Notification, OutgoingEmail, SafetyAlert
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def _edit_goal(client, world, words):
    url = f"/goals/{world.goals['a']}/edit"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "version": version,
            "title": "Secret goal of circle a",
            "why": words,
            "area": "health",
            "visibility": "circle",
        },
    )


def _new_goal(client, world, words):
    return submit(
        client,
        f"/circles/{world.circles['a']}/board/new",
        {"title": "Rest more", "area": "health", "visibility": "circle", "steps": words},
    )


def _suggest(client, world, words):
    return submit(
        client,
        f"/circles/{world.circles['a']}/board/suggest",
        {"title": "A walk together", "why": words, "area": "health"},
    )


def _step(client, world, words):
    goal = f"/goals/{world.goals['a']}"
    return submit(client, goal, {"step-text": words}, action=f"{goal}/steps")


def _check_in(client, world, words):
    goal = f"/goals/{world.goals['a']}"
    return submit(client, goal, {"checkin-note": words}, action=f"{goal}/check-ins")


def _encourage(client, world, words):
    goal = f"/goals/{world.goals['a']}"
    return submit(client, goal, {"msg-body": words}, action=f"{goal}/encouragement")


def _offer(client, world, words):
    goal = f"/goals/{world.goals['a']}"
    return submit(client, goal, {"offer-body": words, "offer-step": "0"}, action=f"{goal}/offers")


def _treatment_day(client, world, words):
    return submit(
        client,
        f"/circles/{world.circles['a']}/treatment-days",
        {
            "day": (utcnow() + timedelta(days=4)).date().isoformat(),
            "time": "09:30",
            "place": "Main St clinic",
            "note": words,
            "needs": ["A ride home"],
        },
    )


PLACES = [
    # (who writes, the source moderators see, how to write it)
    ("patient", "new goal", _new_goal),
    ("patient", "goal edit", _edit_goal),
    ("full", "goal suggestion", _suggest),
    ("patient", "goal step", _step),
    ("patient", "goal check-in", _check_in),
    ("full", "board message", _encourage),
    ("full", "offer of help", _offer),
    ("patient", "treatment day", _treatment_day),
]


def alerts(app):
    with app.app_context():
        return [
            (a.source, a.level, a.circle_id, a.author_id)
            for a in db.session.scalars(select(SafetyAlert).order_by(SafetyAlert.id))
        ]


@pytest.mark.parametrize(
    ("who", "source", "write"), PLACES, ids=[source for _, source, _ in PLACES]
)
def test_every_board_text_raises_an_alert_with_its_level(
    app, world, mailbox, stub_detector, who, source, write
):
    writer = as_person(app, world, who)
    response = write(writer, world, "I wonder zz-emergency tonight")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "#" not in response.headers["Location"]  # land at the top, on the crisis lines
    assert alerts(app) == [(source, "emergency", world.circles["a"], world.people[who].id)]
    page = writer.get(response.headers["Location"]).get_data(as_text=True)
    banner = page[: page.index('class="site-header"')]
    assert 'href="tel:911">Call 911 now' in banner
    [message] = mailbox.to(world.people["moderator"].email)
    assert "EMERGENCY: an attempt may be under way" in message["Subject"]
    assert "zz-emergency" not in mailbox.text_of(message)


@pytest.mark.parametrize(
    ("who", "source", "write"), PLACES, ids=[source for _, source, _ in PLACES]
)
def test_calm_board_text_raises_nothing(app, world, stub_detector, who, source, write):
    writer = as_person(app, world, who)
    response = write(writer, world, "A quiet week, a little better")
    assert response.status_code == 302
    assert alerts(app) == []
    page = writer.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="crisis-now' not in page


def test_real_detector_risk_keeps_todays_banner_and_stores_risk(app, world, mailbox):
    relative = as_person(app, world, "full")
    response = _encourage(relative, world, "I am scared he will kill himself")
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    banner = page[: page.index('class="site-header"')]
    assert 'href="tel:988"' in banner
    assert 'href="sms:741741?body=HOME"' in banner
    assert 'href="tel:911"' in banner
    assert "Call 911 now" not in banner
    assert alerts(app) == [("board message", "risk", world.circles["a"], world.people["full"].id)]
    [message] = mailbox.to(world.people["moderator"].email)
    assert message["Subject"].startswith("Urgent:")
    assert "http://localhost/moderation" in mailbox.text_of(message)


def test_spanish_words_add_the_spanish_lines(app, world, mailbox, stub_detector):
    relative = as_person(app, world, "full")
    response = _encourage(relative, world, "no sé qué hacer zz-es-risk")
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    banner = page[: page.index('class="site-header"')]
    assert '<ul class="crisis-spanish" lang="es">' in banner
    assert 'href="sms:988?body=AYUDA"' in banner
    assert "Llame al 988 y marque 2 para español" in banner
    assert "Llame al 911 si alguien está en peligro inmediato" in banner


def test_english_words_have_no_spanish_lines(app, world, mailbox, stub_detector):
    relative = as_person(app, world, "full")
    response = _encourage(relative, world, "zz-risk")
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="crisis-now' in page
    assert 'lang="es"' not in page


def test_crisis_words_skip_the_language_coach(app, world, mailbox, stub_detector):
    """ "Lazy" would be coached, but words of crisis go through at once, with the lines."""
    relative = as_person(app, world, "full")
    response = _encourage(relative, world, "He is not lazy, zz-risk")
    assert response.status_code == 302
    assert [a[0] for a in alerts(app)] == ["board message"]


def test_an_unchanged_goal_is_not_alerted_again(app, world, mailbox, stub_detector):
    patient = as_person(app, world, "patient")
    assert _edit_goal(patient, world, "zz-risk").status_code == 302
    assert len(alerts(app)) == 1
    assert _edit_goal(patient, world, "zz-risk").status_code == 302
    assert len(alerts(app)) == 1


def _refuse_alert_inserts(app, monkeypatch, how):
    """Make the alert's INSERT fail: the database refuses it, or the alert code raises."""
    if how == "database":
        with app.app_context():
            engine = db.engine

        def refuse(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("INSERT INTO SAFETY_ALERTS"):
                raise RuntimeError("the database refused the alert")

        event.listen(engine, "before_cursor_execute", refuse)
        return lambda: event.remove(engine, "before_cursor_execute", refuse)

    def broken(**kwargs):
        raise RuntimeError("alert failed")

    monkeypatch.setattr("portal.notifications.alerts.raise_safety_alert", broken)
    return lambda: None


def counts(app):
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Encouragement,
                Goal,
                GoalStep,
                GoalCheckIn,
                HelpOffer,
                SafetyAlert,
                OutgoingEmail,
                Notification,
            )
        }


@pytest.mark.parametrize("how", ["database", "code"])
@pytest.mark.parametrize(
    ("who", "source", "write"),
    [PLACES[0], PLACES[4], PLACES[5]],
    ids=["new goal", "goal check-in", "board message"],
)
def test_a_failed_alert_saves_nothing_and_says_so(
    app, world, mailbox, monkeypatch, stub_detector, who, source, write, how
):
    """The words and their alert are one transaction: no crisis message is left saved with
    nobody told. The writer gets the error page, which still carries the crisis lines."""
    writer = as_person(app, world, who)
    before = counts(app)
    undo = _refuse_alert_inserts(app, monkeypatch, how)
    try:
        response = write(writer, world, "He told me zz-risk again")
    finally:
        undo()
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "If you were writing about someone who might be in danger" in page
    assert counts(app) == before
    assert "zz-risk" not in writer.get(f"/goals/{world.goals['a']}").get_data(as_text=True)
    assert mailbox.messages == []


def test_moderators_see_the_level_and_emergencies_first(app, world, mailbox, stub_detector):
    relative = as_person(app, world, "full")
    _encourage(relative, world, "first, zz-risk")
    _encourage(relative, world, "second, zz-emergency")
    _encourage(relative, world, "third, zz-risk")
    queue = as_person(app, world, "moderator").get("/moderation").get_data(as_text=True)
    alerts_html = queue[queue.index('id="alerts-heading"') : queue.index("<h2>Questions</h2>")]
    items = alerts_html.split("<li")[1:]
    assert [re.search(r"(first|second|third)", item).group(1) for item in items] == [
        "second",
        "first",
        "third",
    ]
    assert "EMERGENCY: an attempt may be under way" in items[0]
    assert "EMERGENCY" not in items[1]
    assert "Crisis language" in items[1]
