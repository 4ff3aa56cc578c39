"""Course modules and steps (published from files, editable by clinicians with revisions),
each reader's progress, the patient's recovery timeline, and family wellbeing check-ins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow


class Phase(StrEnum):
    CAST = "cast"
    WAITING = "waiting"
    THERAPY = "therapy"
    ANY = "any"


PHASE_LABELS = {
    Phase.CAST: "In the cast",
    Phase.WAITING: "Out of the cast, still healing",
    Phase.THERAPY: "Physical therapy",
    Phase.ANY: "Any time",
}


class StepKind(StrEnum):
    READING = "reading"
    CHECK = "check"
    REFLECTION = "reflection"
    ACTION = "action"


STEP_KIND_LABELS = {
    StepKind.READING: "Read",
    StepKind.CHECK: "Quick check",
    StepKind.REFLECTION: "Reflect",
    StepKind.ACTION: "Try this week",
}


@dataclass(frozen=True)
class CheckOption:
    text: str
    correct: bool
    explanation: str


class CourseModule(Base):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(10))
    encourages_activity: Mapped[bool] = mapped_column(Boolean, default=False)
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes: Mapped[int] = mapped_column(Integer, default=10)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    steps: Mapped[list[ModuleStep]] = relationship(
        back_populates="module", order_by="ModuleStep.position"
    )

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)]


class ModuleStep(Base):
    """The published text of a step. Every change is also kept as a ``StepRevision``."""

    __tablename__ = "module_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    prompt: Mapped[str] = mapped_column(Text, default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    published_revision_id: Mapped[int | None] = mapped_column(Integer)

    module: Mapped[CourseModule] = relationship(back_populates="steps")

    @property
    def options(self) -> list[CheckOption]:
        return [CheckOption(**option) for option in json.loads(self.options_json or "[]")]

    @property
    def kind_label(self) -> str:
        return STEP_KIND_LABELS[StepKind(self.kind)]


class StepRevision(Base):
    """One saved version of a step's text: from a file, or from a clinician's edit."""

    __tablename__ = "step_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("module_steps.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    prompt: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("step_id", "number"),)


class StepProgress(Base):
    """One reader's work on one step: done, their check answer, their private reflection."""

    __tablename__ = "step_progress"
    __table_args__ = (UniqueConstraint("user_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("module_steps.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[int | None] = mapped_column(SmallInteger)
    answered_correctly: Mapped[bool | None] = mapped_column(Boolean)
    reflection: Mapped[str] = mapped_column(Text, default="")
    reflection_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnerSettings(Base):
    """A reader's own choices about the course."""

    __tablename__ = "learner_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Whether the patients whose circles I am in see which modules I finished (never answers).
    share_progress: Mapped[bool] = mapped_column(Boolean, default=True)


class RecoveryTimeline(Base):
    """The patient's own account of where they are: treatment start and broken-leg phase."""

    __tablename__ = "recovery_timelines"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("care_circles.id", ondelete="CASCADE"), primary_key=True
    )
    treatment_started_on: Mapped[date | None] = mapped_column(Date)
    phase: Mapped[str] = mapped_column(String(10), default="")
    hold_activity_modules: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WellbeingCheckIn(Base):
    """A family member's short check-in on their own strain and confidence (1 to 5 each)."""

    __tablename__ = "wellbeing_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tired: Mapped[int] = mapped_column(SmallInteger)
    worried: Mapped[int] = mapped_column(SmallInteger)
    alone: Mapped[int] = mapped_column(SmallInteger)
    confident: Mapped[int] = mapped_column(SmallInteger)
    know_what_to_say: Mapped[int] = mapped_column(SmallInteger)

    @property
    def strain(self) -> int:
        """3 (low) to 15 (high)."""
        return self.tired + self.worried + self.alone

    @property
    def confidence(self) -> int:
        """2 (low) to 10 (high)."""
        return self.confident + self.know_what_to_say
