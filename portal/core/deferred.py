"""Small bookkeeping writes made on reading requests (session activity, access logs, denials).

They run after the page's own work, in a short transaction of their own: a GET's read
transaction is closed first, so on SQLite the write never has to upgrade a stale read snapshot,
and a failed bookkeeping write never fails the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g
from sqlalchemy.exc import OperationalError

from portal.extensions import db


def defer_write(write: Callable[[], Any]) -> None:
    """Run ``write`` (which adds or updates rows; no commit) once the response is ready. If it
    returns a callable, that runs once the write has been committed."""
    g.setdefault("deferred_writes", []).append(write)


def run_deferred_writes(response: Response) -> Response:
    writes: list[Callable[[], Any]] = g.pop("deferred_writes", [])
    if not writes:
        return response
    db.session.rollback()
    try:
        committed = [write() for write in writes]
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("deferred bookkeeping skipped", exc_info=True)
        return response
    for then in committed:
        if callable(then):
            then()
    return response
