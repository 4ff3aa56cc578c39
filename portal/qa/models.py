"""Questions, answers, their revisions, votes, follows, flags, and "I noticed" observations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, utcnow

RETURN_REASONS = {
    "identifying": "It includes details that could identify someone",
    "medical": "It asks for individual medical advice we cannot give here",
    "unclear": "We could not understand the question",
    "off_topic": "It is not about supporting someone's recovery",
    "unkind": "It includes words that could hurt someone",
}

QUESTION_STATES = {
    "pending": "Waiting for review",
    "published": "Published",
    "answered": "Answered",
    "returned": "Returned to you",
    "duplicate": "Already answered elsewhere",
    "private": "Answered privately by the care team",
    "private_pending": "With the care team",
    "hidden": "Hidden while we review it",
}


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    asker_relationship: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(String(300), default="")  # space-separated module slugs
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # pending -> published (-> answered) | returned | duplicate | hidden;
    # a private question: private_pending -> private (answered)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis_patterns: Mapped[str] = mapped_column(String(300), default="")
    # core.safety.Level of the words as asked: "none", "risk" or "emergency" (urgent unless none)
    crisis_level: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    return_reason: Mapped[str] = mapped_column(String(20), default="")
    return_note: Mapped[str] = mapped_column(String(500), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    edited_by_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    me_too_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    asker: Mapped[User | None] = relationship(foreign_keys=[asker_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", order_by="Answer.created_at"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping

    @property
    def state_label(self) -> str:
        return QUESTION_STATES.get(self.status, self.status)

    @property
    def topic_list(self) -> list[str]:
        return self.topics.split()


class QuestionRevision(Base):
    """The asker's original words, kept when a moderator edits (only moderators see these)."""

    __tablename__ = "question_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The last edit, shown under the answer ("edited by NAME on DATE"); each earlier wording is
    # an AnswerRevision.
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    question: Mapped[Question] = relationship(back_populates="answers")
    clinician: Mapped[User | None] = relationship(foreign_keys=[clinician_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping


class AnswerRevision(Base):
    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuestionVote(Base):
    """ "I have this question too" (kind=me_too) or following it (kind=follow)."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))


class HelpfulMark(Base):
    __tablename__ = "helpful_marks"
    __table_args__ = (UniqueConstraint("answer_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class ContentFlag(Base):
    """Someone's concern about a published question or answer."""

    __tablename__ = "content_flags"
    __table_args__ = (UniqueConstraint("target_type", "target_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Observation(Base):
    """ "I noticed": a family member's private, structured note to the care team."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("care_circles.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sleep: Mapped[str] = mapped_column(String(20), default="")
    activity: Mapped[str] = mapped_column(String(20), default="")
    mood: Mapped[str] = mapped_column(String(20), default="")
    after_treatment: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User | None] = relationship()
