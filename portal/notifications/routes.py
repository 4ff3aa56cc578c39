"""The notification centre: a list, an unread count in the header, read when opened."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField

from portal.auth import sessions
from portal.core import access
from portal.core.forms import ConfirmForm
from portal.extensions import db
from portal.notifications import inbox
from portal.notifications.models import Notification

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@access.signed_in
def list_notifications() -> ResponseReturnValue:
    return render_template(
        "notifications/list_notifications.html", items=inbox.recent(sessions.current_person().id)
    )


@bp.post("/notifications/<int:notification_id>")
@access.signed_in
def open_notification(notification_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    notice = db.session.get(Notification, notification_id)
    if notice is None or notice.user_id != person.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    inbox.mark_read(person.id, notice.id)
    db.session.commit()
    link = notice.link if notice.link.startswith("/") and not urlsplit(notice.link).netloc else ""
    return redirect(link or url_for("notifications.list_notifications"))


@bp.post("/notifications/read")
@access.signed_in
def mark_all_read() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    inbox.mark_read(sessions.current_person().id)
    db.session.commit()
    return redirect(url_for("notifications.list_notifications"))


class EmailPreferencesForm(FlaskForm):
    include_details = BooleanField(
        "Include what happened in the email (off: only “you have a new message”)",
        description=(
            "If you turn this on, people's names and the titles of goals and questions will "
            "appear in the email. Anyone who can open your email, on a shared computer or "
            "phone for example, may see them."
        ),
    )


@bp.route("/account/email", methods=["GET", "POST"])
@access.signed_in
def email_preferences() -> ResponseReturnValue:
    person = sessions.current_person()
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        chosen = {topic: request.form.get(f"topic-{topic}", "") for topic in inbox.TOPICS}
        if all(mode in inbox.MODES for mode in chosen.values()):
            inbox.save_preferences(person.id, chosen, details=bool(form.include_details.data))
            db.session.commit()
            flash("Your email choices are saved.", "success")
            return redirect(url_for("notifications.email_preferences"))
        flash("Please choose one option for each kind of email.", "error")
    form.include_details.data = inbox.wants_details(person.id)
    return render_template(
        "notifications/email_preferences.html",
        form=form,
        topics=inbox.TOPICS,
        modes=inbox.MODES,
        chosen=inbox.preferences(person.id),
        is_moderator=person.has_role("moderator"),
    )
