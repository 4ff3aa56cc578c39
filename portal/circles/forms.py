from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.auth.forms import new_password_fields
from portal.auth.models import ROLE_LABELS, Role
from portal.circles.models import RELATIONSHIP_LABELS
from portal.circles.services import CARD_LIMIT
from portal.core.forms import EmailAddress

BOARD_LABEL = "See my goal board and my support card"
ENCOURAGE_LABEL = "Encourage me and offer help on my goals"
TIMELINE_LABEL = "See my treatment timeline"


def _name_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired("Please enter their name."),
            Length(max=80, message="Please keep the name to 80 characters."),
        ],
    )


def _email_field() -> EmailField:
    return EmailField(
        "Their email address",
        validators=[
            DataRequired("Please enter their email address."),
            Length(max=254, message="An email address is at most 254 characters."),
            EmailAddress(),
        ],
    )


class InviteMemberForm(FlaskForm):
    name = _name_field("Their name")
    email = _email_field()
    relationship = SelectField(
        "How do you know them?",
        choices=[SelectChoice("", "Choose one")]
        + [SelectChoice(k.value, v) for k, v in RELATIONSHIP_LABELS.items()],
        validators=[DataRequired("Please choose how you know this person.")],
    )
    see_board = BooleanField(BOARD_LABEL)
    encourage = BooleanField(ENCOURAGE_LABEL, description="Needs the goal board too.")
    see_timeline = BooleanField(TIMELINE_LABEL)


class PermissionsForm(FlaskForm):
    see_board = BooleanField(BOARD_LABEL)
    encourage = BooleanField(ENCOURAGE_LABEL)
    see_timeline = BooleanField(TIMELINE_LABEL)
    version = HiddenField(validators=[DataRequired()])


class VersionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


class SharingForm(FlaskForm):
    share = BooleanField(
        "Share my goal board and timeline with my care team",
        description="Your clinicians see nothing of these unless you turn this on.",
    )


def _card_field(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        validators=[
            Optional(),
            Length(max=CARD_LIMIT, message=f"Please keep this under {CARD_LIMIT} characters."),
        ],
    )


class SupportCardForm(FlaskForm):
    card_what_helps = _card_field("What helps me", "For example: a short walk together, a text.")
    card_please_dont_say = _card_field(
        "Please don't say", "Words or questions that make things harder for you."
    )
    card_early_signs = _card_field(
        "Early signs I'm struggling", "What people might notice before you say anything."
    )
    card_who_to_call = _card_field(
        "Who to call", "People or services to contact if you are not doing well."
    )
    version = HiddenField(validators=[DataRequired()])


class StaffInviteForm(FlaskForm):
    name = _name_field("Their name")
    email = _email_field()
    # Always has a value (the first role offered), so it is not marked required: HTML wants a
    # required select to open on an empty "Choose one". A value not offered is refused anyway.
    role = SelectField("Invite them as", choices=[])

    def offer_roles(self, roles: list[str]) -> None:
        self.role.choices = [SelectChoice(r, ROLE_LABELS[Role(r)]) for r in roles]


class JoinForm(FlaskForm):
    display_name = StringField(
        "Your name",
        description="How the people in the circle will see you.",
        validators=[
            DataRequired("Please enter your name."),
            Length(max=80, message="Please keep your name to 80 characters."),
        ],
    )
    password, confirm = new_password_fields()
