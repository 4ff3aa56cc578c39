"""The access policy: who may see or do what. Every route and template asks these functions.

Each function is pure: it takes the actor and the object and answers yes or no. Routes load
objects through scoped queries first (so what a person may not see is a 404), then ask here.
"""

from __future__ import annotations

from typing import Any

from portal.auth.models import Role


def _holds(actor: Any, role: Role) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.has_role(role.value)


def is_staff(actor: Any) -> bool:
    """Clinicians, moderators and admins."""
    return bool(getattr(actor, "is_authenticated", False)) and actor.is_staff


def can_administer(actor: Any) -> bool:
    """Admins run the portal: people, roles and the audit log."""
    return _holds(actor, Role.ADMIN)


def can_view_audit_log(actor: Any) -> bool:
    """Only admins read the audit log."""
    return _holds(actor, Role.ADMIN)
