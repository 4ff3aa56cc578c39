"""Aggregates only: no query here returns anything about one person."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.auth.models import User, UserSession
from portal.circles.models import Membership
from portal.db import as_utc
from portal.extensions import db
from portal.learning.models import CourseModule, ModuleStep, StepProgress
from portal.qa.models import Question

WEEKS = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _week_start(moment: datetime) -> datetime:
    moment = as_utc(moment)
    start = moment - timedelta(days=moment.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def _weeks(now: datetime) -> list[datetime]:
    first = _week_start(now) - timedelta(weeks=WEEKS - 1)
    return [first + timedelta(weeks=n) for n in range(WEEKS)]


def active_by_week(now: datetime) -> tuple[list[Bar], list[Bar]]:
    """Family members signed in, and circles with at least one of them, per week."""
    weeks = _weeks(now)
    rows = db.session.execute(
        select(UserSession.user_id, UserSession.last_seen_at, Membership.circle_id)
        .join(User, User.id == UserSession.user_id)
        .join(Membership, Membership.user_id == User.id)
        .where(UserSession.last_seen_at >= weeks[0], Membership.removed_at.is_(None))
    ).all()
    people: dict[datetime, set[int]] = defaultdict(set)
    circles: dict[datetime, set[int]] = defaultdict(set)
    for user_id, seen, circle_id in rows:
        week = _week_start(seen)
        people[week].add(user_id)
        circles[week].add(circle_id)
    label = "%b %-d"
    return (
        [Bar(w.strftime(label), len(circles[w])) for w in weeks],
        [Bar(w.strftime(label), len(people[w])) for w in weeks],
    )


def completion_by_module() -> list[Bar]:
    """How many people finished each module."""
    totals = dict(
        db.session.execute(
            select(ModuleStep.module_id, func.count(ModuleStep.id))
            .where(ModuleStep.retired.is_(False))
            .group_by(ModuleStep.module_id)
        ).all()
    )
    done = db.session.execute(
        select(ModuleStep.module_id, StepProgress.user_id, func.count(StepProgress.id))
        .join(ModuleStep, ModuleStep.id == StepProgress.step_id)
        .where(StepProgress.completed_at.is_not(None), ModuleStep.retired.is_(False))
        .group_by(ModuleStep.module_id, StepProgress.user_id)
    ).all()
    finished: dict[int, int] = defaultdict(int)
    for module_id, _user, count in done:
        if count >= totals.get(module_id, 0) > 0:
            finished[module_id] += 1
    modules = db.session.scalars(
        select(CourseModule).where(CourseModule.retired.is_(False)).order_by(CourseModule.position)
    )
    return [Bar(f"{m.position}. {m.title}", finished[m.id]) for m in modules]


def questions_by_week(now: datetime) -> tuple[list[Bar], list[Bar]]:
    """Questions asked, and the median hours to a first answer, per week."""
    weeks = _weeks(now)
    rows = db.session.execute(
        select(Question.created_at, Question.first_answered_at).where(
            Question.created_at >= weeks[0]
        )
    ).all()
    asked: dict[datetime, int] = defaultdict(int)
    waits: dict[datetime, list[float]] = defaultdict(list)
    for created, answered in rows:
        week = _week_start(created)
        asked[week] += 1
        if answered is not None:
            waits[week].append((as_utc(answered) - as_utc(created)).total_seconds() / 3600)
    label = "%b %-d"
    return (
        [Bar(w.strftime(label), asked[w]) for w in weeks],
        [
            Bar(w.strftime(label), round(statistics.median(waits[w]), 1) if waits[w] else 0)
            for w in weeks
        ],
    )
