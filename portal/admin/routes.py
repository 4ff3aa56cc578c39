from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.admin import queries, services
from portal.admin.forms import PersonForm
from portal.audit.log import ACTIONS
from portal.auth import sessions
from portal.auth.models import Role, User
from portal.auth.services import AccountError
from portal.core import access
from portal.core.urls import page_arg
from portal.db import utcnow
from portal.extensions import db
from portal.qa.queries import queue_health

bp = Blueprint("admin", __name__, url_prefix="/admin")
access.restrict_blueprint(bp, access.Rule(roles=frozenset({Role.ADMIN.value})))


@bp.get("/audit")
def audit_log() -> str:
    person = request.args.get("person", "")[:120]
    action = request.args.get("action", "")
    if action not in ACTIONS:
        action = ""
    page = queries.audit_events(person=person, action=action, page=page_arg())
    ids = {e.actor_id for e in page.items if e.actor_id} | {
        e.target_id for e in page.items if e.target_type == "user" and e.target_id
    }
    return render_template(
        "admin/audit_log.html",
        page=page,
        people=queries.people_by_id(ids),
        actions=ACTIONS,
        person=person,
        action=action,
    )


@bp.get("/questions-health")
def questions_health() -> ResponseReturnValue:
    return render_template("admin/questions_health.html", health=queue_health(utcnow()))


@bp.get("/people")
def list_people() -> str:
    search = request.args.get("q", "")[:120]
    page = queries.people(search=search, page=page_arg())
    return render_template("admin/list_people.html", page=page, search=search)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
def edit_person(user_id: int) -> ResponseReturnValue:
    person = queries.person_or_404(user_id)
    form = PersonForm(obj=None)
    if request.method == "GET":
        for role in Role:
            getattr(form, role.value).data = person.has_role(role.value)
        form.active.data = person.active
    elif form.validate_on_submit():
        actor: User = sessions.current_person()
        try:
            changed = services.set_roles(actor, person, roles=form.chosen_roles())
            changed = services.set_active(actor, person, active=bool(form.active.data)) or changed
        except AccountError as error:
            db.session.rollback()
            return render_template(
                "admin/edit_person.html", person=person, form=form, error=str(error)
            ), 422
        db.session.commit()
        flash("Saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("admin.edit_person", user_id=person.id))
    return render_template("admin/edit_person.html", person=person, form=form)
