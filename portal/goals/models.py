"""Goals and their steps, check-ins, encouragement, offers of help, treatment-day slots, quiet
mode and the board's activity list."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, utcnow


class Column(StrEnum):
    IDEAS = "ideas"
    THIS_WEEK = "this_week"
    DOING = "doing"
    DONE = "done"
    RESTING = "resting"


COLUMN_LABELS = {
    Column.IDEAS: "Ideas",
    Column.THIS_WEEK: "This week",
    Column.DOING: "Doing",
    Column.DONE: "Done",
    Column.RESTING: "Resting",
}


class Area(StrEnum):
    HEALTH = "health"
    RELATIONSHIPS = "relationships"
    WORK = "work"
    HOME = "home"
    FUN = "fun"
    OTHER = "other"


AREA_LABELS = {
    Area.HEALTH: "Health",
    Area.RELATIONSHIPS: "Relationships",
    Area.WORK: "Work or school",
    Area.HOME: "Home",
    Area.FUN: "Fun",
    Area.OTHER: "Other",
}


class Visibility(StrEnum):
    CIRCLE = "circle"
    CHOSEN = "chosen"
    PRIVATE = "private"


VISIBILITY_LABELS = {
    Visibility.CIRCLE: "Everyone who may see my board",
    Visibility.CHOSEN: "Only the people I choose",
    Visibility.PRIVATE: "Only me",
}

LEVELS = {-1: "A bit less", 0: "What I expect", 1: "A bit more"}
ENERGY_LABELS = {1: "Very low", 2: "Low", 3: "Some", 4: "Good", 5: "High"}
REACTIONS = {"heart": "❤️ Sending love", "proud": "🌱 Proud of you", "here": "🤝 I'm here"}


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_circle_status", "circle_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(20), default=Area.OTHER.value)
    column: Mapped[str] = mapped_column(String(12), default=Column.IDEAS.value)
    position: Mapped[int] = mapped_column(Integer, default=0)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.CIRCLE.value)
    target_week: Mapped[date | None] = mapped_column(Date)
    level_less: Mapped[str] = mapped_column(String(200), default="")
    level_expected: Mapped[str] = mapped_column(String(200), default="")
    level_more: Mapped[str] = mapped_column(String(200), default="")
    # active, or a family member's suggestion waiting for the patient (suggested, declined)
    status: Mapped[str] = mapped_column(String(10), default="active")
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The suggester's own words, kept as written: the patient may change the goal afterwards,
    # and the suggester's data export must hold what they wrote, not what the patient made of it.
    suggested_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    suggested_why: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    steps: Mapped[list[GoalStep]] = relationship(
        back_populates="goal", order_by="GoalStep.position", cascade="all, delete-orphan"
    )
    viewers: Mapped[list[GoalViewer]] = relationship(cascade="all, delete-orphan")
    suggested_by: Mapped[User | None] = relationship(foreign_keys=[suggested_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping

    @property
    def area_label(self) -> str:
        return AREA_LABELS[Area(self.area)]

    @property
    def column_label(self) -> str:
        return COLUMN_LABELS[Column(self.column)]

    @property
    def has_levels(self) -> bool:
        return bool(self.level_less or self.level_expected or self.level_more)


class GoalViewer(Base):
    """For goals shared with chosen members only: who they are."""

    __tablename__ = "goal_viewers"
    __table_args__ = (UniqueConstraint("goal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class GoalStep(Base):
    __tablename__ = "goal_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    goal: Mapped[Goal] = relationship(back_populates="steps")


class GoalCheckIn(Base):
    """The patient's short note on a goal: energy, and which level was reached (no scores)."""

    __tablename__ = "goal_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    energy: Mapped[int | None] = mapped_column(SmallInteger)
    level_reached: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Encouragement(Base):
    """A short message or a reaction from a member who may encourage."""

    __tablename__ = "encouragements"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    reaction: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Words of crisis from a relative wait here, seen by their writer only, until the writer
    # chooses to send them anyway (then None). The patient is not shown or told until then.
    held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User | None] = relationship()


class HelpOffer(Base):
    """ "I can drive you on Tuesday": offered by a member, accepted or declined by the patient."""

    __tablename__ = "help_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("goal_steps.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="offered")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # as above

    author: Mapped[User | None] = relationship()


class TreatmentDay(Base):
    __tablename__ = "treatment_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("care_circles.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(300), default="")

    slots: Mapped[list[HelpSlot]] = relationship(
        back_populates="day", order_by="HelpSlot.id", cascade="all, delete-orphan"
    )


class HelpSlot(Base):
    """One thing that would help on a treatment day; one member takes it."""

    __tablename__ = "help_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_days.id", ondelete="CASCADE"), index=True
    )
    need: Mapped[str] = mapped_column(String(80))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    day: Mapped[TreatmentDay] = relationship(back_populates="slots")
    taken_by: Mapped[User | None] = relationship()


class BoardSettings(Base):
    __tablename__ = "board_settings"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("care_circles.id", ondelete="CASCADE"), primary_key=True
    )
    quiet_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BoardActivity(Base):
    """Something that happened on the board, shown to the people it concerns."""

    __tablename__ = "board_activities"
    __table_args__ = (Index("ix_board_activities_circle_created", "circle_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("care_circles.id", ondelete="CASCADE"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whose dashboard it belongs on: None for the patient, or the member it is about.
    for_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
