from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField

from portal.auth.models import ROLE_LABELS, Role


class PersonForm(FlaskForm):
    admin = BooleanField(ROLE_LABELS[Role.ADMIN])
    clinician = BooleanField(ROLE_LABELS[Role.CLINICIAN])
    moderator = BooleanField(ROLE_LABELS[Role.MODERATOR])
    patient = BooleanField(ROLE_LABELS[Role.PATIENT])
    family = BooleanField(ROLE_LABELS[Role.FAMILY])
    active = BooleanField("Account is active (can sign in)")

    def chosen_roles(self) -> set[str]:
        return {role.value for role in Role if getattr(self, role.value).data}
