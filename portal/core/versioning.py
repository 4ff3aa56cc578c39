"""Saving rows that carry a version number, so that concurrent edits are detected.

A form carries the version it was loaded at, and the service compares it first. Two requests
can still pass that check together (on PostgreSQL, both read before either writes); the
versioned UPDATE then matches no row for the later one, and SQLAlchemy raises StaleDataError.
Here that becomes the same conflict a stale form gets, instead of a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db


def flush_versioned(conflict: Callable[[], Exception]) -> None:
    """Flush; if another request saved the same row first, raise ``conflict()``."""
    try:
        db.session.flush()
    except StaleDataError as lost_race:
        raise conflict() from lost_race
