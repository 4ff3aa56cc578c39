"""Asking, moderating, answering, voting and flagging. Services flush; the route commits."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.log import record
from portal.auth.models import Role, User
from portal.circles.models import CareCircle, Membership
from portal.core.safety import check_text
from portal.core.versioning import flush_versioned
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.alerts import alert_moderators, joined, raise_safety_alert
from portal.notifications.inbox import notify
from portal.qa.models import (
    RETURN_REASONS,
    Answer,
    AnswerRevision,
    ContentFlag,
    HelpfulMark,
    Observation,
    Question,
    QuestionRevision,
    QuestionVote,
)
from portal.qa.search import index_question

TITLE_LIMIT = 200
BODY_LIMIT = 5000
FLAGS_TO_HIDE = 3


class QaError(ValueError):
    """Something that cannot be done, with a message fit to show the person."""


class QaConflictError(QaError):
    """Someone else changed it first; nothing was overwritten."""


def question_text(title: str, body: str) -> str:
    """What the crisis check reads of a question (the route shows the banner from the same)."""
    return joined((title, body))


def observation_text(after_treatment: str, note: str) -> str:
    """What the crisis check reads of an "I noticed" note (its free-text parts)."""
    return joined((after_treatment, note))


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise QaError("Please write your question in a sentence.")
    if len(title) > TITLE_LIMIT:
        raise QaError(f"Please keep the question under {TITLE_LIMIT} characters.")
    if len(body) > BODY_LIMIT:
        raise QaError(f"Please keep the details under {BODY_LIMIT} characters.")
    return title, body


def _staff(role: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), User.roles.contains(role.value))
        )
    )


def ask(
    asker: User,
    *,
    title: str,
    body: str,
    topics: list[str],
    shared: bool,
    anonymous: bool,
    relationship: str,
) -> Question:
    """A new question is never published straight away: it waits for a moderator (shared) or
    goes to the care team only (private). Crisis language marks it urgent and alerts people."""
    title, body = _clean(title, body)
    safety = check_text(question_text(title, body))
    question = Question(
        asker_id=asker.id,
        title=title,
        body=body,
        topics=" ".join(sorted(set(topics))),
        shared=shared,
        anonymous=shared and anonymous,
        asker_relationship=relationship,
        status="pending" if shared else "private_pending",
        urgent=safety.crisis,
        crisis_level=safety.level.value,
        crisis_patterns=" ".join(safety.matched)[:300],
    )
    db.session.add(question)
    db.session.flush()
    record(
        "qa.asked",
        actor=asker,
        target_type="question",
        target_id=question.id,
        detail=("shared" if shared else "private") + (", urgent" if safety.crisis else ""),
    )
    if safety.crisis and shared:  # a shared question is its own alert, first in their queue
        alert_moderators("question", safety.level)
    elif safety.crisis:  # a private one never reaches their queue: it needs an alert of its own
        raise_safety_alert(
            source="private question",
            text=question_text(title, body),
            author=asker,
            circle_id=None,
            check=safety,
        )
    if not shared:
        notify(
            (c.id for c in _staff(Role.CLINICIAN)),
            kind="private_question",
            message="A family asked the care team a private question",
            link="/answers",
        )
    return question


def _moderation_conflict() -> QaConflictError:
    return QaConflictError("Another moderator acted on this question first. Please look again.")


def _moderated(question: Question, expected_version: int) -> None:
    if question.version != expected_version:
        raise _moderation_conflict()


def approve(moderator: User, question: Question, *, expected_version: int) -> None:
    _moderated(question, expected_version)
    if question.status not in {"pending", "hidden"}:
        raise QaError("Only questions waiting for review can be approved.")
    question.status = "answered" if question.first_answered_at else "published"
    question.published_at = question.published_at or utcnow()
    question.hidden_at = None
    flush_versioned(_moderation_conflict)
    _resolve_flags(question)
    index_question(question)
    record("moderation.approved", actor=moderator, target_type="question", target_id=question.id)
    notify(
        [question.asker_id],
        kind="question_published",
        message=f"Your question was published: {question.title}",
        link=f"/qa/{question.id}",
    )
    notify(
        (c.id for c in _staff(Role.CLINICIAN)),
        kind="new_question",
        message=f"A new question to answer: {question.title}",
        link="/answers",
    )


def edit_question(
    moderator: User, question: Question, *, title: str, body: str, expected_version: int
) -> None:
    """Remove identifying or harmful details; the original stays as a revision."""
    _moderated(question, expected_version)
    title, body = _clean(title, body)
    db.session.add(
        QuestionRevision(
            question_id=question.id,
            editor_id=moderator.id,
            title=question.title,
            body=question.body,
        )
    )
    question.title, question.body = title, body
    question.edited_by_moderator = True
    flush_versioned(_moderation_conflict)
    index_question(question)
    record("moderation.edited", actor=moderator, target_type="question", target_id=question.id)
    notify(
        [question.asker_id],
        kind="question_edited",
        message="A moderator edited your question to protect privacy or safety.",
        link="/qa/mine",
    )


def return_question(
    moderator: User, question: Question, *, reason: str, note: str, expected_version: int
) -> None:
    _moderated(question, expected_version)
    if reason not in RETURN_REASONS:
        raise QaError("Please choose a reason.")
    question.status = "returned"
    question.return_reason, question.return_note = reason, (note or "").strip()[:500]
    flush_versioned(_moderation_conflict)
    index_question(question)
    record(
        "moderation.returned",
        actor=moderator,
        target_type="question",
        target_id=question.id,
        detail=reason,
    )
    notify(
        [question.asker_id],
        kind="question_returned",
        message=f"Your question was returned: {RETURN_REASONS[reason]}",
        link="/qa/mine",
    )


def mark_duplicate(
    moderator: User, question: Question, original: Question, *, expected_version: int
) -> None:
    _moderated(question, expected_version)
    if original.id == question.id or original.status not in {"published", "answered"}:
        raise QaError("Choose a published question as the original.")
    question.status, question.duplicate_of_id = "duplicate", original.id
    flush_versioned(_moderation_conflict)
    index_question(question)
    record(
        "moderation.duplicate",
        actor=moderator,
        target_type="question",
        target_id=question.id,
        detail=f"of {original.id}",
    )
    notify(
        [question.asker_id],
        kind="question_duplicate",
        message="Your question was already answered: see the answer here.",
        link=f"/qa/{original.id}",
    )


def route_private(moderator: User, question: Question, *, expected_version: int) -> None:
    _moderated(question, expected_version)
    question.status, question.shared = "private_pending", False
    flush_versioned(_moderation_conflict)
    index_question(question)
    record(
        "moderation.routed_private", actor=moderator, target_type="question", target_id=question.id
    )
    notify(
        (c.id for c in _staff(Role.CLINICIAN)),
        kind="private_question",
        message="A question was routed to the care team privately",
        link="/answers",
    )


def answer(clinician: User, question: Question, *, body: str) -> Answer:
    body = (body or "").strip()
    if not body:
        raise QaError("Please write an answer.")
    if len(body) > BODY_LIMIT:
        raise QaError(f"Please keep the answer under {BODY_LIMIT} characters.")
    if question.status not in {"published", "answered", "private_pending", "private"}:
        raise QaError("This question is not open for answers.")
    reply = Answer(question_id=question.id, clinician_id=clinician.id, body=body)
    db.session.add(reply)
    now = utcnow()
    question.first_answered_at = question.first_answered_at or now
    question.status = "private" if not question.shared else "answered"
    db.session.flush()
    record("qa.answered", actor=clinician, target_type="question", target_id=question.id)
    followers = db.session.scalars(
        select(QuestionVote.user_id).where(
            QuestionVote.question_id == question.id, QuestionVote.kind == "follow"
        )
    )
    notify(
        [question.asker_id, *followers],
        kind="question_answered",
        message=f"A clinician answered: {question.title}",
        link=f"/qa/{question.id}",
    )
    return reply


def _answer_conflict() -> QaConflictError:
    return QaConflictError(
        "This answer was changed since you opened it. Your text is kept "
        "below; please compare and save again."
    )


def edit_answer(clinician: User, reply: Answer, *, body: str, expected_version: int) -> None:
    if reply.version != expected_version:
        raise _answer_conflict()
    body = (body or "").strip()
    if not body:
        raise QaError("Please write an answer.")
    db.session.add(AnswerRevision(answer_id=reply.id, body=reply.body, editor_id=clinician.id))
    now = utcnow()
    reply.body, reply.updated_at = body[:BODY_LIMIT], now
    reply.edited_by_id, reply.edited_at = clinician.id, now
    flush_versioned(_answer_conflict)
    record("qa.answer_edited", actor=clinician, target_type="answer", target_id=reply.id)


def toggle_vote(user: User, question: Question, *, kind: str) -> bool:
    """Add or remove "I have this question too" or a follow; return whether it is now on."""
    vote = db.session.scalar(
        select(QuestionVote).where(
            QuestionVote.question_id == question.id,
            QuestionVote.user_id == user.id,
            QuestionVote.kind == kind,
        )
    )
    if vote is None:
        db.session.add(QuestionVote(question_id=question.id, user_id=user.id, kind=kind))
    else:
        db.session.delete(vote)
    db.session.flush()
    if kind == "me_too":
        question.me_too_count = (
            db.session.scalar(
                select(func.count())
                .select_from(QuestionVote)
                .where(QuestionVote.question_id == question.id, QuestionVote.kind == "me_too")
            )
            or 0
        )
    return vote is None


def mark_helpful(user: User, reply: Answer) -> None:
    if db.session.scalar(
        select(HelpfulMark.id).where(
            HelpfulMark.answer_id == reply.id, HelpfulMark.user_id == user.id
        )
    ):
        return
    db.session.add(HelpfulMark(answer_id=reply.id, user_id=user.id))
    db.session.flush()
    reply.helpful_count = (
        db.session.scalar(
            select(func.count()).select_from(HelpfulMark).where(HelpfulMark.answer_id == reply.id)
        )
        or 0
    )


def flag(user: User, question: Question, *, reason: str, reply: Answer | None = None) -> None:
    """Flagged content goes back to the queue; three different people hide it until reviewed."""
    reason = (reason or "").strip()
    if not reason:
        raise QaError("Please say briefly what worries you.")
    target_type, target_id = ("answer", reply.id) if reply else ("question", question.id)
    exists = db.session.scalar(
        select(ContentFlag.id).where(
            ContentFlag.target_type == target_type,
            ContentFlag.target_id == target_id,
            ContentFlag.user_id == user.id,
        )
    )
    if exists:
        raise QaError("You already flagged this. Thank you; a moderator will look at it.")
    db.session.add(
        ContentFlag(
            target_type=target_type,
            target_id=target_id,
            question_id=question.id,
            user_id=user.id,
            reason=reason[:300],
        )
    )
    db.session.flush()
    record("qa.flagged", actor=user, target_type=target_type, target_id=target_id)
    open_flags = (
        db.session.scalar(
            select(func.count(func.distinct(ContentFlag.user_id))).where(
                ContentFlag.question_id == question.id, ContentFlag.resolved_at.is_(None)
            )
        )
        or 0
    )
    if open_flags >= FLAGS_TO_HIDE and question.status in {"published", "answered"}:
        question.status, question.hidden_at = "hidden", utcnow()
        question.hidden_reason = "Flagged by several people"
        db.session.flush()
        index_question(question)
        record(
            "moderation.hidden",
            actor=None,
            target_type="question",
            target_id=question.id,
            detail="three flags",
        )


def _resolve_flags(question: Question) -> None:
    for row in db.session.scalars(
        select(ContentFlag).where(
            ContentFlag.question_id == question.id, ContentFlag.resolved_at.is_(None)
        )
    ):
        row.resolved_at = utcnow()


def send_observation(
    member: User,
    circle: CareCircle,
    membership: Membership | None,
    *,
    sleep: str,
    activity: str,
    mood: str,
    after_treatment: str,
    note: str,
) -> Observation:
    if not circle.observations_enabled:
        raise QaError("This channel is turned off.")
    if not any((sleep, activity, mood, after_treatment.strip(), note.strip())):
        raise QaError("Please fill in at least one part.")
    safety = check_text(observation_text(after_treatment, note))
    observation = Observation(
        circle_id=circle.id,
        author_id=member.id,
        sleep=sleep,
        activity=activity,
        mood=mood,
        after_treatment=after_treatment.strip()[:500],
        note=note.strip()[:BODY_LIMIT],
        urgent=safety.crisis,
    )
    db.session.add(observation)
    db.session.flush()
    record(
        "qa.observation",
        actor=member,
        target_type="circle",
        target_id=circle.id,
        detail="urgent" if safety.crisis else "",
    )
    notify(
        (c.id for c in _staff(Role.CLINICIAN)),
        kind="observation",
        message="A family member sent an observation",
        link="/answers",
    )
    if safety.crisis:  # the clinicians' list is no moderator's queue: alert them too
        raise_safety_alert(
            source="observation",
            text=observation_text(observation.after_treatment, observation.note),
            author=member,
            circle_id=circle.id,
            check=safety,
        )
    return observation
