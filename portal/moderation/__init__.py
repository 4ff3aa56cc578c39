"""Moderators review every question before it is published, and every flag."""
