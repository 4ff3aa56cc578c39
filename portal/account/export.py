"""Everything a person wrote and everything the portal keeps about them, as JSON in a ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from portal.audit.models import AuditEvent
from portal.auth.models import User, UserSession
from portal.circles.models import CareCircle, Invitation, Membership
from portal.extensions import db
from portal.goals.models import Encouragement, Goal, GoalCheckIn, HelpOffer, HelpSlot
from portal.learning.models import ModuleStep, StepProgress, WellbeingCheckIn
from portal.qa.models import Answer, Observation, Question


def _row(obj: Any, *fields: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _suggestion(goal: Goal) -> dict[str, Any]:
    """A goal the person suggested: their words as they wrote them, never the goal as the
    patient has it now (the patient may have changed it, made it private or removed them)."""
    row: dict[str, Any] = {"suggested_at": _plain(goal.created_at)}
    if goal.suggested_title:
        row.update(title=goal.suggested_title, why=goal.suggested_why)
    else:
        row["title"] = row["why"] = None
        row["note"] = "Your words were not kept: this was suggested before the portal kept them."
    if goal.status in ("suggested", "declined"):
        row["status"] = "waiting" if goal.status == "suggested" else "declined"
    return row


def collect(person: User) -> dict[str, Any]:
    """A plain dictionary of the person's data (no other person's private words)."""
    uid = person.id
    own_circle = db.session.scalar(select(CareCircle).where(CareCircle.patient_id == uid))
    data: dict[str, Any] = {
        "profile": _row(
            person, "email", "display_name", "roles", "credentials", "created_at", "last_active_at"
        ),
        "sessions": [
            _row(s, "device", "created_at", "last_seen_at", "ended_at")
            for s in db.session.scalars(select(UserSession).where(UserSession.user_id == uid))
        ],
        "memberships": [
            {
                **_row(
                    m,
                    "circle_id",
                    "relationship_kind",
                    "can_see_board",
                    "can_encourage",
                    "can_see_timeline",
                    "joined_at",
                    "removed_at",
                )
            }
            for m in db.session.scalars(select(Membership).where(Membership.user_id == uid))
        ],
        "course_progress": [
            {
                "step": step.slug,
                **_row(
                    p,
                    "completed_at",
                    "answer",
                    "answered_correctly",
                    "reflection",
                    "reflection_updated_at",
                ),
            }
            for p, step in db.session.execute(
                select(StepProgress, ModuleStep)
                .join(ModuleStep, ModuleStep.id == StepProgress.step_id)
                .where(StepProgress.user_id == uid)
            )
        ],
        "wellbeing_checkins": [
            _row(c, "created_at", "tired", "worried", "alone", "confident", "know_what_to_say")
            for c in db.session.scalars(
                select(WellbeingCheckIn).where(WellbeingCheckIn.user_id == uid)
            )
        ],
        "goal_suggestions": [
            _suggestion(g)
            for g in db.session.scalars(select(Goal).where(Goal.suggested_by_id == uid))
        ],
        "encouragement_written": [
            _row(e, "goal_id", "body", "reaction", "created_at")
            for e in db.session.scalars(select(Encouragement).where(Encouragement.author_id == uid))
        ],
        "help_offered": [
            _row(o, "goal_id", "body", "status", "created_at")
            for o in db.session.scalars(select(HelpOffer).where(HelpOffer.author_id == uid))
        ],
        "help_slots_taken": [
            _row(s, "day_id", "need", "taken_at")
            for s in db.session.scalars(select(HelpSlot).where(HelpSlot.taken_by_id == uid))
        ],
        "questions_asked": [
            _row(q, "id", "title", "body", "status", "shared", "anonymous", "created_at")
            for q in db.session.scalars(select(Question).where(Question.asker_id == uid))
        ],
        "answers_written": [
            _row(a, "question_id", "body", "created_at")
            for a in db.session.scalars(select(Answer).where(Answer.clinician_id == uid))
        ],
        "observations_sent": [
            _row(
                o, "circle_id", "sleep", "activity", "mood", "after_treatment", "note", "created_at"
            )
            for o in db.session.scalars(select(Observation).where(Observation.author_id == uid))
        ],
        "audit_entries": [
            _row(e, "created_at", "action", "target_type", "target_id", "detail")
            for e in db.session.scalars(
                select(AuditEvent)
                .where(
                    or_(
                        AuditEvent.actor_id == uid,
                        (AuditEvent.target_type == "user") & (AuditEvent.target_id == uid),
                    )
                )
                .order_by(AuditEvent.created_at)
            )
        ],
    }
    if own_circle is not None:
        data["my_circle"] = {
            **_row(
                own_circle,
                "share_with_care_team",
                "observations_enabled",
                "card_what_helps",
                "card_please_dont_say",
                "card_early_signs",
                "card_who_to_call",
            ),
            "invitations_sent": [
                _row(i, "name", "email", "relationship_kind", "status", "created_at")
                for i in db.session.scalars(
                    select(Invitation).where(Invitation.circle_id == own_circle.id)
                )
            ],
            "goals": [
                {
                    **_row(
                        g,
                        "title",
                        "why",
                        "area",
                        "column",
                        "visibility",
                        "level_less",
                        "level_expected",
                        "level_more",
                        "status",
                        "created_at",
                    ),
                    "steps": [_row(s, "text", "done_at") for s in g.steps],
                    "check_ins": [
                        _row(c, "note", "energy", "level_reached", "created_at")
                        for c in db.session.scalars(
                            select(GoalCheckIn).where(GoalCheckIn.goal_id == g.id)
                        )
                    ],
                }
                for g in db.session.scalars(select(Goal).where(Goal.circle_id == own_circle.id))
            ],
        }
    return data


def as_zip(person: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "recovery-circle-data.json", json.dumps(collect(person), indent=2, ensure_ascii=False)
        )
        archive.writestr("README.txt", "Your data from Recovery Circle, as JSON. Times are UTC.\n")
    return buffer.getvalue()
