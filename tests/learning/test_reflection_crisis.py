"""Private course notes with crisis words: their writer sees the crisis lines at once, and
nobody is alerted, because nobody else may read them. The course editor stays exempt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import StepProgress
from portal.learning.sync import sync_course
from portal.notifications.models import Notification, OutgoingEmail, SafetyAlert
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world
from tests.learning.test_course import step_url, steps_of

PRIVATE_HINT = (
    "No one reads these notes. If you or someone might be in danger, call or text "
    '<a href="tel:988">988</a> now, or call <a href="tel:911">911</a>.'
)


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def reflection_url(app):
    reflection = next(s for s in steps_of(app, "broken-leg") if s[2] == "reflection")
    return step_url("broken-leg", reflection[1])


def told_anyone(app) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (SafetyAlert, OutgoingEmail, Notification)
        )


def test_the_page_says_nobody_reads_the_notes(app, world):
    page = as_person(app, world, "full").get(reflection_url(app)).get_data(as_text=True)
    field_at = page.index('name="note-reflection"')
    assert page.index(PRIVATE_HINT) > field_at  # under the field


def write_note(app, author, words):
    response = submit(author, reflection_url(app), {"note-reflection": words})
    assert response.status_code == 302
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(StepProgress.reflection)).all() == [words]
    return page[: page.index('class="site-header"')]


def test_crisis_words_show_the_lines_and_alert_nobody(app, world, mailbox):
    """The real detector, with the browser test's sentence."""
    banner = write_note(app, as_person(app, world, "full"), "Some nights I want to die")
    assert 'class="crisis-now' in banner
    assert 'href="tel:988"' in banner
    assert "No one else reads these notes, so no one has been told" in banner
    assert "Your words were saved" not in banner
    assert told_anyone(app) == 0
    assert mailbox.messages == []


def test_an_emergency_in_a_private_note_leads_with_911_and_alerts_nobody(
    app, world, mailbox, stub_detector
):
    banner = write_note(app, as_person(app, world, "full"), "zz-es-emergency")
    assert banner.index('href="tel:911">Call 911 now') < banner.index("tel:+18002221222")
    assert "Llame al 911 si alguien está en peligro inmediato" in banner
    assert told_anyone(app) == 0
    assert mailbox.messages == []


def test_calm_notes_show_no_banner(app, world, stub_detector):
    author = as_person(app, world, "full")
    response = submit(author, reflection_url(app), {"note-reflection": "I rush him."})
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="crisis-now' not in page


def test_the_course_editor_stays_exempt(app, clinician, stub_detector):
    from tests.learning.test_sync_and_editing import clinician_client, edit, the_step

    with app.app_context():
        sync_course()
        db.session.commit()
        step_id = the_step().id
    client = clinician_client(app, clinician)
    saved = edit(client, step_id, body="If someone says zz-emergency, call 911 now.")
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'class="crisis-now' not in page
    assert told_anyone(app) == 0
