"""Read-then-write paths hit by many people at the same moment, on 4 gunicorn workers.

Each test loads the page in every client first (so all of them hold the same version), then
releases the writes together with a barrier. Exactly one write may win; everyone else gets a
clear answer that is not a server error, and the database shows the single winner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import ColumnElement, func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.circles import services as circle_services
from portal.circles.models import CareCircle, Invitation, Membership
from portal.db import utcnow
from portal.extensions import db
from portal.goals.models import BoardActivity, Goal, HelpSlot
from portal.notifications import inbox
from portal.notifications.models import Notification, OutgoingEmail
from portal.qa import services as qa_services
from portal.qa.models import Question
from tests.fixtures.forms import csrf_token
from tests.fixtures.world import World, build_world
from tests.load.live import LivePortal, post_at_once, statuses

pytestmark = pytest.mark.load

CLIENTS = 8
VERSION = re.compile(r'name="version" value="(\d+)"')
GONE = "This link no longer works"
JOINED = "Sam accepted your invitation"


@pytest.fixture
def world(app: Flask, make_user: Callable[..., User]) -> World:
    return build_world(app, make_user)


def count(model: type, *where: ColumnElement[bool]) -> int:
    """Rows of ``model`` matching every condition."""
    query = select(func.count()).select_from(model).where(*where)
    return int(db.session.execute(query).scalar_one())


def version_on(page: requests.Response) -> str:
    match = VERSION.search(page.text)
    assert match, "the page has no version field"
    return match.group(1)


def invite(app: Flask, world: World, email: str) -> str:
    """A real member invitation from the patient of circle a; returns the link's path."""
    with app.app_context():
        issued = circle_services.invite_member(
            db.session.get_one(User, world.people["patient"].id),
            db.session.get_one(CareCircle, world.circles["a"]),
            name="Sam",
            email=email,
            relationship="friend",
            see_board=True,
            encourage=True,
            see_timeline=False,
            base_url="",
        )
        db.session.commit()
        return issued.link


def add_members(
    app: Flask, make_user: Callable[..., User], circle_id: int, how_many: int
) -> list[User]:
    """Relatives who may see the board (and so take help slots) in one circle."""
    people = [make_user("family") for _ in range(how_many)]
    with app.app_context():
        for person in people:
            db.session.add(
                Membership(
                    circle_id=circle_id,
                    user_id=person.id,
                    relationship_kind="friend",
                    can_see_board=True,
                    can_encourage=True,
                    consent_expires_at=utcnow() + timedelta(days=300),
                )
            )
        db.session.commit()
    return people


def test_one_invitation_link_accepted_in_many_tabs_at_once(
    app: Flask,
    world: World,
    make_user: Callable[..., User],
    serve: Callable[..., LivePortal],
    tmp_path: Path,
) -> None:
    """The invitee, signed in in several tabs, confirms in all of them: one membership."""
    sam = make_user("family", email="sam@example.test", name="Sam")
    link = invite(app, world, sam.email)
    with app.app_context():  # the patient asked to hear of it right away, with details
        inbox.save_preferences(world.people["patient"].id, {"circle": "immediate"}, details=True)
        db.session.commit()
    live = serve()
    tabs = [live.signed_in(sam.email) for _ in range(CLIENTS)]
    tokens = [tab.token(link) for tab in tabs]

    answers = post_at_once(tabs, link, [{"csrf_token": token} for token in tokens])

    assert statuses(answers)[302] == 1, statuses(answers)
    [winner] = [a for a in answers if a.status_code == 302]
    assert winner.headers["Location"] == f"/circles/{world.circles['a']}"
    for loser in (a for a in answers if a.status_code != 302):
        assert loser.status_code in {404, 409}, loser.status_code
        assert GONE in loser.text
    with app.app_context():
        circle_id = world.circles["a"]
        assert (
            count(Membership, Membership.circle_id == circle_id, Membership.user_id == sam.id) == 1
        )
        invitation = db.session.scalars(
            select(Invitation).where(Invitation.email == sam.email)
        ).one()
        assert (invitation.status, invitation.accepted_user_id) == ("accepted", sam.id)
        assert count(AuditEvent, AuditEvent.action == "invitation.accepted") == 1
        assert count(Notification, Notification.kind == "invitation_accepted") == 1
        joined = OutgoingEmail.body_text.contains(JOINED)
        assert count(OutgoingEmail, joined, OutgoingEmail.status == "sent") == 1
    written = [eml.read_bytes() for eml in (tmp_path / "outbox").glob("*.eml")]
    assert sum(JOINED.encode() in eml for eml in written) == 1, "the patient is told once"
    live.assert_healthy()


def test_one_invitation_link_used_by_many_newcomers_at_once(
    app: Flask, world: World, serve: Callable[..., LivePortal]
) -> None:
    """A forwarded link opened by several people without accounts: one account, one member."""
    email = "riley@example.test"
    link = invite(app, world, email)
    live = serve()
    visitors = [live.client() for _ in range(CLIENTS)]
    tokens = [visitor.token(link) for visitor in visitors]
    password = "a long and private passphrase"
    forms = [
        {
            "csrf_token": token,
            "display_name": f"Riley {n}",
            "password": password,
            "confirm": password,
        }
        for n, token in enumerate(tokens)
    ]

    answers = post_at_once(visitors, link, forms)

    assert statuses(answers)[302] == 1, statuses(answers)
    winner = next(n for n, a in enumerate(answers) if a.status_code == 302)
    for loser in (a for a in answers if a.status_code != 302):
        assert loser.status_code in {404, 409, 422}, loser.status_code
        assert GONE in loser.text or "Please sign in to accept" in loser.text
    with app.app_context():
        [person] = db.session.scalars(select(User).where(User.email == email)).all()
        assert person.display_name == f"Riley {winner}"
        assert count(Membership, Membership.user_id == person.id) == 1
        assert count(AuditEvent, AuditEvent.action == "invitation.accepted") == 1
    live.assert_healthy()


