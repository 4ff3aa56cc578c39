"""Following the course: progress, checks, private notes, pacing, sharing, check-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.circles.models import AccessLogEntry, Membership
from portal.db import utcnow
from portal.extensions import db
from portal.learning.models import ModuleStep, RecoveryTimeline, StepProgress, WellbeingCheckIn
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def steps_of(app, module_slug):
    with app.app_context():
        rows = db.session.scalars(
            select(ModuleStep)
            .join(ModuleStep.module)
            .where(ModuleStep.module.has(slug=module_slug))
            .order_by(ModuleStep.position)
        ).all()
        return [(s.id, s.slug, s.kind, s.options) for s in rows]


def step_url(module_slug, step_slug):
    return f"/learn/{module_slug}/{step_slug}"


def test_course_map_shows_nine_modules_and_where_to_start(app, world):
    page = as_person(app, world, "full").get("/learn").get_data(as_text=True)
    assert page.count('class="module-card') == 9
    assert "Start: " in page
    assert "suggested for week 1" in page


def test_a_module_from_start_to_finish_and_resume(app, world):
    client = as_person(app, world, "full")
    steps = steps_of(app, "broken-leg")
    for index, (_id, slug, kind, options) in enumerate(steps):
        url = step_url("broken-leg", slug)
        if kind == "check":
            wrong = next(i for i, o in enumerate(options) if not o.correct)
            right = next(i for i, o in enumerate(options) if o.correct)
            response = submit(client, url, {"check-choice": str(wrong)})
            assert response.status_code == 302
            feedback = client.get(url).get_data(as_text=True)
            assert "Not quite." in feedback
            assert options[wrong].explanation.replace("'", "&#39;") in feedback
            assert "Try again" in feedback
            retry = client.get(url + "?retry=1").get_data(as_text=True)
            assert "Check my answer" in retry
            submit(client, url + "?retry=1", {"check-choice": str(right)})
            assert "Yes, that fits." in client.get(url).get_data(as_text=True)
        elif kind == "reflection":
            response = submit(client, url, {"note-reflection": "I rush him. I will slow down."})
            assert response.status_code == 302
        else:
            response = submit(client, url, {})
            assert response.status_code == 302
        if index == 1:
            # Sign out and back in: the course resumes at the next step.
            client = as_person(app, world, "full")
            assert "Continue: " in client.get("/learn").get_data(as_text=True)
    page = client.get("/learn").get_data(as_text=True)
    assert f"{len(steps)} of {len(steps)} steps done" in page
    with app.app_context():
        done = db.session.scalar(
            select(func.count())
            .select_from(StepProgress)
            .where(
                StepProgress.user_id == world.people["full"].id,
                StepProgress.completed_at.is_not(None),
            )
        )
        assert done == len(steps)


def test_reflections_are_private_and_editable(app, world):
    reflection = next(s for s in steps_of(app, "broken-leg") if s[2] == "reflection")
    url = step_url("broken-leg", reflection[1])
    author = as_person(app, world, "full")
    submit(author, url, {"note-reflection": "My very private thought"})
    assert "My very private thought" in author.get(url).get_data(as_text=True)
    submit(author, url, {"note-reflection": "An edited private thought"})
    notes = author.get("/learn/my-notes").get_data(as_text=True)
    assert "An edited private thought" in notes
    assert "My very private thought" not in notes
    for other in ("patient", "clinician", "admin", "board_only"):
        client = as_person(app, world, other)
        for page in (url, "/learn/my-notes", "/circle", "/"):
            assert "private thought" not in client.get(page).get_data(as_text=True)


def test_a_check_refuses_an_answer_that_does_not_exist(app, world):
    check = next(s for s in steps_of(app, "broken-leg") if s[2] == "check")
    response = submit(
        as_person(app, world, "full"), step_url("broken-leg", check[1]), {"check-choice": "9"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StepProgress)) == 0


def test_activity_modules_wait_until_the_patient_says_therapy(app, world):
    with app.app_context():
        db.session.add(
            RecoveryTimeline(circle_id=world.circles["a"], phase="cast", hold_activity_modules=True)
        )
        db.session.commit()
    member = as_person(app, world, "full")
    page = member.get("/learn").get_data(as_text=True)
    assert page.count("waiting until the person you support says they are ready") == 2
    assert member.get("/learn/new-habits").status_code == 404
    assert member.get("/learn/help-now").status_code == 200
    assert as_person(app, world, "patient").get("/learn/new-habits").status_code == 200
    assert as_person(app, world, "other_member").get("/learn/new-habits").status_code == 200

    patient = as_person(app, world, "patient")
    submit(patient, "/circle/timeline", {"phase": "therapy", "hold_activity_modules": "y"})
    assert member.get("/learn/new-habits").status_code == 200


def test_timeline_shows_the_week_and_the_picture_to_those_allowed(app, world):
    patient = as_person(app, world, "patient")
    started = (utcnow() - timedelta(days=16)).date().isoformat()
    response = submit(patient, "/circle/timeline", {"started_on": started, "phase": ""})
    assert response.status_code == 302
    url = f"/circles/{world.circles['a']}/timeline"
    page = as_person(app, world, "timeline_only").get(url).get_data(as_text=True)
    assert "Week 3 of recovery" in page
    assert "In the cast" in page
    assert "A broken leg nobody can see" in page  # a module that fits this stage
    assert as_person(app, world, "board_only").get(url).status_code == 404
    assert as_person(app, world, "other_member").get(url).status_code == 404
    with app.app_context():
        whats = set(db.session.scalars(select(AccessLogEntry.what)))
        assert "timeline" in whats


def test_timeline_refuses_a_future_start(app, world):
    patient = as_person(app, world, "patient")
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    response = submit(patient, "/circle/timeline", {"started_on": future})
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RecoveryTimeline, world.circles["a"]) is None


def test_patient_sees_finished_modules_only_where_shared(app, world):
    member = as_person(app, world, "full")
    for _id, slug, kind, _options in steps_of(app, "broken-leg"):
        data = {}
        if kind == "check":
            data = {"check-choice": "0"}
        elif kind == "reflection":
            data = {"note-reflection": "secret words"}
        submit(member, step_url("broken-leg", slug), data)
    circle_page = as_person(app, world, "patient").get("/circle").get_data(as_text=True)
    assert "Course: finished A broken leg nobody can see" in circle_page
    assert "secret words" not in circle_page
    submit(member, "/learn", {}, action="/learn/sharing")  # unticked: stop sharing
    circle_page = as_person(app, world, "patient").get("/circle").get_data(as_text=True)
    assert "Course: not shared" in circle_page


def test_patients_can_read_the_whole_course(app, world):
    patient = as_person(app, world, "patient")
    for slug in ("broken-leg", "new-habits", "help-now"):
        assert patient.get(f"/learn/{slug}").status_code == 200


def test_wellbeing_check_in_and_own_trend(app, world):
    member = as_person(app, world, "full")
    answers = {
        "tired": "4",
        "worried": "5",
        "alone": "3",
        "confident": "2",
        "know_what_to_say": "2",
    }
    assert submit(member, "/learn/check-in", answers).status_code == 302
    page = member.get("/learn/check-in").get_data(as_text=True)
    assert "<td>12</td><td>4</td>" in page
    missing = submit(member, "/learn/check-in", {"tired": "4"})
    assert missing.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WellbeingCheckIn)) == 1
    assert "<td>12</td>" not in as_person(app, world, "board_only").get("/learn/check-in").get_data(
        as_text=True
    )


def test_removed_member_keeps_their_own_progress(app, world):
    member = as_person(app, world, "removed")
    first = steps_of(app, "broken-leg")[0]
    submit(member, step_url("broken-leg", first[1]), {})
    assert "1 of" in member.get("/learn").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, world.memberships["removed"]).removed_at is not None


def test_dashboard_shows_progress_and_the_week_to_those_allowed(app, world):
    patient = as_person(app, world, "patient")
    started = (utcnow() - timedelta(days=16)).date().isoformat()
    submit(patient, "/circle/timeline", {"started_on": started})
    allowed = as_person(app, world, "timeline_only").get("/").get_data(as_text=True)
    assert "0 of 9 modules finished." in allowed
    assert "Continue: " in allowed
    assert "Week 3 of Pat's recovery" in allowed
    assert "Week 3" not in as_person(app, world, "board_only").get("/").get_data(as_text=True)


def test_clinic_sees_only_totals_of_check_ins_from_enough_people(app, world, make_user):
    answers = {
        "tired": "3",
        "worried": "3",
        "alone": "3",
        "confident": "3",
        "know_what_to_say": "3",
    }
    for name in ("full", "board_only", "timeline_only", "course_only"):
        submit(as_person(app, world, name), "/learn/check-in", answers)
    clinician = as_person(app, world, "clinician")
    assert "Not enough check-ins yet" in clinician.get("/learn/family-wellbeing").get_data(
        as_text=True
    )
    submit(as_person(app, world, "lapsed"), "/learn/check-in", {**answers, "tired": "5"})
    page = clinician.get("/learn/family-wellbeing").get_data(as_text=True)
    assert "<td>5</td><td>5</td><td>9.4</td><td>6.0</td>" in page
    assert "Full" not in page
    assert as_person(app, world, "full").get("/learn/family-wellbeing").status_code == 403
