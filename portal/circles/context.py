"""What every page needs to know about circles: whose circle the person is looking at now."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, session

from portal.auth import sessions
from portal.auth.models import Role, User
from portal.circles import queries
from portal.circles.models import CareCircle, Membership

CURRENT_CIRCLE_KEY = "circle"


@dataclass(frozen=True)
class CircleNav:
    own: CareCircle | None = None
    memberships: list[Membership] = field(default_factory=list)
    current: Membership | None = None


def circle_nav() -> CircleNav:
    """Loaded once per request, and only when a page asks (one or two queries)."""
    if "circle_nav" not in g:
        g.circle_nav = _load()
    nav: CircleNav = g.circle_nav
    return nav


def viewable_circle_or_404(actor: User, circle_id: int) -> tuple[CareCircle, Membership | None]:
    """A circle and the actor's membership in it, or 404 when the actor may not open it.

    Answered from the circle switcher's memberships (loaded for the header anyway) when the
    circle is one of them; the policy decides either way.
    """
    circle, membership = known_circle(actor, circle_id)
    if circle is None:
        circle, membership = queries.circle_and_membership(actor, circle_id)
    return queries.require_viewable(actor, circle_id, circle, membership), membership


def known_circle(actor: User, circle_id: int) -> tuple[CareCircle | None, Membership | None]:
    if not sessions.signed_in() or sessions.current_person().id != actor.id:
        return None, None
    nav = circle_nav()
    if nav.own is not None and nav.own.id == circle_id:
        return nav.own, None
    for membership in nav.memberships:
        if membership.circle_id == circle_id:
            return membership.circle, membership
    return None, None


def _load() -> CircleNav:
    if not sessions.signed_in():
        return CircleNav()
    person = sessions.current_person()
    own = queries.circle_of_patient(person) if person.has_role(Role.PATIENT.value) else None
    memberships = queries.memberships_of(person) if person.has_role(Role.FAMILY.value) else []
    chosen = session.get(CURRENT_CIRCLE_KEY)
    current = next((m for m in memberships if m.circle_id == chosen), None)
    if current is None and memberships:
        current = memberships[0]
    return CircleNav(own=own, memberships=memberships, current=current)
