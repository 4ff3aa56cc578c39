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
    sync_course()


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


def sign_ins() -> list[tuple[str, str]]:
    return [
        (email, f"{name} ({', '.join(ROLE_LABELS[r] for r in sorted(roles))})")
        for email, name, roles, _ in DEMO_PEOPLE
    ]
