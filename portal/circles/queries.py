"""Circle lookups scoped to the person asking: what they may not see is a 404 (and audited)."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from portal import policy
from portal.audit.log import record_denied
from portal.auth.models import User
from portal.circles.models import AccessLogEntry, CareCircle, Invitation, InvitationKind, Membership
from portal.extensions import db

_CIRCLE_OF_PATIENT = select(CareCircle).where(CareCircle.patient_id == bindparam("patient_id"))


def circle_of_patient(patient: User) -> CareCircle | None:
    return db.session.scalar(_CIRCLE_OF_PATIENT, {"patient_id": patient.id})


def own_circle_or_404(actor: User) -> CareCircle:
    """The signed-in patient's own circle."""
    circle = circle_of_patient(actor)
    if circle is None:
        abort(404)
    return circle


def circle_with_members(circle_id: int) -> CareCircle | None:
    return db.session.scalar(
        select(CareCircle)
        .options(selectinload(CareCircle.memberships).joinedload(Membership.user))
        .where(CareCircle.id == circle_id)
    )


def member_invitations(circle: CareCircle) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.circle_id == circle.id, Invitation.kind == InvitationKind.MEMBER)
            .order_by(Invitation.created_at.desc())
        )
    )


def membership_in_own_circle_or_404(actor: User, membership_id: int) -> Membership:
    """A membership of the actor's own circle; anyone else's is a 404, and the attempt audited."""
    membership = db.session.scalar(
        select(Membership)
        .options(joinedload(Membership.circle), joinedload(Membership.user))
        .where(Membership.id == membership_id)
    )
    if membership is None:
        abort(404)
    if membership.circle.patient_id != actor.id:
        record_denied(actor, "membership", membership_id)
        abort(404)
    return membership


def member_invitation_in_own_circle_or_404(actor: User, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.kind != InvitationKind.MEMBER:
        abort(404)
    circle = invitation.circle
    if circle is None or circle.patient_id != actor.id:
        record_denied(actor, "invitation", invitation_id)
        abort(404)
    return invitation


def sent_invitation_or_404(actor: User, invitation_id: int) -> Invitation:
    """A patient or staff invitation the actor sent (admins may manage any of them)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.kind == InvitationKind.MEMBER:
        abort(404)
    if invitation.inviter_id != actor.id and not actor.has_role("admin"):
        record_denied(actor, "invitation", invitation_id)
        abort(404)
    return invitation


def sent_invitations(actor: User) -> list[Invitation]:
    statement = select(Invitation).where(Invitation.kind != InvitationKind.MEMBER)
    if not actor.has_role("admin"):
        statement = statement.where(Invitation.inviter_id == actor.id)
    return list(db.session.scalars(statement.order_by(Invitation.created_at.desc()).limit(100)))


# Asked on every page a family member opens: built once, run with the person's id.
_MEMBERSHIPS_OF = (
    select(Membership)
    .options(joinedload(Membership.circle).joinedload(CareCircle.patient))
    .where(Membership.user_id == bindparam("user_id"), Membership.removed_at.is_(None))
    .order_by(Membership.joined_at)
)


def memberships_of(user: User) -> list[Membership]:
    """The circles a person belongs to now, with each patient loaded (for the circle switcher)."""
    return list(db.session.scalars(_MEMBERSHIPS_OF, {"user_id": user.id}))


def membership_of(user: User, circle_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.circle_id == circle_id)
    )


def circle_and_membership(
    actor: User, circle_id: int
) -> tuple[CareCircle | None, Membership | None]:
    circle = db.session.scalar(
        select(CareCircle).options(joinedload(CareCircle.patient)).where(CareCircle.id == circle_id)
    )
    return circle, membership_of(actor, circle_id) if circle is not None else None


def require_viewable(
    actor: User, circle_id: int, circle: CareCircle | None, membership: Membership | None
) -> CareCircle:
    """404 (and an audit line) unless the actor may open this circle."""
    if circle is None:
        abort(404)
    if not policy.can_open_circle(actor, circle, membership):
        record_denied(actor, "circle", circle_id)
        abort(404)
    return circle


def viewable_circle_or_404(actor: User, circle_id: int) -> tuple[CareCircle, Membership | None]:
    """A circle and the actor's membership in it, or 404 when the actor may not open it."""
    circle, membership = circle_and_membership(actor, circle_id)
    return require_viewable(actor, circle_id, circle, membership), membership


def access_log(circle: CareCircle, *, since: datetime) -> list[AccessLogEntry]:
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.circle_id == circle.id, AccessLogEntry.hour >= since)
            .order_by(AccessLogEntry.hour.desc())
            .limit(500)
        )
    )


def people_by_id(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def pending_invitation_count(circle: CareCircle, *, now: datetime) -> int:
    return len(
        db.session.scalars(
            select(Invitation.id).where(
                Invitation.circle_id == circle.id,
                Invitation.status == "pending",
                Invitation.expires_at > now,
            )
        ).all()
    )
