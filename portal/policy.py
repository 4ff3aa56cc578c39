"""The access policy: who may see or do what. Every route and template asks these functions.

Each function is pure: it takes the actor and the objects (and the actor's membership in the
circle, loaded by the scoped query) and answers yes or no. Routes load objects through scoped
queries first, so what a person may not see is a 404; then they ask here before acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.auth.models import Role
from portal.circles.models import CareCircle, Membership
from portal.db import as_utc, utcnow
from portal.goals.models import Goal
from portal.learning.models import RecoveryTimeline
from portal.learning.pacing import ModuleFacts, waits_for_therapy
from portal.qa.models import Answer, Question


def _signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _holds(actor: Any, role: Role) -> bool:
    return _signed_in(actor) and actor.has_role(role.value)


def is_staff(actor: Any) -> bool:
    """Clinicians, moderators and admins."""
    return _signed_in(actor) and bool(actor.is_staff)


def can_administer(actor: Any) -> bool:
    """Admins run the portal: people, roles and the audit log."""
    return _holds(actor, Role.ADMIN)


def can_view_audit_log(actor: Any) -> bool:
    """Only admins read the audit log."""
    return _holds(actor, Role.ADMIN)


# --- Invitations into the portal --------------------------------------------------------------


def invitable_roles(actor: Any) -> list[str]:
    """Admins invite clinicians, moderators and patients; clinicians invite patients."""
    if _holds(actor, Role.ADMIN):
        return [Role.CLINICIAN.value, Role.MODERATOR.value, Role.PATIENT.value]
    if _holds(actor, Role.CLINICIAN):
        return [Role.PATIENT.value]
    return []


def can_invite_staff_or_patients(actor: Any) -> bool:
    """Anyone who may invite at least one kind of person from the staff invitation page."""
    return bool(invitable_roles(actor))


# --- Care circles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Permissions:
    """What a member may do in a circle right now (after removal and consent lapse)."""

    see_board: bool = False
    encourage: bool = False
    see_timeline: bool = False


NOTHING = Permissions()


def consent_lapsed(membership: Membership, now: datetime | None = None) -> bool:
    return as_utc(membership.consent_expires_at) <= (now or utcnow())


def effective_permissions(
    membership: Membership | None, now: datetime | None = None
) -> Permissions:
    """A removed member has nothing; a member whose consent lapsed is back to course only."""
    if membership is None or not membership.active or consent_lapsed(membership, now):
        return NOTHING
    board = membership.can_see_board
    return Permissions(
        see_board=board,
        encourage=board and membership.can_encourage,
        see_timeline=membership.can_see_timeline,
    )


def is_circle_patient(actor: Any, circle: CareCircle) -> bool:
    """The patient whose circle it is."""
    return _signed_in(actor) and actor.id == circle.patient_id


def is_active_member(actor: Any, membership: Membership | None) -> bool:
    return (
        _signed_in(actor)
        and membership is not None
        and membership.user_id == actor.id
        and membership.active
    )


def _care_team_sees(actor: Any, circle: CareCircle) -> bool:
    return _holds(actor, Role.CLINICIAN) and circle.share_with_care_team


def can_manage_circle(actor: Any, circle: CareCircle) -> bool:
    """Only the patient invites, changes permissions, removes members and edits the card."""
    return is_circle_patient(actor, circle)


def can_open_circle(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """The patient, current members (even course-only ones) and a care team it is shared with."""
    return (
        is_circle_patient(actor, circle)
        or is_active_member(actor, membership)
        or _care_team_sees(actor, circle)
    )


def can_view_board(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """The patient; members allowed to see the board; the care team if the patient shares."""
    if is_circle_patient(actor, circle) or _care_team_sees(actor, circle):
        return True
    return is_active_member(actor, membership) and effective_permissions(membership).see_board


def can_view_support_card(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """Shared with exactly the people who may see the board."""
    return can_view_board(actor, circle, membership)


def can_encourage(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """Members with the encourage permission (which needs the board permission)."""
    return is_active_member(actor, membership) and effective_permissions(membership).encourage


def can_view_timeline(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """The patient; members allowed to see the timeline; the care team if the patient shares."""
    if is_circle_patient(actor, circle) or _care_team_sees(actor, circle):
        return True
    return is_active_member(actor, membership) and effective_permissions(membership).see_timeline


# --- The course ------------------------------------------------------------------------------


def can_edit_course(actor: Any) -> bool:
    """Clinicians keep the course content right."""
    return _holds(actor, Role.CLINICIAN)


def can_view_wellbeing_totals(actor: Any) -> bool:
    """Admins and clinicians see totals of family check-ins, never one person's answers."""
    return _holds(actor, Role.ADMIN) or _holds(actor, Role.CLINICIAN)


