"""Accounts, roles, sign-in and server-side sessions."""
