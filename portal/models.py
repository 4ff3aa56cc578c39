"""Imports every model so the metadata is complete for Alembic and ``create_all`` in tests."""

from portal.audit.models import AuditEvent
from portal.auth.models import LoginThrottle, User, UserSession
from portal.circles.models import AccessLogEntry, CareCircle, Invitation, Membership
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
    "CareCircle",
    "CourseModule",
    "Invitation",
    "LearnerSettings",
    "LoginThrottle",
    "Membership",
    "ModuleStep",
    "OutgoingEmail",
    "RecoveryTimeline",
    "StepProgress",
    "StepRevision",
    "User",
    "UserSession",
    "WellbeingCheckIn",
]
