"""Imports every model so the metadata is complete for Alembic and ``create_all`` in tests."""

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
from portal.notifications.models import OutgoingEmail

__all__ = [
    "AccessLogEntry",
    "AuditEvent",
    "BoardActivity",
    "BoardSettings",
    "CareCircle",
    "CourseModule",
    "Encouragement",
    "Goal",
    "GoalCheckIn",
    "GoalStep",
    "GoalViewer",
    "HelpOffer",
    "HelpSlot",
    "Invitation",
    "LearnerSettings",
    "LoginThrottle",
    "Membership",
    "ModuleStep",
    "OutgoingEmail",
    "RecoveryTimeline",
    "StepProgress",
    "StepRevision",
    "TreatmentDay",
    "User",
    "UserSession",
    "WellbeingCheckIn",
]
