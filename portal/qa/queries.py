"""Question lists scoped to the person asking, each loaded in a fixed number of queries."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import Label, Row, bindparam, func, select, union
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal import policy
from portal.auth.models import User
from portal.core.paging import Paged, Slice, slice_of
from portal.db import as_utc
from portal.extensions import db
from portal.qa import search
from portal.qa.models import (
    Answer,
    AnswerRevision,
    ContentFlag,
    Observation,
    Question,
    QuestionRevision,
    QuestionVote,
)

PAGE_SIZE = 20


def published(
    *,
    term: str = "",
    topic: str = "",
    answered: str = "",
    page: int = 1,
    any_word: bool = False,
) -> tuple[Slice[Question], bool]:
    """A page of published questions, and whether it matched any word rather than every word."""
    statement = select(Question).where(Question.status.in_(("published", "answered")))
    if topic:
        statement = statement.where(Question.topics.contains(topic))
    if answered == "yes":
        statement = statement.where(Question.first_answered_at.is_not(None))
    elif answered == "no":
        statement = statement.where(Question.first_answered_at.is_(None))
    if not term:
        newest = statement.order_by(Question.published_at.desc(), Question.id.desc())
        return slice_of(newest, page=page, per_page=PAGE_SIZE), False
    # Questions with every word (what people expect of a search box, and quick); only when
    # none has them all, questions with any of them (the page then says so).
    if not any_word:
        every = search.matching(statement, term, every_word=True)
        found = slice_of(every, page=page, per_page=PAGE_SIZE)
        if found.items or page > 1 or len(search.terms(term)) < 2:
            return found, False
    return slice_of(search.matching(statement, term), page=page, per_page=PAGE_SIZE), True


def answered_for_topic(slug: str, limit: int = 3) -> list[Question]:
    """Answered questions tagged with a course module, for that module's page."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.status == "answered", Question.topics.contains(slug))
            .order_by(Question.me_too_count.desc(), Question.first_answered_at.desc())
            .limit(limit)
        )
    )


def similar(term: str, limit: int = 5) -> list[Question]:
    if not search.terms(term):
        return []
    statement = search.matching(
        select(Question).where(Question.status.in_(("published", "answered"))), term
    )
    return list(db.session.scalars(statement.limit(limit)))


def question_or_404(actor: User, question_id: int) -> Question:
    question = db.session.scalar(
        select(Question)
        .options(
            joinedload(Question.asker),
            selectinload(Question.answers).options(
                joinedload(Answer.clinician), joinedload(Answer.edited_by)
            ),
        )
        .where(Question.id == question_id)
    )
    if question is None or not policy.can_view_question(actor, question):
        abort(404)
    return question


def answer_or_404(answer_id: int) -> Answer:
    reply = db.session.scalar(
        select(Answer).options(joinedload(Answer.question)).where(Answer.id == answer_id)
    )
    if reply is None:
        abort(404)
    return reply


def mine(user: User) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.asker_id == user.id)
            .order_by(Question.created_at.desc())
            .limit(100)
        )
    )


def my_votes(user: User, question: Question) -> set[str]:
    return set(
        db.session.scalars(
            select(QuestionVote.kind).where(
                QuestionVote.question_id == question.id, QuestionVote.user_id == user.id
            )
        )
    )


MODERATION_PAGE = 25


def _asker_history_columns() -> tuple[Label[int], Label[int]]:
    """Correlated counts for the asker of the outer ``Question`` row: ``asked`` (questions they
    have asked, that one included) and ``flags`` (flags ever raised on their questions)."""
    theirs = aliased(Question)
    asked = (
        select(func.count(theirs.id))
        .where(theirs.asker_id == Question.asker_id)
        .correlate(Question)
        .scalar_subquery()
        .label("asked")
    )
    flags = (
        select(func.count(ContentFlag.id))
        .join(theirs, ContentFlag.question_id == theirs.id)
        .where(theirs.asker_id == Question.asker_id)
        .correlate(Question)
        .scalar_subquery()
        .label("flags")
    )
    return asked, flags


