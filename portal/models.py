"""Imports every model so the metadata is complete for Alembic and ``create_all`` in tests."""

from portal.audit.models import AuditEvent
from portal.auth.models import LoginThrottle, User, UserSession
from portal.notifications.models import OutgoingEmail

__all__ = ["AuditEvent", "LoginThrottle", "OutgoingEmail", "User", "UserSession"]
