"""Where the patient is in the broken-leg picture, and which modules fit that moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from portal.learning.models import PHASE_LABELS, Phase, RecoveryTimeline

CAST_WEEKS = 6  # a cast stays on for about six weeks
WAITING_WEEKS = 4  # then some weeks out of the cast before the real rebuilding

PICTURES = {
    Phase.CAST: (
        "In the cast. Treatment is doing its work. Rest, routine and patience matter most now. "
        "Good days are real, and so is the need to take it slowly."
    ),
    Phase.WAITING: (
        "Out of the cast, still healing. Things feel better, but strength is not back yet. "
        "Small steps, chosen by the person, are the right size."
    ),
    Phase.THERAPY: (
        "Physical therapy. This is the rebuilding stage: habits, relationships and work come "
        "back step by step, with practice and support rather than pressure."
    ),
}


class ModuleFacts(Protocol):
    """What pacing needs of a module: a full CourseModule or a row of the course outline."""

    @property
    def phase(self) -> str: ...
    @property
    def encourages_activity(self) -> bool: ...
    @property
    def always_open(self) -> bool: ...


M = TypeVar("M", bound=ModuleFacts)


@dataclass(frozen=True)
class RecoveryMoment:
    week: int | None
    phase: Phase | None
    picture: str

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.phase] if self.phase else ""


def recovery_moment(timeline: RecoveryTimeline | None, today: date) -> RecoveryMoment | None:
    """The week of recovery (from the treatment start) and the phase (the patient's own word
    wins over the week count)."""
    if timeline is None or (not timeline.treatment_started_on and not timeline.phase):
        return None
    week = None
    if timeline.treatment_started_on and timeline.treatment_started_on <= today:
        week = (today - timeline.treatment_started_on).days // 7 + 1
    phase: Phase | None = Phase(timeline.phase) if timeline.phase else None
    if phase is None and week is not None:
        phase = (
            Phase.CAST
            if week <= CAST_WEEKS
            else Phase.WAITING
            if week <= CAST_WEEKS + WAITING_WEEKS
            else Phase.THERAPY
        )
    return RecoveryMoment(week=week, phase=phase, picture=PICTURES.get(phase, "") if phase else "")


def modules_for(moment: RecoveryMoment | None, modules: list[M]) -> list[M]:
    if moment is None or moment.phase is None:
        return []
    return [m for m in modules if m.phase == moment.phase.value]


def waits_for_therapy(module: ModuleFacts, timeline: RecoveryTimeline | None) -> bool:
    """A module on encouraging activity waits while the patient asked and is not there yet."""
    return bool(
        module.encourages_activity
        and not module.always_open
        and timeline is not None
        and timeline.hold_activity_modules
        and timeline.phase != Phase.THERAPY.value
    )
