"""Circle actions: invitations, joining, permissions, removal, sharing and the support card.

Services flush but never commit (the route commits once), take keyword arguments, and raise
``CircleError`` with a message fit to show the person.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.log import record
from portal.auth.models import Role, User
from portal.auth.services import create_user, find_user_by_email, normalise_email
from portal.circles.models import (
    AccessLogEntry,
    CareCircle,
    Invitation,
    InvitationKind,
    Membership,
    Relationship,
)
from portal.circles.queries import circle_of_patient, pending_invitation_count
from portal.core.deferred import defer_write
from portal.core.tokens import token_digest
from portal.core.versioning import flush_versioned
from portal.db import as_utc, insert_or_ignore, utcnow
from portal.extensions import db
from portal.notifications.inbox import notify
from portal.notifications.mail import clinic_name, queue_email


class CircleError(ValueError):
    """Something the person asked for cannot be done; the message says why."""


class ConflictError(CircleError):
    """Someone else changed the same thing first; nothing was overwritten."""


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    link: str


def ensure_circle(patient: User) -> CareCircle:
    """The patient's circle, created the first time it is needed."""
    circle = circle_of_patient(patient)
    if circle is None:
        circle = CareCircle(patient_id=patient.id)
        db.session.add(circle)
        db.session.flush()
    return circle


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)  # 192 bits from the OS's secure source
    return token, token_digest(token)


def _link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/join/{token}"


def _issue(invitation: Invitation, *, base_url: str) -> IssuedInvitation:
    token, digest = _new_token()
    now = utcnow()
    invitation.token_hash = digest
    invitation.sent_at = now
    invitation.expires_at = now + current_app.config["INVITATION_MAX_AGE"]
    db.session.add(invitation)
    db.session.flush()
    link = _link(base_url, token)
    inviter = invitation.inviter
    queue_email(
        invitation.email,
        f"You are invited to {clinic_name()}",
        "invitation",
        invitation=invitation,
        inviter_name=inviter.display_name if inviter else "Your clinic",
        link=link,
        days=current_app.config["INVITATION_MAX_AGE"].days,
    )
    return IssuedInvitation(invitation, link)


def invite_member(
    patient: User,
    circle: CareCircle,
    *,
    name: str,
    email: str,
    relationship: str,
    see_board: bool,
    encourage: bool,
    see_timeline: bool,
    base_url: str,
) -> IssuedInvitation:
    """A patient invites a relative or friend, choosing what they may see."""
    email = normalise_email(email)
    now = utcnow()
    if relationship not in {r.value for r in Relationship}:
        raise CircleError("Please choose how you know this person.")
    if email == patient.email:
        raise CircleError("That is your own email address.")
    if encourage and not see_board:
        raise CircleError("To encourage and offer help, they also need to see your goal board.")
    active_emails = {m.user.email for m in circle.memberships if m.active}
    if email in active_emails:
        raise CircleError("That person is already in your circle.")
    for pending in db.session.scalars(
        select(Invitation).where(
            Invitation.circle_id == circle.id,
            Invitation.email == email,
            Invitation.status == "pending",
            Invitation.expires_at > now,
        )
    ):
        raise CircleError(
            f"You already invited {pending.name}. You can send that invitation again below."
        )
    cap = current_app.config["INVITATION_PENDING_CAP"]
    if pending_invitation_count(circle, now=now) >= cap:
        raise CircleError(
            f"You have {cap} invitations waiting. Cancel one or wait for people to join first."
        )
    invitation = Invitation(
        kind=InvitationKind.MEMBER.value,
        circle_id=circle.id,
        inviter_id=patient.id,
        inviter=patient,
        email=email,
        name=name.strip(),
        relationship_kind=relationship,
        can_see_board=see_board,
        can_encourage=encourage,
        can_see_timeline=see_timeline,
    )
    issued = _issue(invitation, base_url=base_url)
    record(
        "invitation.sent",
        actor=patient,
        target_type="invitation",
        target_id=invitation.id,
        detail=f"member, {relationship}",
    )
    return issued


