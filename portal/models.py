"""Imports every model so the metadata is complete for Alembic and ``create_all`` in tests."""

from sqlalchemy import Connection, event

from portal.audit.models import AuditEvent
from portal.auth.models import LoginThrottle, User, UserSession
from portal.circles.models import AccessLogEntry, CareCircle, Invitation, Membership
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
from portal.learning.models import (
    CourseModule,
    LearnerSettings,
    ModuleStep,
    RecoveryTimeline,
    StepProgress,
    StepRevision,
    WellbeingCheckIn,
)
from portal.notifications.models import Notification, OutgoingEmail, SafetyAlert
from portal.qa.models import (
    Answer,
    AnswerRevision,
    ContentFlag,
    HelpfulMark,
    Observation,
    Question,
    QuestionRevision,
    QuestionVote,
)
from portal.qa.search import install

__all__ = [
    "AccessLogEntry",
    "Answer",
    "AnswerRevision",
    "AuditEvent",
    "BoardActivity",
    "BoardSettings",
    "CareCircle",
    "ContentFlag",
    "CourseModule",
    "Encouragement",
    "Goal",
    "GoalCheckIn",
    "GoalStep",
    "GoalViewer",
    "HelpOffer",
    "HelpSlot",
    "HelpfulMark",
    "Invitation",
    "LearnerSettings",
    "LoginThrottle",
    "Membership",
    "ModuleStep",
    "Notification",
    "Observation",
    "OutgoingEmail",
    "Question",
    "QuestionRevision",
    "QuestionVote",
    "RecoveryTimeline",
    "SafetyAlert",
    "StepProgress",
    "StepRevision",
    "TreatmentDay",
    "User",
    "UserSession",
    "WellbeingCheckIn",
]


@event.listens_for(Question.__table__, "after_create")
def _create_search_index(target: object, connection: Connection, **kw: object) -> None:
    """``create_all`` (tests) builds the search structures the migration builds in production."""
    install(connection)
