"""Demo people and content for ``make run``. Every feature adds its own demo data here."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import ROLE_LABELS, Role, User
from portal.auth.services import create_user
from portal.db import utcnow
from portal.extensions import db
from portal.learning.sync import sync_course

DEMO_PEOPLE = (
    ("admin@demo.recovery-circle.test", "Avery Admin", {Role.ADMIN}, ""),
    ("clinician@demo.recovery-circle.test", "Dr. Casey Morgan", {Role.CLINICIAN}, "MD, psychiatry"),
    ("moderator@demo.recovery-circle.test", "Morgan Reyes", {Role.MODERATOR}, ""),
    ("sam@demo.recovery-circle.test", "Sam Patel", {Role.PATIENT}, ""),
    ("jordan@demo.recovery-circle.test", "Jordan Lee", {Role.PATIENT}, ""),
    ("priya@demo.recovery-circle.test", "Priya Patel", {Role.FAMILY}, ""),
    ("dev@demo.recovery-circle.test", "Dev Patel", {Role.FAMILY}, ""),
    ("alex@demo.recovery-circle.test", "Alex Lee", {Role.FAMILY}, ""),
    ("rita@demo.recovery-circle.test", "Rita Lee", {Role.FAMILY}, ""),
)


def seed(*, password: str) -> None:
    """Create the demo accounts that do not exist yet (safe to run again)."""
    existing = set(db.session.scalars(select(User.email)))
    for email, name, roles, credentials in DEMO_PEOPLE:
        if email in existing:
            continue
        user = create_user(
            email=email, display_name=name, password=password, roles={r.value for r in roles}
        )
        user.credentials = credentials
    db.session.flush()
    _seed_circles()
    _seed_board()
    sync_course()
    _seed_questions()


CIRCLES = {
    "sam@demo.recovery-circle.test": [
        ("priya@demo.recovery-circle.test", "partner", True, True, True),
        ("dev@demo.recovery-circle.test", "sibling", True, False, False),
    ],
    "jordan@demo.recovery-circle.test": [
        ("alex@demo.recovery-circle.test", "parent", True, True, True),
        ("rita@demo.recovery-circle.test", "friend", False, False, False),
    ],
}


def _seed_circles() -> None:
    from flask import current_app

    from portal.circles.models import Membership
    from portal.circles.services import ensure_circle

    people = {u.email: u for u in db.session.scalars(select(User))}
    for patient_email, members in CIRCLES.items():
        circle = ensure_circle(people[patient_email])
        existing = {m.user_id for m in circle.memberships}
        for email, relationship, board, encourage, timeline in members:
            if people[email].id in existing:
                continue
            db.session.add(
                Membership(
                    circle_id=circle.id,
                    user_id=people[email].id,
                    relationship_kind=relationship,
                    can_see_board=board,
                    can_encourage=encourage,
                    can_see_timeline=timeline,
                    consent_expires_at=utcnow() + current_app.config["CONSENT_PERIOD"],
                )
            )
        if patient_email.startswith("sam") and not circle.has_support_card:
            circle.card_what_helps = "A short walk after dinner. A text that needs no answer."
            circle.card_please_dont_say = (
                '"Just think positive." Questions about when I go back to work.'
            )
            circle.card_early_signs = "I stop answering messages and sleep late most days."
            circle.card_who_to_call = (
                "My clinic during office hours. Call or text **988** any time."
            )
            circle.card_version = 1
    db.session.flush()


def _seed_board() -> None:
    """A lived-in board for Sam, so every part of it shows in the demo."""
    from datetime import timedelta

    from portal.circles.queries import circle_of_patient
    from portal.goals.models import (
        Encouragement,
        Goal,
        GoalCheckIn,
        GoalStep,
        HelpOffer,
        HelpSlot,
        TreatmentDay,
    )

    people = {u.email: u for u in db.session.scalars(select(User))}
    sam = people["sam@demo.recovery-circle.test"]
    priya = people["priya@demo.recovery-circle.test"]
    circle = circle_of_patient(sam)
    if circle is None or db.session.scalar(select(Goal.id).where(Goal.circle_id == circle.id)):
        return
    walk = Goal(
        circle_id=circle.id,
        title="A short walk most days",
        area="health",
        column="doing",
        why="Fresh air helps my head, even when I don't feel like it.",
        level_less="Stand outside for five minutes",
        level_expected="Walk to the corner shop",
        level_more="Walk round the park",
        position=1,
        steps=[
            GoalStep(text="Put my shoes by the door", position=0, done_at=utcnow()),
            GoalStep(text="Walk to the corner", position=1),
        ],
    )
    call = Goal(
        circle_id=circle.id,
        title="Call my old friend Ana",
        area="relationships",
        column="this_week",
        position=2,
        steps=[GoalStep(text="Find her number", position=0)],
    )
    work = Goal(
        circle_id=circle.id,
        title="Think about going back to work",
        area="work",
        column="resting",
        position=3,
        why="Not yet. It can wait until I feel steadier.",
    )
    cook = Goal(
        circle_id=circle.id,
        title="Cook a simple dinner once a week",
        area="home",
        column="ideas",
        position=4,
    )
    db.session.add_all([walk, call, work, cook])
    db.session.flush()
    db.session.add_all(
        [
            GoalCheckIn(
                goal_id=walk.id, note="Made it to the corner today.", energy=2, level_reached=0
            ),
            Encouragement(
                goal_id=walk.id,
                author_id=priya.id,
                body="So glad you got out today.",
                reaction="proud",
            ),
            HelpOffer(goal_id=walk.id, author_id=priya.id, body="I can walk with you on Saturday"),
            TreatmentDay(
                circle_id=circle.id,
                starts_at=utcnow() + timedelta(days=4),
                place="Main Street clinic",
                note="Usually done by noon.",
                slots=[
                    HelpSlot(need="A ride home", taken_by_id=priya.id),
                    HelpSlot(need="A meal afterwards"),
                ],
            ),
        ]
    )
    db.session.flush()


DEMO_ANSWER = (
    "Feeling better and having energy back are two different parts of healing. Mood can lift "
    "quickly, while sleep, energy and routine often take weeks to follow. Keep an eye on the "
    "overall direction rather than single days, and mention big changes in sleep to the care "
    "team."
)


def _seed_questions() -> None:
    """A few published, answered and waiting questions so every Q&A page has content."""
    from portal.qa.models import Answer, Question
    from portal.qa.search import index_question

    if db.session.scalar(select(Question.id).limit(1)):
        return
    people = {u.email: u for u in db.session.scalars(select(User))}
    clinician = people["clinician@demo.recovery-circle.test"]
    now = utcnow()
    answered = Question(
        asker_id=people["priya@demo.recovery-circle.test"].id,
        asker_relationship="Partner",
        title="Why does my partner still seem tired after the good days?",
        body="The first treatments helped a lot, but some days he sleeps until noon.",
        topics="fast-relief",
        anonymous=True,
        status="answered",
        published_at=now,
        first_answered_at=now,
        me_too_count=2,
    )
    waiting = Question(
        asker_id=people["alex@demo.recovery-circle.test"].id,
        asker_relationship="Parent",
        title="How do I bring up going back to school without pushing?",
        topics="not-lazy",
        anonymous=True,
        status="published",
        published_at=now,
    )
    pending = Question(
        asker_id=people["dev@demo.recovery-circle.test"].id,
        asker_relationship="Brother or sister",
        title="Is it okay to ask my brother how his treatment went?",
        anonymous=True,
        status="pending",
    )
    db.session.add_all([answered, waiting, pending])
    db.session.flush()
    db.session.add(
        Answer(
            question_id=answered.id,
            clinician_id=clinician.id,
            body=DEMO_ANSWER,
        )
    )
    for question in (answered, waiting):
        index_question(question)


def sign_ins() -> list[tuple[str, str]]:
    return [
        (email, f"{name} ({', '.join(ROLE_LABELS[r] for r in sorted(roles))})")
        for email, name, roles, _ in DEMO_PEOPLE
    ]
