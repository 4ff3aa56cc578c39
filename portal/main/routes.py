from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import policy
from portal.auth import sessions
from portal.circles.context import circle_nav
from portal.circles.services import log_access
from portal.core import access
from portal.db import utcnow
from portal.extensions import db
from portal.goals.queries import dashboard_activity
from portal.learning import queries as learning_queries
from portal.learning.pacing import modules_for, recovery_moment

bp = Blueprint("main", __name__)


@bp.get("/")
@access.public
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    person = sessions.current_person()
    current = circle_nav().current
    timeline = moment = None
    if current is not None:
        circle = current.circle
        seen = []
        if policy.can_view_support_card(person, circle, current) and circle.has_support_card:
            seen.append("support_card")
        timeline = learning_queries.timeline_for(circle.id)
        if policy.can_view_timeline(person, circle, current):
            moment = recovery_moment(timeline, utcnow().date())
            if moment is not None:  # the dashboard shows where they are on the timeline
                seen.append("timeline")
        log_access(person, circle, *seen)
    nav = circle_nav()
    activity = dashboard_activity(person, own_circle=nav.own, now=utcnow())
    modules = learning_queries.course_outline()
    completed = learning_queries.completed_steps(person)
    return render_template(
        "main/dashboard.html",
        moment=moment,
        fitting=modules_for(moment, modules),
        modules_total=len(modules),
        modules_done=learning_queries.modules_done(modules, completed),
        next_step=learning_queries.next_step_for(person, modules, completed, timeline),
        activity=activity,
    )


@bp.get("/help-now")
@access.public
def help_now() -> str:
    return render_template("main/help_now.html")


@bp.get("/about")
@access.public
def about() -> str:
    return render_template("main/about.html")


@bp.get("/ping")
@access.public
def ping() -> tuple[str, int, dict[str, str]]:
    """Liveness without the database: what a load balancer asks, and the benchmark's baseline."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/healthz")
@access.public
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
