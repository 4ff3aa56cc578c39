"""The audit trail: who did what to which object, for every security-relevant action."""