def test_the_same_goal_saved_from_many_tabs_at_once(
    app: Flask, world: World, serve: Callable[..., LivePortal]
) -> None:
    """Every tab loaded the same version: one save wins, the others get 409 and keep their text."""
    goal_id = world.goals["a"]
    with app.app_context():
        before = db.session.get_one(Goal, goal_id).version
    live = serve()
    url = f"/goals/{goal_id}/edit"
    tabs = [live.signed_in(world.people["patient"].email) for _ in range(CLIENTS)]
    pages = [tab.get(url) for tab in tabs]
    assert {version_on(page) for page in pages} == {str(before)}

    forms = [
        {
            "csrf_token": csrf_token(page.text),
            "version": str(before),
            "title": f"Walk to the park (tab {n})",
            "area": "health",
            "visibility": "circle",
        }
        for n, page in enumerate(pages)
    ]

    answers = post_at_once(tabs, url, forms)

    assert statuses(answers) == {302: 1, 409: CLIENTS - 1}, statuses(answers)
    winner = next(n for n, a in enumerate(answers) if a.status_code == 302)
    assert answers[winner].headers["Location"] == f"/goals/{goal_id}"
    for n, answer in enumerate(answers):
        if n != winner:
            assert "changed in another window" in answer.text
            assert f'value="Walk to the park (tab {n})"' in answer.text  # their text is kept
    with app.app_context():
        goal = db.session.get_one(Goal, goal_id)
        assert goal.version == before + 1
        assert goal.title == f"Walk to the park (tab {winner})"
    live.assert_healthy()


def test_the_same_help_slot_taken_by_many_members_at_once(
    app: Flask, world: World, make_user: Callable[..., User], serve: Callable[..., LivePortal]
) -> None:
    circle_id, slot_id = world.circles["a"], world.slots["a"]
    helpers = add_members(app, make_user, circle_id, CLIENTS)
    live = serve()
    page = f"/circles/{circle_id}/treatment-days"
    action = f"/circles/{circle_id}/help-slots/{slot_id}/take"
    members = [live.signed_in(helper.email) for helper in helpers]
    tokens = [member.token(page) for member in members]

    answers = post_at_once(members, action, [{"csrf_token": token} for token in tokens])

    assert statuses(answers) == {302: CLIENTS}, statuses(answers)
    said = [member.follow(answer).text for member, answer in zip(members, answers, strict=True)]
    thanked = [n for n, text in enumerate(said) if "down to help" in text]
    assert len(thanked) == 1, thanked
    assert all(
        "Someone else took that one" in text for n, text in enumerate(said) if n != thanked[0]
    )
    with app.app_context():
        assert db.session.get_one(HelpSlot, slot_id).taken_by_id == helpers[thanked[0]].id
        assert count(BoardActivity, BoardActivity.kind == "slot_taken") == 1
    live.assert_healthy()


def test_the_same_question_approved_by_many_moderators_at_once(
    app: Flask, world: World, make_user: Callable[..., User], serve: Callable[..., LivePortal]
) -> None:
    with app.app_context():
        question = qa_services.ask(
            db.session.get_one(User, world.people["full"].id),
            title="How do we plan the weekend around treatment?",
            body="We never know how tired he will be.",
            topics=[],
            shared=True,
            anonymous=True,
            relationship="sibling",
        )
        db.session.commit()
        question_id, before = question.id, question.version
    moderators = [make_user("moderator") for _ in range(CLIENTS)]
    live = serve()
    page = f"/moderation/{question_id}"
    sessions = [live.signed_in(moderator.email) for moderator in moderators]
    forms = []
    for session in sessions:
        review = session.get(page)
        assert review.status_code == 200
        assert version_on(review) == str(before)
        forms.append({"csrf_token": csrf_token(review.text), "version": str(before)})

    answers = post_at_once(sessions, f"{page}/approve", forms)

    assert statuses(answers) == {302: CLIENTS}, statuses(answers)
    published = [n for n, a in enumerate(answers) if a.headers["Location"] == "/moderation"]
    assert len(published) == 1, [a.headers["Location"] for a in answers]
    for n, (session, answer) in enumerate(zip(sessions, answers, strict=True)):
        if n not in published:
            assert answer.headers["Location"] == page
            assert "Another moderator acted on this question first" in session.follow(answer).text
    with app.app_context():
        approved = db.session.get_one(Question, question_id)
        assert (approved.status, approved.version) == ("published", before + 1)
        assert count(AuditEvent, AuditEvent.action == "moderation.approved") == 1
        asker = world.people["full"].id
        told = Notification.kind == "question_published"
        assert count(Notification, told, Notification.user_id == asker) == 1
    live.assert_healthy()
