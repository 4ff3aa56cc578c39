from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from portal.core import access
from portal.db import utcnow
from portal.overview import queries
from portal.qa.queries import queue_health

bp = Blueprint("overview", __name__)


@bp.get("/overview")
@access.roles("admin", "clinician")
def show_overview() -> ResponseReturnValue:
    now = utcnow()
    circles, people = queries.active_by_week(now)
    asked, waits = queries.questions_by_week(now)
    return render_template(
        "overview/show_overview.html",
        circles=circles,
        people=people,
        completion=queries.completion_by_module(),
        asked=asked,
        waits=waits,
        health=queue_health(now),
    )
