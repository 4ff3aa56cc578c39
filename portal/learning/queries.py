"""Course lookups. Each page loads modules, steps and the reader's progress in a few queries."""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import String, and_, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload, with_loader_criteria

from portal import policy
from portal.auth.models import User
from portal.circles.models import Membership
from portal.extensions import db
from portal.learning.models import (
    CourseModule,
    LearnerSettings,
    ModuleStep,
    RecoveryTimeline,
    StepProgress,
    StepRevision,
    WellbeingCheckIn,
)


@dataclass
class OutlineStep:
    id: int
    slug: str
    title: str
    module: OutlineModule = field(repr=False)


@dataclass
class OutlineModule:
    """A live module as plain data: enough for maps, progress and pacing, without bodies."""

    id: int
    slug: str
    title: str
    phase: str
    encourages_activity: bool
    always_open: bool
    steps: list[OutlineStep] = field(default_factory=list)


_OUTLINE = (
    select(
        CourseModule.id,
        CourseModule.slug,
        CourseModule.title,
        CourseModule.phase,
        CourseModule.encourages_activity,
        CourseModule.always_open,
        ModuleStep.id.label("step_id"),
        ModuleStep.slug.label("step_slug"),
        ModuleStep.title.label("step_title"),
    )
    .outerjoin(
        ModuleStep, and_(ModuleStep.module_id == CourseModule.id, ModuleStep.retired.is_(False))
    )
    .where(CourseModule.retired.is_(False))
    .order_by(CourseModule.position, ModuleStep.position)
)
_COMPLETED = select(StepProgress.step_id).where(
    StepProgress.user_id == bindparam("user_id"), StepProgress.completed_at.is_not(None)
)


_MODULE_TITLES = (
    select(CourseModule.slug, CourseModule.title)
    .where(CourseModule.retired.is_(False))
    .order_by(CourseModule.position)
)


def module_titles() -> list[tuple[str, str]]:
    """(slug, title) of each live module, in order: the topics a question can be about."""
    return [(row.slug, row.title) for row in db.session.execute(_MODULE_TITLES)]


def course_outline() -> list[OutlineModule]:
    """Live modules and their live steps in order, from plain rows (one query)."""
    modules: dict[int, OutlineModule] = {}
    for row in db.session.execute(_OUTLINE):
        module = modules.get(row.id)
        if module is None:
            module = modules[row.id] = OutlineModule(
                row.id, row.slug, row.title, row.phase, row.encourages_activity, row.always_open
            )
        if row.step_id is not None:
            module.steps.append(OutlineStep(row.step_id, row.step_slug, row.step_title, module))
    return list(modules.values())


def completed_steps(user: User) -> set[int]:
    return set(db.session.scalars(_COMPLETED, {"user_id": user.id}))


def next_step_for(
    person: User,
    modules: Sequence[OutlineModule | CourseModule],
    completed: Container[int],
    timeline: RecoveryTimeline | None,
) -> OutlineStep | ModuleStep | None:
    """Where the reader left off: the first step they may open and have not done."""
    for module in modules:
        if not policy.can_open_module(person, module, timeline):
            continue
        for step in module.steps:
            if step.id not in completed:
                return step
    return None


def modules_done(modules: Sequence[OutlineModule | CourseModule], completed: Container[int]) -> int:
    return sum(
        1 for module in modules if module.steps and all(s.id in completed for s in module.steps)
    )


@dataclass(frozen=True)
class WellbeingTotals:
    month: str
    people: int
    checkins: int
    strain: float
    confidence: float


SMALLEST_GROUP = 5  # months with fewer people are not shown, so nobody can be singled out


def wellbeing_totals() -> list[WellbeingTotals]:
    """Per month, across all families; months with fewer than five people are left out."""
    month = func.substr(func.cast(WellbeingCheckIn.created_at, String), 1, 7)
    rows = db.session.execute(
        select(
            month,
            func.count(func.distinct(WellbeingCheckIn.user_id)),
            func.count(WellbeingCheckIn.id),
            func.avg(WellbeingCheckIn.tired + WellbeingCheckIn.worried + WellbeingCheckIn.alone),
            func.avg(WellbeingCheckIn.confident + WellbeingCheckIn.know_what_to_say),
        )
        .group_by(month)
        .order_by(month.desc())
        .limit(24)
    )
    return [
        WellbeingTotals(
            str(m), int(people), int(count), round(float(strain), 1), round(float(confidence), 1)
        )
        for m, people, count, strain, confidence in rows
        if people >= SMALLEST_GROUP
    ]


