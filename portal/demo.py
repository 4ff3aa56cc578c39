"""Demo people and content for ``make run``. Every feature adds its own demo data here."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import ROLE_LABELS, Role, User
from portal.auth.services import create_user
from portal.extensions import db

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


def sign_ins() -> list[tuple[str, str]]:
    return [
        (email, f"{name} ({', '.join(ROLE_LABELS[r] for r in sorted(roles))})")
        for email, name, roles, _ in DEMO_PEOPLE
    ]
