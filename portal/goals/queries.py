"""Board lookups scoped to the person asking, with eager loading chosen here so that a board's
query count stays the same however many goals it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, Integer, Row, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import policy
from portal.audit.log import record_denied
from portal.auth.models import User
from portal.circles.context import known_circle, viewable_circle_or_404
from portal.circles.models import CareCircle, Membership
from portal.circles.queries import circle_and_membership
from portal.db import as_utc
from portal.extensions import db
from portal.goals.models import (
    BoardActivity,
    BoardSettings,
    Encouragement,
    Goal,
    GoalCheckIn,
    GoalStep,
    GoalViewer,
    HelpOffer,
    HelpSlot,
    TreatmentDay,
)


@dataclass(frozen=True)
class BoardAccess:
    actor: User
    circle: CareCircle
    membership: Membership | None

    @property
    def is_patient(self) -> bool:
        return policy.is_circle_patient(self.actor, self.circle)


def board_or_404(actor: User, circle_id: int) -> BoardAccess:
    circle, membership = viewable_circle_or_404(actor, circle_id)
    if not policy.can_view_board(actor, circle, membership):
        record_denied(actor, "board", circle_id)
        abort(404)
    return BoardAccess(actor, circle, membership)


def _viewer_kind(access: BoardAccess) -> str:
    if access.is_patient:
        return "patient"
    return "team" if access.membership is None else "member"


def _visible(kind: str) -> ColumnElement[bool]:
    """Goals of a circle the actor may see, as one SQL condition (mirrors can_view_goal).

    ``kind`` is the viewer's relation to the circle; the circle and actor are bind parameters,
    so each statement is built once per worker, not once per page.
    """
    in_circle = Goal.circle_id == bindparam("circle_id")
    if kind == "patient":
        return and_(in_circle, Goal.status.in_(("active", "suggested")))
    if kind == "team":  # the care team, when the patient shares
        return and_(in_circle, Goal.status == "active", Goal.visibility == "circle")
    actor = bindparam("actor_id", type_=Integer)
    own_suggestion = and_(Goal.status == "suggested", Goal.suggested_by_id == actor)
    chosen = and_(
        Goal.visibility == "chosen",
        exists().where(GoalViewer.goal_id == Goal.id, GoalViewer.user_id == actor),
    )
    shared = and_(Goal.status == "active", or_(Goal.visibility == "circle", chosen))
    return and_(in_circle, or_(shared, own_suggestion))


def _params(access: BoardAccess) -> dict[str, int]:
    return {"circle_id": access.circle.id, "actor_id": access.actor.id}


@lru_cache(maxsize=3)
def _visible_goals_statement(kind: str) -> Select[Goal]:
    return (
        select(Goal)
        .where(_visible(kind))
        .options(joinedload(Goal.steps))
        .order_by(Goal.position, Goal.id)
    )


def visible_goals(access: BoardAccess) -> list[Goal]:
    statement = _visible_goals_statement(_viewer_kind(access))
    return list(db.session.scalars(statement, _params(access)).unique())


def goal_or_404(actor: User, goal_id: int) -> tuple[Goal, BoardAccess, frozenset[int]]:
    """A goal and its circle, or 404 (audited) when the actor may not see it."""
    goal = db.session.scalar(
        select(Goal)
        .options(selectinload(Goal.steps), selectinload(Goal.viewers))
        .where(Goal.id == goal_id)
    )
    if goal is None:
        abort(404)
    circle, membership = known_circle(actor, goal.circle_id)
    if circle is None:
        circle, membership = circle_and_membership(actor, goal.circle_id)
    assert circle is not None  # noqa: S101 - a goal always belongs to a circle
    viewer_ids = frozenset(v.user_id for v in goal.viewers)
    if not policy.can_view_goal(actor, goal, circle, membership, viewer_ids):
        record_denied(actor, "goal", goal_id)
        abort(404)
    return goal, BoardAccess(actor, circle, membership), viewer_ids


def checkins(goal: Goal) -> list[GoalCheckIn]:
    return list(
        db.session.scalars(
            select(GoalCheckIn)
            .where(GoalCheckIn.goal_id == goal.id)
            .order_by(GoalCheckIn.created_at.desc())
            .limit(50)
        )
    )


def encouragements(goal: Goal, viewer: User) -> list[Encouragement]:
    """The goal's messages: every one that was sent, and the viewer's own held ones."""
    return list(
        db.session.scalars(
            select(Encouragement)
            .options(joinedload(Encouragement.author))
            .where(
                Encouragement.goal_id == goal.id,
                or_(Encouragement.held_at.is_(None), Encouragement.author_id == viewer.id),
            )
            .order_by(Encouragement.created_at.desc())
            .limit(50)
        )
    )


def offers(goal: Goal, viewer: User) -> list[HelpOffer]:
    """The goal's offers: every one that was sent, and the viewer's own held ones."""
    return list(
        db.session.scalars(
            select(HelpOffer)
            .options(joinedload(HelpOffer.author))
            .where(
                HelpOffer.goal_id == goal.id,
                or_(HelpOffer.held_at.is_(None), HelpOffer.author_id == viewer.id),
            )
            .order_by(HelpOffer.created_at.desc())
            .limit(50)
        )
    )


def offer_or_404(goal: Goal, offer_id: int) -> HelpOffer:
    """An offer the patient may answer: held words do not exist for them."""
    offer = db.session.get(HelpOffer, offer_id)
    if offer is None or offer.goal_id != goal.id or offer.held_at is not None:
        abort(404)
    return offer


def held_or_404(
    goal: Goal, model: type[Encouragement] | type[HelpOffer], item_id: int, writer: User
) -> Encouragement | HelpOffer:
    """The writer's own held message or offer on this goal; anyone else gets a 404."""
    item: Encouragement | HelpOffer | None = (
        db.session.get(HelpOffer, item_id)
        if model is HelpOffer
        else db.session.get(Encouragement, item_id)
    )
    if item is None or item.goal_id != goal.id or item.held_at is None:
        abort(404)
    if item.author_id != writer.id:
        record_denied(writer, model.__tablename__, item_id)
        abort(404)
    return item