def _moderation_queue() -> Paged:
    # A UNION of two indexed lookups: "status IN (...) OR id IN (...)" made PostgreSQL scan
    # every question.
    waiting = select(Question.id).where(Question.status.in_(("pending", "hidden")))
    flagged = select(ContentFlag.question_id).where(ContentFlag.resolved_at.is_(None))
    statement = (
        select(Question, *_asker_history_columns())
        .options(joinedload(Question.asker))
        .where(Question.id.in_(union(waiting, flagged)))
        .order_by(Question.urgent.desc(), Question.created_at, Question.id)
    )
    return Paged(statement, per_page=MODERATION_PAGE)


_MODERATION_QUEUE = _moderation_queue()


def moderation_queue(page: int = 1) -> Slice[Row[Question, int, int]]:
    """Waiting, hidden or flagged questions, a page at a time: urgent first, then oldest.

    One statement: rows of (question, asked, flags), each question with its asker loaded.
    """
    return _MODERATION_QUEUE.page(page)


_ASKER_HISTORY = select(*_asker_history_columns()).where(Question.id == bindparam("question_id"))


def asker_history(question: Question) -> Row[int, int]:
    """The ``asked`` and ``flags`` counts of the question's asker, for the review page."""
    return db.session.execute(_ASKER_HISTORY, {"question_id": question.id}).one()


def open_flags(question: Question) -> list[ContentFlag]:
    return list(
        db.session.scalars(
            select(ContentFlag).where(
                ContentFlag.question_id == question.id, ContentFlag.resolved_at.is_(None)
            )
        )
    )


def revisions(question: Question) -> list[QuestionRevision]:
    return list(
        db.session.scalars(
            select(QuestionRevision)
            .where(QuestionRevision.question_id == question.id)
            .order_by(QuestionRevision.created_at)
        )
    )


def answer_revisions(reply: Answer) -> list[AnswerRevision]:
    return list(
        db.session.scalars(
            select(AnswerRevision)
            .where(AnswerRevision.answer_id == reply.id)
            .order_by(AnswerRevision.created_at.desc())
        )
    )


ANSWER_QUEUE_PAGE = 25
_ANSWER_QUEUE = Paged(
    select(Question)
    .where(Question.status.in_(("published", "private_pending")))
    .order_by(
        Question.urgent.desc(), Question.me_too_count.desc(), Question.created_at, Question.id
    ),
    per_page=ANSWER_QUEUE_PAGE,
)


def answer_queue(page: int = 1) -> Slice[Question]:
    """Unanswered questions for clinicians, a page at a time: urgent, then most "me too", then
    oldest."""
    return _ANSWER_QUEUE.page(page)


def recent_observations(limit: int = 20) -> list[Observation]:
    return list(
        db.session.scalars(
            select(Observation)
            .options(joinedload(Observation.author))
            .order_by(Observation.urgent.desc(), Observation.created_at.desc())
            .limit(limit)
        )
    )


def observations_sent(circle_id: int) -> list[datetime]:
    return list(
        db.session.scalars(
            select(Observation.created_at)
            .where(Observation.circle_id == circle_id)
            .order_by(Observation.created_at.desc())
            .limit(20)
        )
    )


def median_hours_to_answer(now: datetime, days: int = 90) -> float | None:
    """Median time from asking to the first answer, over recent answered questions."""
    rows = db.session.execute(
        select(Question.created_at, Question.first_answered_at)
        .where(
            Question.first_answered_at.is_not(None),
            Question.first_answered_at >= now - timedelta(days=days),
        )
        .order_by(Question.first_answered_at.desc())
        .limit(500)
    ).all()
    hours = [
        (as_utc(done) - as_utc(asked)).total_seconds() / 3600
        for asked, done in rows
        if done is not None
    ]
    return round(statistics.median(hours), 1) if hours else None


def queue_health(now: datetime) -> dict[str, object]:
    waiting = (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.status.in_(("pending", "published", "private_pending")))
        )
        or 0
    )
    urgent_old = (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .where(
                Question.urgent.is_(True),
                Question.status.in_(("pending", "private_pending")),
                Question.created_at <= now - timedelta(hours=1),
            )
        )
        or 0
    )
    return {
        "waiting": waiting,
        "urgent_old": urgent_old,
        "median_hours": median_hours_to_answer(now),
    }
