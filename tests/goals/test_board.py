"""The goal board as the patient, a relative who may encourage, and everyone who may not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.db import utcnow
from portal.extensions import db
from portal.goals.models import (
    BoardActivity,
    Encouragement,
    Goal,
    GoalCheckIn,
    GoalStep,
    HelpOffer,
    HelpSlot,
)
from tests.fixtures.forms import csrf_token, submit
from tests.fixtures.world import as_person, build_world


@pytest.fixture
def world(app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    return build_world(app, make_user)


def board_url(world, key="a"):
    return f"/circles/{world.circles[key]}/board"


def new_goal(client, world, **fields):
    data = {
        "title": "Walk to the park",
        "area": "health",
        "visibility": "circle",
        "level_less": "Walk to the corner",
        "level_expected": "Walk to the park",
        "level_more": "Walk round the park",
        "steps": "Find shoes\nGo out the door",
        **fields,
    }
    return submit(client, f"{board_url(world)}/new", data)


def goal_id_by_title(app, title):
    with app.app_context():
        return db.session.scalars(select(Goal.id).where(Goal.title == title)).one()


def test_patient_builds_a_board_and_moves_a_goal_without_javascript(app, world):
    patient = as_person(app, world, "patient")
    response = new_goal(patient, world)
    assert response.status_code == 302
    goal_id = goal_id_by_title(app, "Walk to the park")
    board = patient.get(board_url(world)).get_data(as_text=True)
    assert "Walk to the park" in board
    assert "0 of 2 steps" in board
    for word in ("overdue", "streak", "score", "late", "failed", "behind"):
        assert not re.search(rf"\b{word}\b", board.lower()), word
    with app.app_context():
        version = db.session.get(Goal, goal_id).version
    moved = submit(
        patient,
        board_url(world),
        {"column": "this_week", "version": version},
        action=f"/goals/{goal_id}/move",
    )
    assert moved.status_code == 303
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        assert goal.column == "this_week"
        step_id = goal.steps[0].id
    submit(patient, f"/goals/{goal_id}", {}, action=f"/goals/{goal_id}/steps/{step_id}/done")
    assert "1 of 2 steps" in patient.get(board_url(world)).get_data(as_text=True)


def test_drag_and_drop_gets_json_and_a_conflict_is_refused(app, world):
    patient = as_person(app, world, "patient")
    goal_id = world.goals["a"]
    token = csrf_token(patient.get(board_url(world)).get_data(as_text=True))
    with app.app_context():
        version = db.session.get(Goal, goal_id).version
    ok = patient.post(
        f"/goals/{goal_id}/move",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "column": "doing", "version": version},
    )
    assert ok.get_json() == {"ok": True, "version": version + 1}
    stale = patient.post(
        f"/goals/{goal_id}/move",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "column": "resting", "version": version},
    )
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(Goal, goal_id).column == "doing"


def test_check_in_with_energy_and_level(app, world):
    patient = as_person(app, world, "patient")
    new_goal(patient, world)
    goal_id = goal_id_by_title(app, "Walk to the park")
    response = submit(
        patient,
        f"/goals/{goal_id}",
        {"checkin-note": "Made it to the corner.", "checkin-energy": "2", "checkin-level": "-1"},
        action=f"/goals/{goal_id}/check-ins",
    )
    assert response.status_code == 302
    page = patient.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "energy 2 of 5" in page
    assert "a bit less" in page
    assert "Made it to the corner." in page
    bad = submit(
        patient, f"/goals/{goal_id}", {"checkin-energy": "9"}, action=f"/goals/{goal_id}/check-ins"
    )
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GoalCheckIn)) == 1


def test_a_relative_is_coached_before_suggesting_then_the_patient_accepts(app, world):
    relative = as_person(app, world, "full")
    url = f"{board_url(world)}/suggest"
    coached = submit(relative, url, {"title": "Stop being lazy and walk", "area": "health"})
    assert coached.status_code == 200
    text = coached.get_data(as_text=True)
    assert "Before you send this" in text
    assert "/learn/not-lazy" in text
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Goal).where(Goal.status == "suggested")
            )
            == 0
        )
    kinder = submit(relative, url, {"title": "A short walk together on Sunday", "area": "fun"})
    assert kinder.status_code == 302
    goal_id = goal_id_by_title(app, "A short walk together on Sunday")
    assert "A short walk together" not in as_person(app, world, "board_only").get(
        board_url(world)
    ).get_data(as_text=True)  # a suggestion is not shared
    patient = as_person(app, world, "patient")
    assert "Suggestions for you" in patient.get(board_url(world)).get_data(as_text=True)
    accepted = submit(
        patient, f"/goals/{goal_id}", {"decision": "accept"}, action=f"/goals/{goal_id}/suggestion"
    )
    assert accepted.status_code == 302
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        assert (goal.status, goal.column) == ("active", "ideas")
    dashboard = relative.get("/").get_data(as_text=True)
    assert "added your suggestion: A short walk together on Sunday" in dashboard


def test_posting_anyway_after_coaching(app, world):
    relative = as_person(app, world, "full")
    url = f"/goals/{world.goals['a']}"
    first = submit(
        relative,
        url,
        {"msg-body": "Just try harder!"},
        action=f"/goals/{world.goals['a']}/encouragement",
    )
    assert "Before you send this" in first.get_data(as_text=True)
    assert "Just try harder!" in first.get_data(as_text=True)  # the text is kept
    second = submit(
        relative,
        url,
        {"msg-body": "Just try harder!", "msg-post_anyway": "y"},
        action=f"/goals/{world.goals['a']}/encouragement",
    )
    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Encouragement.body)).one() == "Just try harder!"


def test_only_the_patient_creates_moves_and_marks(app, world):
    relative = as_person(app, world, "full")
    assert relative.get(f"{board_url(world)}/new").status_code == 403
    assert relative.get(f"/goals/{world.goals['a']}/edit").status_code == 403
    page = relative.get(board_url(world)).get_data(as_text=True)
    assert "/move" not in page
    assert "Add a goal" not in page


def test_without_the_encourage_permission_there_is_no_way_to_post(app, world):
    board_only = as_person(app, world, "board_only")
    page = board_only.get(f"/goals/{world.goals['a']}").get_data(as_text=True)
    assert "Secret goal of circle a" in page
    assert "/encouragement" not in page
    assert "Suggest a goal" not in board_only.get(board_url(world)).get_data(as_text=True)
    for name in ("course_only", "timeline_only", "removed", "other_member", "clinician"):
        client = as_person(app, world, name)
        assert client.get(board_url(world)).status_code == 404
        assert client.get(f"/goals/{world.goals['a']}").status_code == 404


def test_private_and_chosen_goals(app, world):
    patient = as_person(app, world, "patient")
    new_goal(patient, world, title="Only mine", visibility="private")
    new_goal(
        patient,
        world,
        title="For Full only",
        visibility="chosen",
        viewers=str(world.people["full"].id),
    )
    private_id = goal_id_by_title(app, "Only mine")
    chosen_id = goal_id_by_title(app, "For Full only")
    full = as_person(app, world, "full")
    board_only = as_person(app, world, "board_only")
    assert "For Full only" in full.get(board_url(world)).get_data(as_text=True)
    assert "Only mine" not in full.get(board_url(world)).get_data(as_text=True)
    assert full.get(f"/goals/{private_id}").status_code == 404
    assert board_only.get(f"/goals/{chosen_id}").status_code == 404
    assert "For Full only" not in board_only.get(board_url(world)).get_data(as_text=True)
    refused = new_goal(patient, world, title="Chosen nobody", visibility="chosen")
    assert refused.status_code == 422
    outsider = new_goal(
        patient,
        world,
        title="Sneaky",
        visibility="chosen",
        viewers=str(world.people["other_member"].id),
    )
    assert outsider.status_code == 422


def test_offer_of_help_accepted_reaches_the_helper(app, world):
    relative = as_person(app, world, "full")
    goal_url = f"/goals/{world.goals['a']}"
    submit(
        relative,
        goal_url,
        {"offer-body": "I can drive you on Tuesday", "offer-step": "0"},
        action=f"{goal_url}/offers",
    )
    with app.app_context():
        offer_id = db.session.scalars(select(HelpOffer.id)).one()
    patient = as_person(app, world, "patient")
    assert "I can drive you on Tuesday" in patient.get(goal_url).get_data(as_text=True)
    submit(patient, goal_url, {"decision": "accept"}, action=f"{goal_url}/offers/{offer_id}")
    with app.app_context():
        assert db.session.get(HelpOffer, offer_id).status == "accepted"
    assert "accepted your offer: I can drive you on Tuesday" in relative.get("/").get_data(
        as_text=True
    )


def test_treatment_day_slots_have_exactly_one_taker(app, world):
    patient = as_person(app, world, "patient")
    day = (utcnow() + timedelta(days=5)).date().isoformat()
    added = submit(
        patient,
        f"/circles/{world.circles['a']}/treatment-days",
        {
            "day": day,
            "time": "09:30",
            "place": "Main St clinic",
            "needs": ["A ride home", "A meal afterwards"],
        },
    )
    assert added.status_code == 302
    with app.app_context():
        slot_id = db.session.scalars(
            select(HelpSlot.id).where(HelpSlot.need == "A meal afterwards")
        ).one()
    url = f"/circles/{world.circles['a']}/treatment-days"
    full, board_only = as_person(app, world, "full"), as_person(app, world, "board_only")
    took = submit(full, url, {}, action=f"/circles/{world.circles['a']}/help-slots/{slot_id}/take")
    assert took.status_code == 302
    late = submit(
        board_only, url, {}, action=f"/circles/{world.circles['a']}/help-slots/{slot_id}/take"
    )
    assert late.status_code == 302
    assert "Someone else took that one" in board_only.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HelpSlot, slot_id).taken_by_id == world.people["full"].id
    assert "still open" in board_only.get(url).get_data(as_text=True)
    assert "<strong>Full</strong>" in patient.get(url).get_data(as_text=True)


def test_quiet_mode_rests_the_board_and_holds_pings(app, world):
    patient = as_person(app, world, "patient")
    submit(patient, board_url(world), {"days": "7"}, action=f"{board_url(world)}/quiet")
    relative = as_person(app, world, "full")
    assert "The board is resting until" in relative.get(board_url(world)).get_data(as_text=True)
    submit(
        relative,
        f"/goals/{world.goals['a']}",
        {"msg-body": "Thinking of you"},
        action=f"/goals/{world.goals['a']}/encouragement",
    )
    assert "sent encouragement" not in patient.get("/").get_data(as_text=True)
    assert "Thinking of you" in patient.get(f"/goals/{world.goals['a']}").get_data(as_text=True)
    submit(patient, board_url(world), {"days": "0"}, action=f"{board_url(world)}/quiet")
    assert "Full sent encouragement" in patient.get("/").get_data(as_text=True)


def test_a_stale_edit_keeps_the_text_and_overwrites_nothing(app, world):
    patient = as_person(app, world, "patient")
    url = f"/goals/{world.goals['a']}/edit"
    page = patient.get(url).get_data(as_text=True)
    token = csrf_token(page)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {"csrf_token": token, "version": version, "area": "health", "visibility": "circle"}
    assert patient.post(url, data={**data, "title": "First tab"}).status_code == 302
    second = patient.post(url, data={**data, "title": "Second tab"})
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "changed in another window" in text
    assert 'value="Second tab"' in text
    with app.app_context():
        assert db.session.get(Goal, world.goals["a"]).title == "First tab"


def test_user_text_is_sanitised_and_bounded(app, world):
    patient = as_person(app, world, "patient")
    new_goal(patient, world, title="Safe", why="<script>alert(1)</script> **why**")
    page = patient.get(f"/goals/{goal_id_by_title(app, 'Safe')}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<strong>why</strong>" in page
    too_long = new_goal(patient, world, title="x" * 201)
    assert too_long.status_code == 422
    assert "under 200 characters" in too_long.get_data(as_text=True)


def test_crisis_words_put_the_resources_first_and_are_still_saved(app, world, mailbox):
    relative = as_person(app, world, "full")
    response = submit(
        relative,
        f"/goals/{world.goals['a']}",
        {"msg-body": "He told me he wants to end it all", "msg-post_anyway": "y"},
        action=f"/goals/{world.goals['a']}/encouragement",
    )
    page = relative.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index('class="crisis-now"') < page.index('class="site-header"')
    assert 'href="tel:988"' in page.split('class="site-header"')[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Encouragement)) == 1
    [email] = mailbox.to(world.people["moderator"].email)
    assert "wants to end it" not in mailbox.text_of(email)  # no words in the email
    moderator = as_person(app, world, "moderator")
    queue = moderator.get("/moderation").get_data(as_text=True)
    assert "Urgent: crisis language elsewhere" in queue
    assert "He told me he wants to end it all" in queue
    with app.app_context():
        from portal.notifications.models import SafetyAlert

        alert_id = db.session.scalars(select(SafetyAlert.id)).one()
    handled = submit(moderator, "/moderation", {}, action=f"/moderation/alerts/{alert_id}")
    assert handled.status_code == 302
    assert "He told me" not in moderator.get("/moderation").get_data(as_text=True)
    assert as_person(app, world, "full").get("/moderation").status_code == 403


def count_queries(app, client, url) -> int:
    statements = []

    def note(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(
        [
            s
            for s in statements
            if not s.lstrip().upper().startswith(("BEGIN", "INSERT", "DELETE", "UPDATE"))
        ]
    )


def test_board_queries_do_not_grow_with_goals(app, world):
    patient = as_person(app, world, "patient")
    relative = as_person(app, world, "full")
    url = board_url(world)
    patient.get(url)
    relative.get(url)
    small = (count_queries(app, patient, url), count_queries(app, relative, url))
    with app.app_context():
        for n in range(200):
            db.session.add(
                Goal(
                    circle_id=world.circles["a"],
                    title=f"Goal {n}",
                    column=["ideas", "doing", "done"][n % 3],
                    steps=[GoalStep(text="a"), GoalStep(text="b")],
                )
            )
            db.session.add(BoardActivity(circle_id=world.circles["a"], kind="x", summary="y"))
        db.session.commit()
    large = (count_queries(app, patient, url), count_queries(app, relative, url))
    assert large == small
    assert max(large) <= 12


def test_board_events_reach_the_notification_centre_but_not_in_quiet_time(app, world):
    from portal.notifications.models import Notification

    relative = as_person(app, world, "full")
    goal_url = f"/goals/{world.goals['a']}"
    submit(relative, goal_url, {"msg-body": "Proud of you"}, action=f"{goal_url}/encouragement")
    patient = as_person(app, world, "patient")
    page = patient.get("/notifications").get_data(as_text=True)
    assert "Full sent encouragement on “Secret goal of circle a”" in page
    submit(patient, board_url(world), {"days": "7"}, action=f"{board_url(world)}/quiet")
    submit(relative, goal_url, {"msg-body": "Still here"}, action=f"{goal_url}/encouragement")
    with app.app_context():
        mine = db.session.scalars(
            select(Notification).where(Notification.user_id == world.people["patient"].id)
        ).all()
    assert len(mine) == 1  # the second one waits quietly on the board
    [notice] = mine
    opened = submit(patient, "/notifications", {}, action=f"/notifications/{notice.id}")
    assert opened.headers["Location"] == goal_url
    with app.app_context():
        assert db.session.get(Notification, notice.id).read_at is not None
    other = as_person(app, world, "board_only")
    assert (
        submit(other, "/notifications", {}, action=f"/notifications/{notice.id}").status_code == 404
    )