def step_or_404(goal: Goal, step_id: int) -> GoalStep:
    for step in goal.steps:
        if step.id == step_id:
            return step
    abort(404)


# What an activity line shows (plain rows: these lists are read on every board and dashboard).
ACTIVITY_LINE = (BoardActivity.goal_id, BoardActivity.summary, BoardActivity.created_at)


@lru_cache(maxsize=3)
def _board_activity_statement(kind: str) -> Select[int | None, str, datetime]:
    visible_ids = select(Goal.id).where(_visible(kind))
    return (
        select(*ACTIVITY_LINE)
        .where(
            BoardActivity.circle_id == bindparam("circle_id"),
            or_(BoardActivity.goal_id.is_(None), BoardActivity.goal_id.in_(visible_ids)),
        )
        .order_by(BoardActivity.created_at.desc(), BoardActivity.id.desc())
        .limit(bindparam("limit"))
    )


def board_activity(access: BoardAccess, limit: int = 15) -> list[Row[Any]]:
    """What happened lately on goals the actor may see (and on treatment days)."""
    statement = _board_activity_statement(_viewer_kind(access))
    return list(db.session.execute(statement, {**_params(access), "limit": limit}))


def quiet_until(circle_id: int) -> datetime | None:
    settings = db.session.get(BoardSettings, circle_id)
    return settings.quiet_until if settings else None


_TREATMENT_DAYS = (
    select(TreatmentDay)
    .options(joinedload(TreatmentDay.slots).joinedload(HelpSlot.taken_by))
    .where(
        TreatmentDay.circle_id == bindparam("circle_id"),
        TreatmentDay.starts_at >= bindparam("since"),
    )
    .order_by(TreatmentDay.starts_at)
    .limit(20)
)


def treatment_days(circle: CareCircle, *, since: datetime) -> list[TreatmentDay]:
    return list(
        db.session.scalars(_TREATMENT_DAYS, {"circle_id": circle.id, "since": since}).unique()
    )


def slot_or_404(access: BoardAccess, slot_id: int) -> HelpSlot:
    slot = db.session.scalar(
        select(HelpSlot).options(joinedload(HelpSlot.day)).where(HelpSlot.id == slot_id)
    )
    if slot is None or slot.day.circle_id != access.circle.id:
        abort(404)
    return slot


@lru_cache(maxsize=2)
def _dashboard_activity_statement(with_own_board: bool) -> Select[int | None, str, datetime]:
    user = bindparam("user_id", type_=Integer)
    about_me = BoardActivity.for_user_id == user
    condition: ColumnElement[bool] = about_me
    if with_own_board:
        mine = and_(
            BoardActivity.circle_id == bindparam("circle_id"), BoardActivity.for_user_id.is_(None)
        )
        condition = or_(about_me, mine)
    return (
        select(*ACTIVITY_LINE)
        .where(
            condition,
            BoardActivity.created_at >= bindparam("since"),
            or_(BoardActivity.actor_id.is_(None), BoardActivity.actor_id != user),
        )
        .order_by(BoardActivity.created_at.desc())
        .limit(bindparam("limit"))
    )


def dashboard_activity(
    user: User, *, own_circle: CareCircle | None, now: datetime, limit: int = 8
) -> list[Row[Any]]:
    """Recent activity for this person: on their own board (not while it rests), or about them."""
    with_own_board = False
    if own_circle is not None:
        resting = quiet_until(own_circle.id)
        with_own_board = resting is None or as_utc(resting) <= now  # a resting board is quiet
    parameters = {"user_id": user.id, "since": now - timedelta(days=14), "limit": limit}
    if with_own_board and own_circle is not None:
        parameters["circle_id"] = own_circle.id
    statement = _dashboard_activity_statement(with_own_board)
    return list(db.session.execute(statement, parameters))
