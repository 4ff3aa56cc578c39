"""Board actions. Only the patient creates, moves and edits goals and marks steps done; members
with the encourage permission suggest, encourage and offer help. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update

from portal.audit.log import record
from portal.auth.models import User
from portal.circles.models import CareCircle
from portal.core.versioning import flush_versioned
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.goals.models import (
    REACTIONS,
    Area,
    BoardActivity,
    BoardSettings,
    Column,
    Encouragement,
    Goal,
    GoalCheckIn,
    GoalStep,
    GoalViewer,
    HelpOffer,
    HelpSlot,
    TreatmentDay,
    Visibility,
)
from portal.notifications.inbox import notify

TITLE_LIMIT = 200
TEXT_LIMIT = 2000
MESSAGE_LIMIT = 1000
STEP_LIMIT = 200
STEPS_PER_GOAL = 20


class GoalError(ValueError):
    """Something that cannot be done, with a message fit to show the person."""


class GoalConflictError(GoalError):
    """Someone changed the goal first; nothing was overwritten."""


def _bounded(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise GoalError(f"Please keep the {what} under {limit} characters.")
    return text


def _activity(
    circle_id: int,
    actor: User,
    kind: str,
    summary: str,
    *,
    goal: Goal | None = None,
    for_user_id: int | None = None,
) -> None:
    db.session.add(
        BoardActivity(
            circle_id=circle_id,
            goal_id=goal.id if goal else None,
            actor_id=actor.id,
            kind=kind,
            summary=summary[:300],
            for_user_id=for_user_id,
        )
    )
    link = f"/goals/{goal.id}" if goal else f"/circles/{circle_id}/treatment-days"
    if for_user_id is not None:
        notify([for_user_id], kind=f"board_{kind}", message=summary, link=link)
        return
    circle = db.session.get(CareCircle, circle_id)
    settings = db.session.get(BoardSettings, circle_id)
    resting = (
        settings is not None
        and settings.quiet_until is not None
        and (as_utc(settings.quiet_until) > utcnow())
    )
    if circle is not None and circle.patient_id != actor.id and not resting:
        notify([circle.patient_id], kind=f"board_{kind}", message=summary, link=link)


def _goal_conflict() -> GoalConflictError:
    return GoalConflictError(
        "This goal was changed in another window or tab since you opened it. Nothing was "
        "overwritten: your text is kept below, so you can compare and save again."
    )


def _check_version(goal: Goal, expected_version: int) -> None:
    if goal.version != expected_version:
        raise _goal_conflict()


def _next_position(circle_id: int) -> int:
    highest = db.session.scalar(select(func.max(Goal.position)).where(Goal.circle_id == circle_id))
    return (highest or 0) + 1


def _set_details(
    goal: Goal,
    *,
    title: str,
    why: str,
    area: str,
    visibility: str,
    viewer_ids: Sequence[int],
    allowed_viewers: set[int],
    target_week: date | None,
    levels: tuple[str, str, str],
) -> None:
    title = _bounded(title, TITLE_LIMIT, "title")
    if not title:
        raise GoalError("Please give the goal a short title.")
    if area not in {a.value for a in Area}:
        raise GoalError("Please choose an area.")
    if visibility not in {v.value for v in Visibility}:
        raise GoalError("Please choose who may see this goal.")
    chosen = set(viewer_ids)
    if visibility == Visibility.CHOSEN and not chosen:
        raise GoalError("Choose at least one person, or pick another option for who sees it.")
    if not chosen <= allowed_viewers:
        raise GoalError("You can only share a goal with people in your circle.")
    goal.title, goal.why = title, _bounded(why, TEXT_LIMIT, "reason")
    goal.area, goal.visibility, goal.target_week = area, visibility, target_week
    goal.level_less, goal.level_expected, goal.level_more = (
        _bounded(level, TITLE_LIMIT, "level") for level in levels
    )
    goal.viewers = (
        [GoalViewer(user_id=uid) for uid in sorted(chosen)]
        if visibility == Visibility.CHOSEN
        else []
    )
    goal.updated_at = utcnow()


def create_goal(
    patient: User, circle: CareCircle, *, steps: Sequence[str] = (), **details: object
) -> Goal:
    goal = Goal(circle_id=circle.id, status="active", position=_next_position(circle.id))
    _set_details(goal, **details)  # type: ignore[arg-type]
    for text in steps:
        if text.strip():
            goal.steps.append(
                GoalStep(text=_bounded(text, STEP_LIMIT, "step"), position=len(goal.steps))
            )
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(patient: User, goal: Goal, *, expected_version: int, **details: object) -> None:
    _check_version(goal, expected_version)
    _set_details(goal, **details)  # type: ignore[arg-type]
    flush_versioned(_goal_conflict)


def move_goal(patient: User, goal: Goal, *, column: str, expected_version: int) -> None:
    if column not in {c.value for c in Column}:
        raise GoalError("That column does not exist.")
    _check_version(goal, expected_version)
    goal.column = column
    goal.updated_at = utcnow()
    flush_versioned(_goal_conflict)


def add_step(patient: User, goal: Goal, *, text: str) -> GoalStep:
    text = _bounded(text, STEP_LIMIT, "step")
    if not text:
        raise GoalError("Please write the step.")
    if len(goal.steps) >= STEPS_PER_GOAL:
        raise GoalError(f"A goal can have up to {STEPS_PER_GOAL} small steps.")
    step = GoalStep(text=text, position=len(goal.steps))
    goal.steps.append(step)
    db.session.flush()
    return step


def set_step_done(patient: User, step: GoalStep, *, done: bool) -> None:
    step.done_at = utcnow() if done else None


def check_in(
    patient: User, goal: Goal, *, note: str, energy: int | None, level_reached: int | None
) -> GoalCheckIn:
    if energy is not None and not 1 <= energy <= 5:
        raise GoalError("Energy goes from 1 to 5.")
    if level_reached is not None and level_reached not in (-1, 0, 1):
        raise GoalError("Please choose one of the levels.")
    note = _bounded(note, TEXT_LIMIT, "note")
    if not note and energy is None and level_reached is None:
        raise GoalError("Write a few words, or choose an energy level or a level reached.")
    checkin = GoalCheckIn(goal_id=goal.id, note=note, energy=energy, level_reached=level_reached)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def suggest_goal(member: User, circle: CareCircle, *, title: str, why: str, area: str) -> Goal:
    """A member's idea: it stays a suggestion until the patient accepts, edits or declines it."""
    goal = Goal(
        circle_id=circle.id,
        status="suggested",
        suggested_by_id=member.id,
        position=_next_position(circle.id),
        visibility=Visibility.PRIVATE.value,
    )
    _set_details(
        goal,
        title=title,
        why=why,
        area=area,
        visibility=Visibility.PRIVATE.value,
        viewer_ids=(),
        allowed_viewers=set(),
        target_week=None,
        levels=("", "", ""),
    )
    goal.suggested_title, goal.suggested_why = goal.title, goal.why
    db.session.add(goal)
    db.session.flush()
    _activity(
        circle.id,
        member,
        "suggestion",
        f"{member.display_name} suggested a goal: {goal.title}",
        goal=goal,
    )
    return goal


