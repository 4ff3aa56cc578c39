"""Course actions: progress, answers, reflections, timeline, check-ins, clinicians' edits.
They flush but never commit; the route commits once."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from portal.audit.log import record
from portal.auth.models import User
from portal.circles.models import CareCircle
from portal.db import utcnow
from portal.extensions import db
from portal.learning.models import (
    LearnerSettings,
    ModuleStep,
    Phase,
    RecoveryTimeline,
    StepKind,
    StepProgress,
    StepRevision,
    WellbeingCheckIn,
)
from portal.learning.sync import add_revision, publish

REFLECTION_LIMIT = 5000


class LearningError(ValueError):
    """A request that cannot be done, with a message fit to show the person."""


def _progress(user: User, step: ModuleStep) -> StepProgress:
    progress = db.session.scalar(
        select(StepProgress).where(StepProgress.user_id == user.id, StepProgress.step_id == step.id)
    )
    if progress is None:
        progress = StepProgress(user_id=user.id, step_id=step.id)
        db.session.add(progress)
    progress.updated_at = utcnow()
    return progress


def complete_step(user: User, step: ModuleStep) -> StepProgress:
    progress = _progress(user, step)
    if progress.completed_at is None:
        progress.completed_at = utcnow()
    db.session.flush()
    return progress


def answer_check(user: User, step: ModuleStep, *, choice: int) -> StepProgress:
    """Record an answer (any answer completes the step; trying again is always allowed)."""
    if step.kind != StepKind.CHECK:
        raise LearningError("This step has no question.")
    options = step.options
    if not 0 <= choice < len(options):
        raise LearningError("Please choose one of the answers.")
    progress = complete_step(user, step)
    progress.answer = choice
    progress.answered_correctly = options[choice].correct
    return progress


def save_reflection(user: User, step: ModuleStep, *, text: str) -> StepProgress:
    """Private to its author: nobody else, patient or staff, ever sees it."""
    if step.kind != StepKind.REFLECTION:
        raise LearningError("This step has no reflection.")
    text = text.strip()
    if len(text) > REFLECTION_LIMIT:
        raise LearningError(f"Please keep your reflection under {REFLECTION_LIMIT} characters.")
    progress = complete_step(user, step)
    progress.reflection = text
    progress.reflection_updated_at = utcnow()
    return progress


def set_progress_sharing(user: User, *, share: bool) -> None:
    settings = db.session.get(LearnerSettings, user.id)
    if settings is None:
        settings = LearnerSettings(user_id=user.id)
        db.session.add(settings)
    settings.share_progress = share


def set_timeline(
    patient: User,
    circle: CareCircle,
    *,
    started_on: date | None,
    phase: str,
    hold_activity_modules: bool,
) -> RecoveryTimeline:
    if phase and phase not in {Phase.CAST.value, Phase.WAITING.value, Phase.THERAPY.value}:
        raise LearningError("Please choose one of the phases.")
    if started_on is not None and started_on > utcnow().date():
        raise LearningError("The treatment start cannot be in the future.")
    timeline = db.session.get(RecoveryTimeline, circle.id)
    if timeline is None:
        timeline = RecoveryTimeline(circle_id=circle.id)
        db.session.add(timeline)
    timeline.treatment_started_on = started_on
    timeline.phase = phase
    timeline.hold_activity_modules = hold_activity_modules
    timeline.updated_at = utcnow()
    db.session.flush()
    return timeline


def record_checkin(user: User, **answers: int) -> WellbeingCheckIn:
    for name, value in answers.items():
        if not 1 <= value <= 5:
            raise LearningError(f"Please answer every question ({name}).")
    checkin = WellbeingCheckIn(user_id=user.id, **answers)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def save_draft(
    clinician: User,
    step: ModuleStep,
    *,
    title: str,
    body: str,
    question: str,
    options_json: str,
    prompt: str,
    publish_now: bool,
    expected_revision_id: int | None,
) -> StepRevision:
    """Every save is a revision; publishing makes it what readers see."""
    if expected_revision_id != step.published_revision_id:
        raise LearningError(
            "Someone published a change to this step since you opened it. Your text is kept "
            "below: look at the newest version, then save again."
        )
    if not title.strip():
        raise LearningError("A step needs a title.")
    if step.kind == StepKind.CHECK:
        _validate_options(options_json)
    revision = add_revision(
        step,
        title=title.strip(),
        body=body,
        question=question,
        options_json=options_json,
        prompt=prompt,
        author_id=clinician.id,
        note="Edited in the portal",
    )
    record(
        "course.step_saved",
        actor=clinician,
        target_type="step",
        target_id=step.id,
        detail=f"revision {revision.number}",
    )
    if publish_now:
        publish_revision(clinician, step, revision)
    return revision


def publish_revision(clinician: User, step: ModuleStep, revision: StepRevision) -> None:
    publish(step, revision)
    record(
        "course.step_published",
        actor=clinician,
        target_type="step",
        target_id=step.id,
        detail=f"revision {revision.number}",
    )


def revert(clinician: User, step: ModuleStep, revision: StepRevision) -> StepRevision:
    """Publish an earlier revision's text again, as a new revision (history is never lost)."""
    again = add_revision(
        step,
        title=revision.title,
        body=revision.body,
        question=revision.question,
        options_json=revision.options_json,
        prompt=revision.prompt,
        author_id=clinician.id,
        note=f"Reverted to revision {revision.number}",
    )
    publish_revision(clinician, step, again)
    return again


def _validate_options(options_json: str) -> None:
    try:
        options = json.loads(options_json)
    except json.JSONDecodeError as error:
        raise LearningError("The answers could not be read.") from error
    if not isinstance(options, list) or len(options) < 2:
        raise LearningError("A check needs at least two answers.")
    if sum(bool(o.get("correct")) for o in options) != 1:
        raise LearningError("Mark exactly one answer as correct.")
    if not all(
        str(o.get("text", "")).strip() and str(o.get("explanation", "")).strip() for o in options
    ):
        raise LearningError("Every answer needs its text and an explanation.")
