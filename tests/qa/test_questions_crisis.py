"""Crisis words in questions and "I noticed" notes: the level is stored, moderators are told
plainly when it is an emergency, and the Spanish lines appear when the words were Spanish."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notifications.models import SafetyAlert
from portal.qa.models import Question
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world
from tests.qa.test_questions import ask, publish

SPANISH_LINES = (
    "Llame al 988 y marque 2 para español",
    "envíe AYUDA por mensaje de texto al 988",
    "Llame al 911 si alguien está en peligro inmediato",
)


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def banner_of(page: str) -> str:
    """Everything above the site header: where the crisis banner must be."""
    return page[: page.index('class="site-header"')]


def stored(app, title):
    with app.app_context():
        question = db.session.scalars(select(Question).where(Question.title == title)).one()
        return question.urgent, question.crisis_level, question.crisis_patterns


def test_an_emergency_question_is_stored_told_and_shown(app, world, mailbox, stub_detector):
    asker = as_person(app, world, "full")
    response = ask(asker, "He took everything zz-emergency what now")
    assert response.status_code == 302
    assert stored(app, "He took everything zz-emergency what now") == (
        True,
        "emergency",
        "stub-emergency",
    )
    banner = banner_of(asker.get(response.headers["Location"]).get_data(as_text=True))
    assert banner.index('href="tel:911">Call 911 now') < banner.index("tel:+18002221222")
    assert banner.index("tel:+18002221222") < banner.index('href="tel:988"')
    [message] = mailbox.to(world.people["moderator"].email)
    assert message["Subject"].startswith("EMERGENCY: an attempt may be under way")
    text = mailbox.text_of(message)
    assert "EMERGENCY: an attempt may be under way" in text
    assert "http://localhost/moderation" in text
    assert "took everything" not in text
    html = message.get_payload()[1].get_payload(decode=True).decode()
    assert 'href="http://localhost/moderation"' in html
    assert "took everything" not in html
    queue = as_person(app, world, "moderator").get("/moderation").get_data(as_text=True)
    item = next(li for li in queue.split("<li")[1:] if "took everything" in li)
    assert "EMERGENCY: an attempt may be under way" in item


def test_a_risk_question_keeps_the_urgent_mail_and_stores_risk(app, world, mailbox):
    """The real detector: words of risk, stored as risk, the mail as before plus the link."""
    asker = as_person(app, world, "board_only")
    ask(asker, "My son said he wants to kill himself, what do I do?")
    urgent, level, _ = stored(app, "My son said he wants to kill himself, what do I do?")
    assert (urgent, level) == (True, "risk")
    [message] = mailbox.to(world.people["moderator"].email)
    assert message["Subject"].startswith("Urgent:")
    assert "EMERGENCY" not in message["Subject"]
    assert "EMERGENCY" not in mailbox.text_of(message)
    assert "http://localhost/moderation" in mailbox.text_of(message)


def test_a_calm_question_is_stored_as_none(app, world, stub_detector):
    ask(as_person(app, world, "full"), "How long does the tired phase last?")
    assert stored(app, "How long does the tired phase last?") == (False, "none", "")


def test_spanish_words_show_the_spanish_lines_on_review_and_after(
    app, world, mailbox, stub_detector
):
    asker = as_person(app, world, "full")
    title = "Mi hijo zz-es-risk que hago?"
    review = submit(asker, "/qa/ask", {"title": title, "sharing": "shared", "action": "review"})
    assert review.status_code == 200
    banner = banner_of(review.get_data(as_text=True))
    assert 'class="crisis-spanish" lang="es"' in banner
    for line in SPANISH_LINES:
        assert line in banner
    assert 'href="sms:988?body=AYUDA"' in banner
    assert "You can still send your question" in banner
    with app.app_context():
        assert db.session.scalars(select(Question)).first() is None  # not sent yet
    sent = ask(asker, title)
    page = asker.get(sent.headers["Location"]).get_data(as_text=True)
    assert all(line in banner_of(page) for line in SPANISH_LINES)
    assert "Your words were saved" in banner_of(page)


def test_an_english_review_has_no_spanish_lines(app, world, stub_detector):
    asker = as_person(app, world, "full")
    review = submit(
        asker, "/qa/ask", {"title": "Worried zz-risk", "sharing": "shared", "action": "review"}
    )
    banner = banner_of(review.get_data(as_text=True))
    assert "reach out now" in banner
    assert 'lang="es"' not in banner


def test_a_calm_review_has_no_banner(app, world, stub_detector):
    asker = as_person(app, world, "full")
    review = submit(
        asker, "/qa/ask", {"title": "Sleep and routines", "sharing": "shared", "action": "review"}
    )
    assert 'class="crisis-now' not in review.get_data(as_text=True)


@pytest.mark.parametrize(("field", "level"), [("note", "emergency"), ("after_treatment", "risk")])
def test_an_observation_with_crisis_words_alerts_moderators(
    app, world, mailbox, stub_detector, field, level
):
    url = f"/circles/{world.circles['a']}/noticed"
    submit(
        as_person(app, world, "patient"), "/circle", {"enabled": "y"}, action="/circle/observations"
    )
    member = as_person(app, world, "full")
    words = "zz-emergency since Monday" if level == "emergency" else "zz-risk after the dose"
    response = submit(member, url, {field: words})
    assert response.status_code == 302
    with app.app_context():
        [alert] = db.session.scalars(select(SafetyAlert)).all()
        assert (alert.source, alert.level, alert.circle_id) == (
            "observation",
            level,
            world.circles["a"],
        )
        assert words in alert.excerpt
    assert 'class="crisis-now' in banner_of(
        member.get(response.headers["Location"]).get_data(as_text=True)
    )
    [message] = mailbox.to(world.people["moderator"].email)
    assert ("EMERGENCY" in message["Subject"]) == (level == "emergency")


def test_answers_stay_exempt(app, world, mailbox, stub_detector):
    qid = publish(app, world, "How do we talk about hard days?")
    clinician = as_person(app, world, "clinician")
    answered = submit(
        clinician, f"/answers/{qid}", {"body": "If someone says zz-emergency, call 911."}
    )
    assert answered.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SafetyAlert)).first() is None
    assert 'class="crisis-now' not in clinician.get(answered.headers["Location"]).get_data(
        as_text=True
    )
    assert mailbox.to(world.people["moderator"].email) == []


def test_a_private_question_with_crisis_words_reaches_the_moderators_queue(
    app, world, mailbox, stub_detector
):
    """Private questions go to the clinicians only, so the alert is what moderators can open."""
    ask(as_person(app, world, "full"), "Only for the team zz-emergency", sharing="private")
    assert stored(app, "Only for the team zz-emergency")[:2] == (True, "emergency")
    with app.app_context():
        [alert] = db.session.scalars(select(SafetyAlert)).all()
        assert (alert.source, alert.level) == ("private question", "emergency")
    queue = as_person(app, world, "moderator").get("/moderation").get_data(as_text=True)
    assert "Only for the team zz-emergency" in queue
    [message] = mailbox.to(world.people["moderator"].email)
    assert "EMERGENCY: an attempt may be under way" in message["Subject"]
