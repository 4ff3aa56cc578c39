"""The clinic's own administration: people and roles, and the audit log."""
