from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue

from portal.account.export import as_zip
from portal.audit.log import record
from portal.auth import sessions
from portal.core import access
from portal.core.forms import ConfirmForm
from portal.db import utcnow
from portal.extensions import db

bp = Blueprint("account", __name__)


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