def invite_person(
    actor: User, *, role: str, name: str, email: str, allowed_roles: list[str], base_url: str
) -> IssuedInvitation:
    """Staff invite patients, and admins invite clinicians and moderators."""
    if role not in allowed_roles:
        raise CircleError("You cannot invite someone with that role.")
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None and existing.has_role(role):
        raise CircleError("That person already has an account with that role.")
    pending = db.session.scalar(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.roles == role,
            Invitation.status == "pending",
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise CircleError("That person already has an invitation waiting. Send it again below.")
    kind = InvitationKind.PATIENT if role == Role.PATIENT else InvitationKind.STAFF
    invitation = Invitation(
        kind=kind.value,
        inviter_id=actor.id,
        inviter=actor,
        email=email,
        name=name.strip(),
        roles=role,
    )
    issued = _issue(invitation, base_url=base_url)
    record(
        "invitation.sent",
        actor=actor,
        target_type="invitation",
        target_id=invitation.id,
        detail=role,
    )
    return issued


def resend(actor: User, invitation: Invitation, *, base_url: str) -> IssuedInvitation:
    """A new link with a new expiry; the old link stops working at once."""
    if invitation.status != "pending":
        raise CircleError("Only invitations that have not been used can be sent again.")
    issued = _issue(invitation, base_url=base_url)
    record("invitation.resent", actor=actor, target_type="invitation", target_id=invitation.id)
    return issued


def revoke(actor: User, invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise CircleError("That invitation is no longer waiting.")
    invitation.status = "revoked"
    invitation.ended_at = utcnow()
    record("invitation.revoked", actor=actor, target_type="invitation", target_id=invitation.id)


def invitation_for_token(token: str) -> Invitation | None:
    """A pending, unexpired invitation for this link, or None (one answer for every failure)."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest(token))
    )
    if invitation is None or invitation.state(utcnow()) != "pending":
        return None
    return invitation


def accept(invitation: Invitation, person: User) -> None:
    """Join with an existing account. Exactly one acceptance wins, even if two arrive at once."""
    if normalise_email(person.email) != invitation.email:
        raise CircleError("This invitation was sent to a different email address.")
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == "pending")
        .values(status="accepted", ended_at=utcnow(), accepted_user_id=person.id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise CircleError("This invitation has already been used.")
    db.session.refresh(invitation)
    if invitation.kind == InvitationKind.MEMBER:
        _join_circle(invitation, person)
    else:
        person.roles = " ".join(sorted(person.role_set | {invitation.roles}))
        if invitation.roles == Role.PATIENT:
            ensure_circle(person)
    record("invitation.accepted", actor=person, target_type="invitation", target_id=invitation.id)
    inviter = invitation.inviter
    if inviter is not None and inviter.active:
        # Emailed (or not) as the inviter chose for "My circle", like every other notice.
        notify(
            [inviter.id],
            kind="invitation_accepted",
            message=f"{person.display_name} accepted your invitation",
            link="/circle" if invitation.kind == InvitationKind.MEMBER else "/invitations",
        )


def create_account_and_accept(invitation: Invitation, *, display_name: str, password: str) -> User:
    """Join as a new person: the email is the invitation's and cannot be changed."""
    if find_user_by_email(invitation.email) is not None:
        raise CircleError("An account with this email exists. Please sign in to accept.")
    base_role = Role.FAMILY.value if invitation.kind == InvitationKind.MEMBER else invitation.roles
    try:
        person = create_user(
            email=invitation.email, display_name=display_name, password=password, roles={base_role}
        )
    except ValueError as error:
        raise CircleError(str(error)) from error
    except IntegrityError as error:  # another worker created this address a moment ago
        raise CircleError("An account with this email exists. Please sign in to accept.") from error
    accept(invitation, person)
    return person


def _join_circle(invitation: Invitation, person: User) -> None:
    assert invitation.circle_id is not None  # noqa: S101 - member invitations always have one
    if not person.has_role(Role.FAMILY.value) and not person.is_staff:
        person.roles = " ".join(sorted(person.role_set | {Role.FAMILY.value}))
    now = utcnow()
    membership = db.session.scalar(
        select(Membership).where(
            Membership.circle_id == invitation.circle_id, Membership.user_id == person.id
        )
    )
    if membership is None:
        membership = Membership(circle_id=invitation.circle_id, user_id=person.id)
        db.session.add(membership)
    membership.relationship_kind = invitation.relationship_kind
    membership.can_see_board = invitation.can_see_board
    membership.can_encourage = invitation.can_encourage
    membership.can_see_timeline = invitation.can_see_timeline
    membership.joined_at = now
    membership.removed_at = None
    membership.consent_expires_at = now + current_app.config["CONSENT_PERIOD"]
    db.session.flush()


def _permissions_conflict() -> ConflictError:
    return ConflictError(
        "These permissions changed in another window or tab since you opened this page. "
        "Nothing was saved: please look at them again."
    )


def _check_version(membership: Membership, expected_version: int) -> None:
    if membership.version != expected_version:
        raise _permissions_conflict()


def set_permissions(
    patient: User,
    membership: Membership,
    *,
    see_board: bool,
    encourage: bool,
    see_timeline: bool,
    expected_version: int,
) -> None:
    """Change what one member may see; takes effect on their next request. Also re-confirms."""
    if not membership.active:
        raise CircleError("That person is no longer in your circle.")
    _check_version(membership, expected_version)
    if encourage and not see_board:
        raise CircleError("To encourage and offer help, they also need to see your goal board.")
    before = _describe(membership)
    membership.can_see_board = see_board
    membership.can_encourage = encourage
    membership.can_see_timeline = see_timeline
    membership.consent_expires_at = utcnow() + current_app.config["CONSENT_PERIOD"]
    flush_versioned(_permissions_conflict)
    record(
        "circle.permissions_changed",
        actor=patient,
        target_type="membership",
        target_id=membership.id,
        detail=f"{before} -> {_describe(membership)}",
    )


def confirm_consent(patient: User, membership: Membership, *, expected_version: int) -> None:
    """Keep a member's permissions as they are for another consent period."""
    if not membership.active:
        raise CircleError("That person is no longer in your circle.")
    _check_version(membership, expected_version)
    membership.consent_expires_at = utcnow() + current_app.config["CONSENT_PERIOD"]
    flush_versioned(_permissions_conflict)
    record(
        "circle.consent_confirmed",
        actor=patient,
        target_type="membership",
        target_id=membership.id,
        detail=_describe(membership),
    )


def remove_member(patient: User, membership: Membership) -> None:
    """Take everything of the patient's away from a member (who is not emailed)."""
    if not membership.active:
        raise CircleError("That person is no longer in your circle.")
    membership.removed_at = utcnow()
    membership.can_see_board = membership.can_encourage = membership.can_see_timeline = False
    db.session.flush()
    record(
        "circle.member_removed", actor=patient, target_type="membership", target_id=membership.id
    )


def set_care_team_sharing(patient: User, circle: CareCircle, *, share: bool) -> None:
    if circle.share_with_care_team == share:
        return
    circle.share_with_care_team = share
    record(
        "circle.care_team_sharing",
        actor=patient,
        target_type="circle",
        target_id=circle.id,
        detail="on" if share else "off",
    )


CARD_FIELDS = ("card_what_helps", "card_please_dont_say", "card_early_signs", "card_who_to_call")
CARD_LIMIT = 2000


def _card_conflict() -> ConflictError:
    return ConflictError(
        "Your card was changed in another window or tab since you opened it. Your text is "
        "kept below: compare it with the saved card, then save again."
    )


def save_support_card(
    patient: User, circle: CareCircle, *, fields: dict[str, str], expected_version: int
) -> None:
    """Save the "how to support me" card unless someone saved a newer one in the meantime."""
    if circle.card_version != expected_version:
        raise _card_conflict()
    values: dict[str, object] = {}
    for name in CARD_FIELDS:
        value = (fields.get(name) or "").strip()
        if len(value) > CARD_LIMIT:
            raise CircleError(f"Please keep each part of the card under {CARD_LIMIT} characters.")
        values[name] = value
    # One conditional UPDATE: of two saves that both read this version, only one can match it.
    saved = db.session.execute(
        update(CareCircle)
        .where(CareCircle.id == circle.id, CareCircle.card_version == expected_version)
        .values(**values, card_version=expected_version + 1, card_updated_at=utcnow())
    )
    if getattr(saved, "rowcount", 0) != 1:
        raise _card_conflict()
    record("circle.support_card_saved", actor=patient, target_type="circle", target_id=circle.id)


def _describe(membership: Membership) -> str:
    parts = [
        name
        for name, on in (
            ("board", membership.can_see_board),
            ("encourage", membership.can_encourage),
            ("timeline", membership.can_see_timeline),
        )
        if on
    ]
    return "+".join(parts) or "course only"


def log_access(viewer: User, circle: CareCircle, *whats: str) -> None:
    """Note, to the hour, that a member opened the patient's board, timeline, support card or
    treatment days (one page may show several: they are written in one statement).

    Each worker remembers which hour-rows it has seen already in the database, so a member
    reading the board all evening costs one write an hour, not one per page; and it drops rows
    past keeping at most once an hour.
    """
    if viewer.id == circle.patient_id:
        return
    viewer_id, circle_id = viewer.id, circle.id
    now = utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    known: dict[tuple[int, int, str], datetime] = current_app.extensions.setdefault(
        "access_log_known", {}
    )
    new = [what for what in whats if known.get((viewer_id, circle_id, what)) != hour]
    if not new:
        return
    cutoff = now - current_app.config["ACCESS_LOG_RETENTION"]

    def write() -> Callable[[], None]:
        # RETURNING, not rowcount: an INSERT's rowcount is -1 on PostgreSQL once SQLAlchemy
        # has closed the cursor, which made every page view write twice.
        rows = [
            {"circle_id": circle_id, "viewer_id": viewer_id, "what": what, "hour": hour}
            for what in new
        ]
        added = set(
            db.session.scalars(
                insert_or_ignore(AccessLogEntry, *rows).returning(AccessLogEntry.what)
            )
        )
        prune = added and current_app.extensions.get("access_log_pruned") != hour
        if prune:
            db.session.execute(delete(AccessLogEntry).where(AccessLogEntry.hour < cutoff))

        def remember() -> None:  # only once the rows are committed
            if len(known) > 20_000:
                known.clear()
            for what in new:
                known[(viewer_id, circle_id, what)] = hour
            if prune:
                current_app.extensions["access_log_pruned"] = hour

        return remember

    defer_write(write)


def coarse_last_active(moment: datetime | None, now: datetime) -> str:
    """This week, this month, or longer: enough to know, not enough to watch someone."""
    if moment is None:
        return "Not yet"
    age = now - as_utc(moment)
    if age <= timedelta(days=7):
        return "This week"
    if age <= timedelta(days=31):
        return "This month"
    return "Longer ago"
