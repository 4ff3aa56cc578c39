"""The one helper every security-relevant action calls."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from portal.audit.models import AuditEvent
from portal.core.deferred import defer_write
from portal.extensions import db

ACTIONS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_in_locked": "Sign-in refused: too many failures",
    "auth.sign_out": "Signed out",
    "auth.sign_out_everywhere": "Signed out everywhere",
    "auth.password_changed": "Password changed",
    "auth.password_reset_requested": "Password reset requested",
    "auth.password_reset": "Password reset by link",
    "auth.name_changed": "Display name changed",
    "auth.two_factor_enabled": "Two-factor sign-in turned on",
    "auth.two_factor_failed": "Two-factor code refused",
    "auth.recovery_code_used": "Recovery code used",
    "account.created": "Account created",
    "account.roles_changed": "Roles changed",
    "account.deactivated": "Account deactivated",
    "account.reactivated": "Account reactivated",
    "account.exported": "Data exported",
    "account.email_changed": "Email address changed",
    "account.email_change_refused": "Email change asked for an address already in use",
    "account.deleted": "Account deleted by its owner",
    "access.denied": "Access refused (another circle's object)",
    "invitation.sent": "Invitation sent",
    "invitation.resent": "Invitation sent again",
    "invitation.revoked": "Invitation cancelled",
    "invitation.accepted": "Invitation accepted",
    "circle.permissions_changed": "Member permissions changed",
    "circle.consent_confirmed": "Member permissions re-confirmed",
    "circle.member_removed": "Member removed",
    "circle.care_team_sharing": "Care-team sharing changed",
    "circle.support_card_saved": "Support card saved",
    "board.held_sent": "Held words of crisis sent anyway by their writer",
    "course.step_saved": "Course step saved",
    "course.step_published": "Course step published",
    "qa.asked": "Question asked",
    "qa.answered": "Question answered",
    "qa.answer_edited": "Answer edited",
    "qa.flagged": "Content flagged",
    "qa.observation": "Observation sent to the care team",
    "moderation.approved": "Question approved",
    "moderation.edited": "Question edited by a moderator",
    "moderation.returned": "Question returned",
    "moderation.duplicate": "Question marked as a duplicate",
    "moderation.routed_private": "Question routed privately to clinicians",
    "moderation.hidden": "Content hidden after flags",
    "moderation.alert_handled": "Urgent alert handled",
}


def record(
    action: str,
    *,
    actor: Any = None,
    target_type: str = "",
    target_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit row to the current transaction; the caller's commit stores it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=target_type,
        target_id=target_id,
        detail=detail[:500],
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(event)
    return event


def record_denied(actor: Any, target_type: str, target_id: int) -> None:
    """Audit an attempt on another circle's object. Written after the 404 page, on its own."""
    actor_id = getattr(actor, "id", None)

    def write() -> None:
        db.session.add(
            AuditEvent(
                action="access.denied",
                actor_id=actor_id,
                target_type=target_type,
                target_id=target_id,
                ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
            )
        )

    defer_write(write)