def decide_suggestion(patient: User, goal: Goal, *, accept: bool) -> None:
    if goal.status != "suggested":
        raise GoalError("That suggestion was already answered.")
    goal.status = "active" if accept else "declined"
    if accept:
        goal.visibility = Visibility.CIRCLE.value
        goal.column = Column.IDEAS.value
    goal.updated_at = utcnow()
    db.session.flush()
    _activity(
        goal.circle_id,
        patient,
        "suggestion_accepted" if accept else "suggestion_declined",
        f"{patient.display_name} {'added' if accept else 'said no thanks to'} your "
        f"suggestion: {goal.title}",
        goal=goal,
        for_user_id=goal.suggested_by_id,
    )


def _deliver_encouragement(member: User, goal: Goal) -> None:
    _activity(
        goal.circle_id,
        member,
        "encouragement",
        f"{member.display_name} sent encouragement on “{goal.title}”",
        goal=goal,
    )


def _deliver_offer(member: User, goal: Goal) -> None:
    _activity(
        goal.circle_id,
        member,
        "offer",
        f"{member.display_name} offered help on “{goal.title}”",
        goal=goal,
    )


def encourage(
    member: User, goal: Goal, *, body: str, reaction: str, held: bool = False
) -> Encouragement:
    """A member's message or reaction. ``held`` (words of crisis) saves it unseen by the
    patient, who is not told, until the writer sends it anyway (``send_held``)."""
    body = _bounded(body, MESSAGE_LIMIT, "message")
    if reaction and reaction not in REACTIONS:
        raise GoalError("Please choose one of the reactions.")
    if not body and not reaction:
        raise GoalError("Write a short message or choose a reaction.")
    message = Encouragement(
        goal_id=goal.id,
        author_id=member.id,
        body=body,
        reaction=reaction,
        held_at=utcnow() if held else None,
    )
    db.session.add(message)
    db.session.flush()
    if not held:
        _deliver_encouragement(member, goal)
    return message


