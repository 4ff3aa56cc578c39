"""Truth table for the circle policy: actor x permission -> allowed."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal import policy
from portal.circles.models import CareCircle, Membership
from portal.db import utcnow


def person(id_: int, roles: str) -> SimpleNamespace:
    role_set = frozenset(roles.split())
    return SimpleNamespace(
        id=id_,
        is_authenticated=True,
        role_set=role_set,
        has_role=lambda r: r in role_set,
        is_staff=bool(role_set & {"admin", "clinician", "moderator"}),
    )


PATIENT, MEMBER, STRANGER = person(1, "patient"), person(2, "family"), person(3, "family")
CLINICIAN, MODERATOR, ADMIN = person(4, "clinician"), person(5, "moderator"), person(6, "admin")
ANONYMOUS = SimpleNamespace(is_authenticated=False)


def circle(shared: bool = False) -> CareCircle:
    return CareCircle(id=10, patient_id=PATIENT.id, share_with_care_team=shared)


def membership(board=False, encourage=False, timeline=False, removed=False, lapsed=False):
    now = utcnow()
    return Membership(
        circle_id=10,
        user_id=MEMBER.id,
        can_see_board=board,
        can_encourage=encourage,
        can_see_timeline=timeline,
        removed_at=now if removed else None,
        consent_expires_at=now + timedelta(days=-1 if lapsed else 100),
    )


# (actor, membership kwargs or None, shared) -> (open, board, encourage, timeline, manage)
CASES = [
    (PATIENT, None, False, (True, True, False, True, True)),
    (
        MEMBER,
        {"board": True, "encourage": True, "timeline": True},
        False,
        (True, True, True, True, False),
    ),
    (MEMBER, {"board": True}, False, (True, True, False, False, False)),
    (MEMBER, {"encourage": True}, False, (True, False, False, False, False)),
    (MEMBER, {"timeline": True}, False, (True, False, False, True, False)),
    (MEMBER, {}, False, (True, False, False, False, False)),
    (
        MEMBER,
        {"board": True, "encourage": True, "timeline": True, "removed": True},
        False,
        (False, False, False, False, False),
    ),
    (
        MEMBER,
        {"board": True, "encourage": True, "timeline": True, "lapsed": True},
        False,
        (True, False, False, False, False),
    ),
    (STRANGER, None, False, (False, False, False, False, False)),
    (CLINICIAN, None, False, (False, False, False, False, False)),
    (CLINICIAN, None, True, (True, True, False, True, False)),
    (MODERATOR, None, True, (False, False, False, False, False)),
    (ADMIN, None, True, (False, False, False, False, False)),
    (ANONYMOUS, None, True, (False, False, False, False, False)),
]


@pytest.mark.parametrize(("actor", "member_kwargs", "shared", "expected"), CASES)
def test_circle_truth_table(actor, member_kwargs, shared, expected):
    the_circle = circle(shared)
    the_membership = membership(**member_kwargs) if member_kwargs is not None else None
    answers = (
        policy.can_open_circle(actor, the_circle, the_membership),
        policy.can_view_board(actor, the_circle, the_membership),
        policy.can_encourage(actor, the_circle, the_membership),
        policy.can_view_timeline(actor, the_circle, the_membership),
        policy.can_manage_circle(actor, the_circle),
    )
    assert answers == expected


def test_support_card_follows_the_board():
    the_circle = circle()
    for kwargs in ({"board": True}, {}, {"timeline": True}):
        the_membership = membership(**kwargs)
        assert policy.can_view_support_card(MEMBER, the_circle, the_membership) == bool(
            kwargs.get("board")
        )


def test_someone_elses_membership_grants_nothing():
    the_membership = membership(board=True, encourage=True, timeline=True)
    assert not policy.can_view_board(STRANGER, circle(), the_membership)


@pytest.mark.parametrize(
    ("actor", "roles"),
    [
        (ADMIN, ["clinician", "moderator", "patient"]),
        (CLINICIAN, ["patient"]),
        (MODERATOR, []),
        (PATIENT, []),
        (MEMBER, []),
    ],
)
def test_who_may_invite_whom(actor, roles):
    assert policy.invitable_roles(actor) == roles
