"""A large, deterministic clinic for the benchmark and the query-count tests.

Rows go in with Core ``insert`` in batches (ids chosen here), so 2,000 circles with everything
around them take seconds, not the minutes the ORM's unit of work would need. The same random
seed always gives the same clinic.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from portal.auth.passwords import hash_password
from portal.circles.models import CareCircle, Membership
from portal.db import utcnow
from portal.extensions import db
from portal.goals.models import (
    Area,
    BoardActivity,
    Column,
    Encouragement,
    Goal,
    GoalCheckIn,
    GoalStep,
)
from portal.learning.models import ModuleStep, RecoveryTimeline, StepProgress
from portal.learning.sync import sync_course
from portal.qa.models import Answer, Question
from portal.qa.search import FTS_TABLE

PASSWORD = "bench-password-2026"
FILL_SEARCH_INDEX = (
    f"INSERT INTO {FTS_TABLE} (question_id, title, body) "  # noqa: S608 - constant names
    "SELECT id, title, body FROM questions WHERE status IN ('published', 'answered')"
)
RELATIONSHIPS = ("parent", "partner", "sibling", "child", "friend")
COLUMNS = tuple(c.value for c in Column)
AREAS = tuple(a.value for a in Area)

# Words families really use, so full-text search has realistic postings lists.
SUBJECTS = (
    "sleep",
    "appetite",
    "energy",
    "work",
    "school",
    "money",
    "chores",
    "friends",
    "driving",
    "crying",
    "anger",
    "silence",
    "screens",
    "exercise",
    "cooking",
    "routine",
    "holidays",
    "visits",
    "medication",
    "appointments",
    "infusions",
    "side effects",
    "tiredness",
    "worry",
)
OPENERS = (
    "How do I talk about",
    "Is it normal to see changes in",
    "What should I say about",
    "How long until things improve with",
    "Should I push a little on",
    "When do we worry about",
    "How can I help with",
    "Why is there no progress on",
    "What does recovery look like for",
)
DETAILS = (
    "since the treatment started",
    "after the second week",
    "when the weekend comes",
    "even though the mood is better",
    "and I feel lost",
    "and the family disagrees",
    "without making it worse",
    "while keeping my own life going",
)


@dataclass(frozen=True)
class Scale:
    """How big the clinic is; every other count follows from the number of circles."""

    circles: int = 2000
    family_per_circle: int = 4
    goals_per_circle: int = 10
    questions_per_circle: int = 5
    pending_questions: int = 60
    unanswered_questions: int = 200
    clinicians: int = 5
    moderators: int = 3


@dataclass
class Seeded:
    """What the benchmark needs to sign in and to point at."""

    password: str
    family_email: str
    patient_email: str
    moderator_email: str
    clinician_email: str
    circle_id: int
    goal_id: int
    question_id: int
    module_slug: str
    step_slug: str
    counts: dict[str, int] = field(default_factory=dict)


def batched(rows: Iterable[dict[str, Any]], size: int = 2000) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def put(name: str, rows: Iterable[dict[str, Any]]) -> int:
    table, count = table_of(name), 0
    for chunk in batched(rows):
        db.session.execute(insert(table), chunk)
        count += len(chunk)
    return count


def seed_clinic(scale: Scale, *, seed: int = 2026) -> Seeded:
    """Fill an empty, migrated database. Returns the accounts and objects to benchmark."""
    rng = random.Random(seed)
    now = utcnow()
    sync_course()
    db.session.flush()
    steps = db.session.execute(
        select(ModuleStep.id, ModuleStep.slug).where(ModuleStep.retired.is_(False))
    ).all()
    step_ids = [s.id for s in steps]
    password_hash = hash_password(PASSWORD)
    counts: dict[str, int] = {}

    users: list[dict[str, Any]] = []

    def person(email: str, name: str, roles: str) -> int:
        users.append(
            {
                "id": len(users) + 1,
                "email": email,
                "display_name": name,
                "password_hash": password_hash,
                "roles": roles,
                "active": True,
                "credentials": "LCSW" if "clinician" in roles else "",
                "created_at": now,
            }
        )
        return len(users)

    person("admin@bench.test", "Bench Admin", "admin")
    clinicians = [
        person(f"clinician{n}@bench.test", f"Dr. Bench {n}", "clinician")
        for n in range(scale.clinicians)
    ]
    for n in range(scale.moderators):
        person(f"moderator{n}@bench.test", f"Moderator {n}", "moderator")
    patients = [
        person(f"patient{n}@bench.test", f"Patient {n}", "patient") for n in range(scale.circles)
    ]
    family = [
        [
            person(f"family{c}-{k}@bench.test", f"Relative {c}-{k}", "family")
            for k in range(scale.family_per_circle)
        ]
        for c in range(scale.circles)
    ]
    counts["users"] = put("users", users)

    counts["care_circles"] = put(
        "care_circles",
        (
            {
                "id": c + 1,
                "patient_id": patient,
                "card_what_helps": "Short visits. Ask before you help.",
                "created_at": now,
            }
            for c, patient in enumerate(patients)
        ),
    )
    counts["memberships"] = put(
        Membership.__tablename__,
        (
            {
                "circle_id": c + 1,
                "user_id": member,
                "relationship_kind": RELATIONSHIPS[k % len(RELATIONSHIPS)],
                "can_see_board": True,
                "can_encourage": k != 3,
                "can_see_timeline": k < 2,
                "joined_at": now - timedelta(days=60),
                "consent_expires_at": now + timedelta(days=300),
            }
            for c, members in enumerate(family)
            for k, member in enumerate(members)
        ),
    )
    counts["recovery_timelines"] = put(
        RecoveryTimeline.__tablename__,
        (
            {
                "circle_id": c + 1,
                "treatment_started_on": (now - timedelta(days=rng.randint(1, 120))).date(),
                "phase": "",
                "updated_at": now,
            }
            for c in range(scale.circles)
        ),
    )
    counts.update(seed_boards(scale, rng, family, now))
    counts.update(seed_questions(scale, rng, family, clinicians, now))
    counts["step_progress"] = put(
        StepProgress.__tablename__,
        (
            {
                "user_id": member,
                "step_id": step_id,
                "completed_at": now - timedelta(days=rng.randint(0, 60)),
                "updated_at": now,
            }
            for members in family
            for member in members
            for step_id in step_ids[: rng.randint(0, len(step_ids))]
        ),
    )
    reset_sequences()
    db.session.commit()
    first_step = db.session.execute(
        select(ModuleStep.slug, ModuleStep.module_id).order_by(ModuleStep.id).limit(1)
    ).one()
    from portal.learning.models import CourseModule

    module_slug = db.session.scalar(
        select(CourseModule.slug).where(CourseModule.id == first_step.module_id)
    )
    return Seeded(
        password=PASSWORD,
        family_email="family0-0@bench.test",
        patient_email="patient0@bench.test",
        moderator_email="moderator0@bench.test",
        clinician_email="clinician0@bench.test",
        circle_id=1,
        goal_id=1,
        question_id=1,
        module_slug=str(module_slug),
        step_slug=first_step.slug,
        counts=counts,
    )


def seed_boards(
    scale: Scale, rng: random.Random, family: list[list[int]], now: Any
) -> dict[str, int]:
    goals, goal_steps, check_ins, messages, activity = [], [], [], [], []
    goal_id = 0
    for c in range(scale.circles):
        for g in range(scale.goals_per_circle):
            goal_id += 1
            area = AREAS[(c + g) % len(AREAS)]
            goals.append(
                {
                    "id": goal_id,
                    "circle_id": c + 1,
                    "title": f"{rng.choice(OPENERS).split()[0]} {rng.choice(SUBJECTS)} {g}",
                    "why": "To feel more like myself again.",
                    "area": area,
                    "column": COLUMNS[g % len(COLUMNS)],
                    "position": g,
                    "visibility": "circle",
                    "level_less": "Once",
                    "level_expected": "Twice a week",
                    "level_more": "Most days",
                    "status": "active",
                    "created_at": now - timedelta(days=g),
                    "updated_at": now - timedelta(days=g),
                    "version": 1,
                }
            )
            for position in range(3):
                goal_steps.append(
                    {
                        "goal_id": goal_id,
                        "text": f"Small step {position + 1}",
                        "position": position,
                        "done_at": now if position == 0 else None,
                    }
                )
            check_ins.append(
                {
                    "goal_id": goal_id,
                    "note": "A bit easier this week.",
                    "energy": rng.randint(1, 5),
                    "level_reached": rng.randint(-1, 1),
                    "created_at": now - timedelta(days=1),
                }
            )
            author = family[c][g % len(family[c])]
            messages.append(
                {
                    "goal_id": goal_id,
                    "author_id": author,
                    "body": "Proud of you for trying.",
                    "reaction": "",
                    "created_at": now - timedelta(hours=g),
                }
            )
            activity.append(
                {
                    "circle_id": c + 1,
                    "goal_id": goal_id,
                    "actor_id": author,
                    "kind": "encouraged",
                    "summary": "sent encouragement",
                    "created_at": now - timedelta(hours=g),
                }
            )
    return {
        "goals": put(Goal.__tablename__, goals),
        "goal_steps": put(GoalStep.__tablename__, goal_steps),
        "goal_check_ins": put(GoalCheckIn.__tablename__, check_ins),
        "encouragements": put(Encouragement.__tablename__, messages),
        "board_activity": put(BoardActivity.__tablename__, activity),
    }


def seed_questions(
    scale: Scale,
    rng: random.Random,
    family: list[list[int]],
    clinicians: list[int],
    now: Any,
) -> dict[str, int]:
    questions, answers = [], []
    total = scale.circles * scale.questions_per_circle
    extra = scale.pending_questions + scale.unanswered_questions
    for n in range(total + extra):
        circle = n % scale.circles
        asked = now - timedelta(hours=total + extra - n)
        subject = rng.choice(SUBJECTS)
        status = "answered"
        if n >= total:
            status = "pending" if n - total < scale.pending_questions else "published"
        questions.append(
            {
                "id": n + 1,
                "asker_id": family[circle][n % len(family[circle])],
                "asker_relationship": RELATIONSHIPS[n % len(RELATIONSHIPS)],
                "title": f"{rng.choice(OPENERS)} {subject}?",
                "body": f"We are unsure about {subject} {rng.choice(DETAILS)}. "
                f"Also {rng.choice(SUBJECTS)} {rng.choice(DETAILS)}.",
                "topics": "",
                "shared": True,
                "anonymous": n % 3 == 0,
                "status": status,
                "urgent": False,
                "me_too_count": rng.randint(0, 6),
                "created_at": asked,
                "published_at": None if status == "pending" else asked + timedelta(hours=1),
                "first_answered_at": asked + timedelta(hours=5) if status == "answered" else None,
                "version": 1,
            }
        )
        if status == "answered":
            answers.append(
                {
                    "question_id": n + 1,
                    "clinician_id": clinicians[n % len(clinicians)],
                    "body": f"Many families ask about {subject}. Changes come slowly, over "
                    "weeks. Keep invitations small and let the person say no.",
                    "helpful_count": rng.randint(0, 9),
                    "created_at": asked + timedelta(hours=5),
                    "updated_at": asked + timedelta(hours=5),
                    "version": 1,
                }
            )
    counts = {
        "questions": put(Question.__tablename__, questions),
        "answers": put(Answer.__tablename__, answers),
    }
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text(FILL_SEARCH_INDEX))
    return counts


def table_of(name: str) -> Table:
    return db.metadata.tables[name]


def reset_sequences() -> None:
    """PostgreSQL: explicit ids leave the sequences behind; move them past the data."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in ("users", CareCircle.__tablename__, Goal.__tablename__, Question.__tablename__):
        table = table_of(name)
        top = db.session.scalar(select(func.max(table.c.id))) or 0
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
            {"t": table.name, "v": top + 1},
        )