def can_open_module(actor: Any, module: ModuleFacts, timeline: RecoveryTimeline | None) -> bool:
    """Everyone may read, but a module on encouraging activity waits for the patient's say-so
    in their circle (the patient and staff may always read the whole course)."""
    if is_staff(actor) or _holds(actor, Role.PATIENT):
        return True
    return not waits_for_therapy(module, timeline)


# --- The goal board --------------------------------------------------------------------------


def can_view_goal(
    actor: Any,
    goal: Goal,
    circle: CareCircle,
    membership: Membership | None,
    viewer_ids: frozenset[int],
) -> bool:
    """The patient sees every goal; others see active goals by their visibility (the care team
    only whole-circle ones), and a suggester sees their own suggestion."""
    if is_circle_patient(actor, circle):
        return True
    if goal.status != "active":
        return (
            _signed_in(actor)
            and goal.suggested_by_id == actor.id
            and is_active_member(actor, membership)
        )
    if not can_view_board(actor, circle, membership):
        return False
    if goal.visibility == "circle":
        return True
    if goal.visibility == "chosen":
        return is_active_member(actor, membership) and actor.id in viewer_ids
    return False


def can_encourage_goal(
    actor: Any,
    goal: Goal,
    circle: CareCircle,
    membership: Membership | None,
    viewer_ids: frozenset[int],
) -> bool:
    """Members with the encourage permission, on active goals they may see."""
    return (
        goal.status == "active"
        and can_encourage(actor, circle, membership)
        and can_view_goal(actor, goal, circle, membership, viewer_ids)
    )


def can_send_held(
    actor: Any,
    author_id: int | None,
    goal: Goal,
    circle: CareCircle,
    membership: Membership | None,
    viewer_ids: frozenset[int],
) -> bool:
    """Held words of crisis are sent only by their writer, while they may still encourage."""
    return (
        _signed_in(actor)
        and author_id is not None
        and author_id == actor.id
        and can_encourage_goal(actor, goal, circle, membership, viewer_ids)
    )


def can_suggest_goal(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """Members with the encourage permission may suggest; only the patient creates goals."""
    return can_encourage(actor, circle, membership)


def can_take_help_slot(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """Members who may see the board sign up to help on treatment days."""
    return is_active_member(actor, membership) and effective_permissions(membership).see_board


# --- Questions and answers --------------------------------------------------------------------

PUBLIC_STATES = frozenset({"published", "answered"})


def can_ask(actor: Any) -> bool:
    """Patients and family members ask; staff answer and moderate."""
    return _holds(actor, Role.PATIENT) or _holds(actor, Role.FAMILY)


def can_moderate(actor: Any) -> bool:
    """Moderators see who asked and review every question before it is published."""
    return _holds(actor, Role.MODERATOR)


def can_approve_questions(actor: Any) -> bool:
    """Publishing a question."""
    return _holds(actor, Role.MODERATOR)


def can_edit_questions(actor: Any) -> bool:
    """Changing an asker's words (kept apart from approving so a clinic can split the two)."""
    return _holds(actor, Role.MODERATOR)


def can_answer(actor: Any) -> bool:
    """Clinicians answer, publicly and privately."""
    return _holds(actor, Role.CLINICIAN)


def can_edit_answer(actor: Any, answer: Answer) -> bool:
    """The clinician who wrote it, so families never read new words under another clinician's
    name; an answer whose author has left may be corrected by any clinician (it then says who)."""
    if not can_answer(actor):
        return False
    author = answer.clinician
    return answer.clinician_id == actor.id or author is None or not author.active


def can_view_question(actor: Any, question: Question) -> bool:
    """Published questions: anyone signed in. Before that: the asker and moderators. Private
    ones: the asker and clinicians only."""
    if not _signed_in(actor):
        return False
    if question.status in PUBLIC_STATES:
        return True
    if question.asker_id == actor.id:
        return True
    if question.status in {"private_pending", "private"}:
        return can_answer(actor)
    return can_moderate(actor)


def asker_label(actor: Any, question: Question) -> str:
    """Who asked, as this person may know it: moderators see the name; clinicians see the
    relationship only when anonymous; other families see "a family member"."""
    if question.asker is None:
        return "a former member"
    if can_moderate(actor) or not question.anonymous:
        return str(question.asker.display_name)
    if is_staff(actor):
        return f"a family member ({question.asker_relationship or 'relationship not given'})"
    return "a family member"


def can_send_observation(actor: Any, circle: CareCircle, membership: Membership | None) -> bool:
    """Current members, where the patient has turned the "I noticed" channel on."""
    return circle.observations_enabled and is_active_member(actor, membership)


def can_view_queue_health(actor: Any) -> bool:
    """Admins watch how long families wait."""
    return _holds(actor, Role.ADMIN)


def can_view_overview(actor: Any) -> bool:
    """Admins and clinicians see the clinic's totals."""
    return _holds(actor, Role.ADMIN) or _holds(actor, Role.CLINICIAN)
