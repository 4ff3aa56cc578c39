"""Small bookkeeping writes made on reading requests (session activity, access logs, denials).

They run after the page's own work, in a short transaction of their own: a GET's read
transaction is closed first, so on SQLite the write never has to upgrade a stale read snapshot,
and a failed bookkeeping write never fails the page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, g
from sqlalchemy.exc import OperationalError

from portal.extensions import db


def defer_write(write: Callable[[], None]) -> None:
    """Run ``write`` (which adds or updates rows; no commit) once the response is ready."""
    g.setdefault("deferred_writes", []).append(write)


def run_deferred_writes(response: Response) -> Response:
    writes: list[Callable[[], None]] = g.pop("deferred_writes", [])
    if not writes:
        return response
    db.session.rollback()
    try:
        for write in writes:
            write()
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("deferred bookkeeping skipped", exc_info=True)
    return response
