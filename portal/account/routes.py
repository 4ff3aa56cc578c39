from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from portal.account import services
from portal.account.export import as_zip
from portal.audit.log import record
from portal.auth import sessions
from portal.core import access
from portal.core.forms import ConfirmForm
from portal.db import utcnow
from portal.extensions import db

bp = Blueprint("account", __name__)


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password", validators=[DataRequired("Please enter your password to confirm.")]
    )
    understand = BooleanField(
        "I understand this cannot be undone",
        validators=[DataRequired("Please tick the box to confirm.")],
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@access.signed_in
def delete_account() -> ResponseReturnValue:
    person = sessions.current_person()
    form = DeleteAccountForm()
    error = None
    if form.validate_on_submit():
        try:
            services.delete_account(person, password=form.password.data or "")
        except services.DeletionError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            sessions.finish()
            response = redirect(url_for("main.home", deleted=1))
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
            return response
    status = 422 if (form.errors or error) else 200
    return render_template(
        "account/delete_account.html", form=form, error=error, is_patient=person.has_role("patient")
    ), status


@bp.post("/account/export")
@access.signed_in
def export_data() -> ResponseReturnValue:
    person = sessions.current_person()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    payload = as_zip(person)
    record("account.exported", actor=person, target_type="user", target_id=person.id)
    db.session.commit()
    name = f"recovery-circle-{utcnow():%Y-%m-%d}.zip"
    return Response(
        payload,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
