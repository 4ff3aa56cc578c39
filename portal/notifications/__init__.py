"""Outgoing mail (and, later, in-app notifications)."""
