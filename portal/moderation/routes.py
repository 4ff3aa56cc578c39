"""The moderation queue: approve, edit, return, mark duplicate, or route privately."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal import policy
from portal.auth import sessions
from portal.core import access
from portal.core.forms import ConfirmForm, parse_version
from portal.core.urls import page_arg
from portal.extensions import db
from portal.notifications.alerts import handle_alert as handle_alert_service
from portal.notifications.alerts import open_alerts
from portal.notifications.models import SafetyAlert
from portal.qa import queries, services
from portal.qa.forms import DuplicateForm, ModerationEditForm, ReturnForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
access.restrict_blueprint(bp, access.Rule(roles=frozenset({"moderator"})))


@bp.get("")
def show_queue() -> ResponseReturnValue:
    page = queries.moderation_queue(page_arg())
    return render_template(
        "moderation/show_queue.html",
        entries=page.items,
        page=page,
        alerts=open_alerts(),
    )


@bp.post("/alerts/<int:alert_id>")
def handle_alert(alert_id: int) -> ResponseReturnValue:
    alert = db.session.get(SafetyAlert, alert_id)
    if alert is None or alert.handled_at is not None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    handle_alert_service(alert, sessions.current_person())
    db.session.commit()
    flash("Marked as handled.", "success")
    return redirect(url_for("moderation.show_queue"))


def _forms(question):  # type: ignore[no-untyped-def]
    return {
        "edit_form": ModerationEditForm(
            formdata=None,
            prefix="edit",
            title=question.title,
            body=question.body,
            version=question.version,
        ),
        "return_form": ReturnForm(formdata=None, prefix="return", version=question.version),
        "duplicate_form": DuplicateForm(formdata=None, prefix="dup", version=question.version),
    }


@bp.get("/<int:question_id>")
def review_question(question_id: int) -> ResponseReturnValue:
    moderator = sessions.current_person()
    question = queries.question_or_404(moderator, question_id)
    return render_template(
        "moderation/review_question.html",
        question=question,
        history=queries.asker_history(question),
        flags=queries.open_flags(question),
        revisions=queries.revisions(question),
        similar=queries.similar(f"{question.title} {question.body}"),
        **_forms(question),
    )


@bp.post("/<int:question_id>/<any(approve, edit, return, duplicate, private):action>")
def act(question_id: int, action: str) -> ResponseReturnValue:
    moderator = sessions.current_person()
    question = queries.question_or_404(moderator, question_id)
    try:
        if action == "approve":
            access.require(policy.can_approve_questions(moderator))
            if not ConfirmForm().validate_on_submit():
                abort(400)
            services.approve(
                moderator, question, expected_version=request.form.get("version", -1, type=int)
            )
            message = "Published."
        elif action == "edit":
            access.require(policy.can_edit_questions(moderator))
            form = ModerationEditForm(prefix="edit")
            if not form.validate_on_submit():
                abort(400)
            services.edit_question(
                moderator,
                question,
                title=form.title.data or "",
                body=form.body.data or "",
                expected_version=parse_version(form.version.data),
            )
            message = "Edited. The original is kept as a revision; the asker is told."
        elif action == "return":
            form_r = ReturnForm(prefix="return")
            if not form_r.validate_on_submit():
                abort(400)
            services.return_question(
                moderator,
                question,
                reason=form_r.reason.data or "",
                note=form_r.note.data or "",
                expected_version=parse_version(form_r.version.data),
            )
            message = "Returned to the asker with your reason."
        elif action == "duplicate":
            form_d = DuplicateForm(prefix="dup")
            if not form_d.validate_on_submit() or not (form_d.original.data or "").isdigit():
                abort(400)
            original = queries.question_or_404(moderator, int(form_d.original.data or 0))
            services.mark_duplicate(
                moderator, question, original, expected_version=parse_version(form_d.version.data)
            )
            message = "Marked as a duplicate; the asker is pointed to the answer."
        else:
            if not ConfirmForm().validate_on_submit():
                abort(400)
            services.route_private(
                moderator, question, expected_version=request.form.get("version", -1, type=int)
            )
            message = "Sent privately to the clinicians."
    except services.QaError as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("moderation.review_question", question_id=question_id))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("moderation.show_queue"))
