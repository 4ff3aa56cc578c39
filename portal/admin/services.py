"""Role and account changes made by an administrator. They flush; the route commits."""

from __future__ import annotations

from portal.audit.log import record
from portal.auth.models import Role, User
from portal.auth.services import AccountError, end_all_sessions
from portal.circles.services import ensure_circle


def set_roles(actor: User, person: User, *, roles: set[str]) -> bool:
    """Give ``person`` exactly ``roles``; return whether anything changed."""
    unknown = roles - {role.value for role in Role}
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}")
    if not roles:
        raise AccountError("Everyone needs at least one role.")
    if person.id == actor.id and Role.ADMIN not in roles:
        raise AccountError("You cannot remove your own administrator role.")
    before = person.role_set
    if before == roles:
        return False
    person.roles = " ".join(sorted(roles))
    if Role.PATIENT in roles:
        ensure_circle(person)
    record(
        "account.roles_changed",
        actor=actor,
        target_type="user",
        target_id=person.id,
        detail=f"{' '.join(sorted(before))} -> {person.roles}",
    )
    return True


def set_active(actor: User, person: User, *, active: bool) -> bool:
    """Deactivate (ending every session at once) or reactivate an account."""
    if person.id == actor.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    if person.active == active:
        return False
    person.active = active
    if not active:
        end_all_sessions(person)
    record(
        "account.reactivated" if active else "account.deactivated",
        actor=actor,
        target_type="user",
        target_id=person.id,
    )
    return True