def published_modules() -> list[CourseModule]:
    """Live modules in order, each with its live steps (one query: about fifty rows)."""
    return list(
        db.session.scalars(
            select(CourseModule)
            .where(CourseModule.retired.is_(False))
            .options(
                joinedload(CourseModule.steps),
                with_loader_criteria(ModuleStep, ModuleStep.retired.is_(False)),
            )
            .order_by(CourseModule.position)
        ).unique()
    )


def progress_by_step(user: User) -> dict[int, StepProgress]:
    return {
        p.step_id: p
        for p in db.session.scalars(select(StepProgress).where(StepProgress.user_id == user.id))
    }


def module_or_404(slug: str) -> CourseModule:
    module = db.session.scalar(
        select(CourseModule)
        .where(CourseModule.slug == slug, CourseModule.retired.is_(False))
        .options(
            selectinload(CourseModule.steps),
            with_loader_criteria(ModuleStep, ModuleStep.retired.is_(False)),
        )
    )
    if module is None:
        abort(404)
    return module


def step_in_module_or_404(module: CourseModule, slug: str) -> ModuleStep:
    for step in module.steps:
        if step.slug == slug:
            return step
    abort(404)


def step_or_404(step_id: int) -> ModuleStep:
    step = db.session.get(ModuleStep, step_id)
    if step is None or step.retired:
        abort(404)
    return step


def own_progress(user: User, step: ModuleStep) -> StepProgress | None:
    return db.session.scalar(
        select(StepProgress).where(StepProgress.user_id == user.id, StepProgress.step_id == step.id)
    )


def reflections(user: User) -> list[tuple[StepProgress, ModuleStep]]:
    rows = db.session.execute(
        select(StepProgress, ModuleStep)
        .join(ModuleStep, ModuleStep.id == StepProgress.step_id)
        .where(StepProgress.user_id == user.id, StepProgress.reflection != "")
        .order_by(StepProgress.reflection_updated_at.desc())
    )
    return [(progress, step) for progress, step in rows]


def settings_for(user: User) -> LearnerSettings:
    return db.session.get(LearnerSettings, user.id) or LearnerSettings(
        user_id=user.id, share_progress=True
    )


def timeline_for(circle_id: int) -> RecoveryTimeline | None:
    return db.session.get(RecoveryTimeline, circle_id)


@dataclass
class MemberProgress:
    shared: bool
    modules_done: list[str] = field(default_factory=list)


def progress_of_members(memberships: list[Membership]) -> dict[int, MemberProgress]:
    """Completed modules per member, only for members who share it (three queries)."""
    user_ids = [m.user_id for m in memberships]
    if not user_ids:
        return {}
    hidden = set(
        db.session.scalars(
            select(LearnerSettings.user_id).where(
                LearnerSettings.user_id.in_(user_ids), LearnerSettings.share_progress.is_(False)
            )
        )
    )
    live_steps = (
        select(ModuleStep.module_id, func.count(ModuleStep.id).label("total"))
        .where(ModuleStep.retired.is_(False))
        .group_by(ModuleStep.module_id)
        .subquery()
    )
    done = db.session.execute(
        select(
            StepProgress.user_id,
            CourseModule.title,
            CourseModule.position,
            func.count(StepProgress.id),
            live_steps.c.total,
        )
        .join(ModuleStep, ModuleStep.id == StepProgress.step_id)
        .join(CourseModule, CourseModule.id == ModuleStep.module_id)
        .join(live_steps, live_steps.c.module_id == CourseModule.id)
        .where(
            StepProgress.user_id.in_(user_ids),
            StepProgress.completed_at.is_not(None),
            ModuleStep.retired.is_(False),
        )
        .group_by(
            StepProgress.user_id, CourseModule.title, CourseModule.position, live_steps.c.total
        )
        .order_by(CourseModule.position)
    )
    result = {m.user_id: MemberProgress(shared=m.user_id not in hidden) for m in memberships}
    for user_id, title, _position, count, total in done:
        if user_id not in hidden and count >= total:
            result[user_id].modules_done.append(title)
    return result


def revisions_of(step: ModuleStep) -> list[StepRevision]:
    return list(
        db.session.scalars(
            select(StepRevision)
            .where(StepRevision.step_id == step.id)
            .order_by(StepRevision.number.desc())
        )
    )


def revision_or_404(step: ModuleStep, revision_id: int) -> StepRevision:
    revision = db.session.get(StepRevision, revision_id)
    if revision is None or revision.step_id != step.id:
        abort(404)
    return revision


def checkins(user: User) -> list[WellbeingCheckIn]:
    return list(
        db.session.scalars(
            select(WellbeingCheckIn)
            .where(WellbeingCheckIn.user_id == user.id)
            .order_by(WellbeingCheckIn.created_at.desc())
            .limit(52)
        )
    )