def offer_help(
    member: User, goal: Goal, *, body: str, step: GoalStep | None, held: bool = False
) -> HelpOffer:
    """A member's offer of help; ``held`` as for ``encourage``."""
    body = _bounded(body, 300, "offer")
    if not body:
        raise GoalError("Say what you could do, for example “I can drive you on Tuesday”.")
    offer = HelpOffer(
        goal_id=goal.id,
        author_id=member.id,
        body=body,
        step_id=step.id if step else None,
        held_at=utcnow() if held else None,
    )
    db.session.add(offer)
    db.session.flush()
    if not held:
        _deliver_offer(member, goal)
    return offer


def send_held(member: User, goal: Goal, item: Encouragement | HelpOffer) -> None:
    """The writer saw the crisis lines and chose to send their held words anyway: the patient
    now sees them and is told, as for any message. The moderators' alert stays as it was."""
    if item.held_at is None or item.author_id != member.id:
        raise GoalError("That was already sent.")
    item.held_at = None
    db.session.flush()
    if isinstance(item, HelpOffer):
        _deliver_offer(member, goal)
        kind = "help_offer"
    else:
        _deliver_encouragement(member, goal)
        kind = "encouragement"
    record("board.held_sent", actor=member, target_type=kind, target_id=item.id)


def decide_offer(patient: User, goal: Goal, offer: HelpOffer, *, accept: bool) -> None:
    if offer.status != "offered":
        raise GoalError("That offer was already answered.")
    offer.status = "accepted" if accept else "declined"
    offer.decided_at = utcnow()
    _activity(
        goal.circle_id,
        patient,
        "offer_accepted" if accept else "offer_declined",
        f"{patient.display_name} {'accepted' if accept else 'said no thanks to'} your "
        f"offer: {offer.body}",
        goal=goal,
        for_user_id=offer.author_id,
    )


def set_quiet(patient: User, circle: CareCircle, *, until: datetime | None) -> None:
    if until is not None and as_utc(until) <= utcnow():
        raise GoalError("Choose a time in the future, or end the quiet time.")
    settings = db.session.get(BoardSettings, circle.id)
    if settings is None:
        settings = BoardSettings(circle_id=circle.id)
        db.session.add(settings)
    settings.quiet_until = until


def add_treatment_day(
    patient: User,
    circle: CareCircle,
    *,
    starts_at: datetime,
    place: str,
    note: str,
    needs: Sequence[str],
) -> TreatmentDay:
    if as_utc(starts_at) <= utcnow():
        raise GoalError("Please choose a date and time in the future.")
    needs = [n.strip()[:80] for n in needs if n.strip()]
    if not needs:
        raise GoalError("Choose at least one thing that would help.")
    day = TreatmentDay(
        circle_id=circle.id,
        starts_at=starts_at,
        place=_bounded(place, 200, "place"),
        note=_bounded(note, 300, "note"),
        slots=[HelpSlot(need=need) for need in needs],
    )
    db.session.add(day)
    db.session.flush()
    return day


def take_slot(member: User, slot: HelpSlot) -> None:
    """Exactly one person gets a slot, even when two click at the same moment."""
    taken = db.session.execute(
        update(HelpSlot)
        .where(HelpSlot.id == slot.id, HelpSlot.taken_by_id.is_(None))
        .values(taken_by_id=member.id, taken_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise GoalError("Someone else took that one a moment ago. Thank you for offering!")
    db.session.refresh(slot)
    _activity(
        slot.day.circle_id,
        member,
        "slot_taken",
        f"{member.display_name} will help: {slot.need} on {as_utc(slot.day.starts_at):%A %B %-d}",
    )


def release_slot(member: User, slot: HelpSlot) -> None:
    if slot.taken_by_id != member.id:
        raise GoalError("You can only give up a slot you took.")
    slot.taken_by_id = None
    slot.taken_at = None
    _activity(
        slot.day.circle_id,
        member,
        "slot_released",
        f"{member.display_name} can no longer help: {slot.need}",
    )
