from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.goals.forms import MultiCheckboxField
from portal.qa.models import RETURN_REASONS
from portal.qa.services import BODY_LIMIT, TITLE_LIMIT


class AskForm(FlaskForm):
    title = StringField(
        "Your question",
        validators=[
            DataRequired("Please write your question in a sentence."),
            Length(max=TITLE_LIMIT, message=f"Please keep it under {TITLE_LIMIT} characters."),
        ],
    )
    body = TextAreaField(
        "More details (optional)",
        validators=[
            Length(max=BODY_LIMIT, message=f"Please keep it under {BODY_LIMIT} characters.")
        ],
    )
    topics = MultiCheckboxField("Topics", choices=[])
    sharing = RadioField(
        "Who should see it?",
        default="shared",
        choices=[
            SelectChoice("shared", "Share with all families (published after review)"),
            SelectChoice("private", "Ask privately (only the care team ever sees it)"),
        ],
    )
    anonymous = BooleanField(
        "Post as “a family member” (moderators still see who asked)", default=True
    )


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer", validators=[DataRequired("Please write an answer."), Length(max=BODY_LIMIT)]
    )
    version = HiddenField()


class FlagForm(FlaskForm):
    reason = StringField(
        "What worries you about it?",
        validators=[DataRequired("Please say briefly what worries you."), Length(max=300)],
    )


class ModerationEditForm(FlaskForm):
    title = StringField("Question", validators=[DataRequired(), Length(max=TITLE_LIMIT)])
    body = TextAreaField("Details", validators=[Length(max=BODY_LIMIT)])
    version = HiddenField(validators=[DataRequired()])


class ReturnForm(FlaskForm):
    reason = SelectField("Reason", choices=[SelectChoice(k, v) for k, v in RETURN_REASONS.items()])
    note = TextAreaField("A kind note to the asker (optional)", validators=[Length(max=500)])
    version = HiddenField(validators=[DataRequired()])


class DuplicateForm(FlaskForm):
    original = StringField(
        "Number of the published question it repeats",
        validators=[
            DataRequired("Please give the question's number."),
            Length(max=12, message="That is not a question's number."),
        ],
    )
    version = HiddenField(validators=[DataRequired()])


LEVELS = [
    SelectChoice("", "Not sure / no change"),
    SelectChoice("less", "Less than usual"),
    SelectChoice("usual", "About usual"),
    SelectChoice("more", "More than usual"),
]
MOODS = [
    SelectChoice("", "Not sure"),
    SelectChoice("lower", "Lower"),
    SelectChoice("steady", "Steady"),
    SelectChoice("brighter", "Brighter"),
]


class ObservationForm(FlaskForm):
    sleep = SelectField("Sleep", choices=LEVELS, validators=[Optional()])
    activity = SelectField("Activity", choices=LEVELS, validators=[Optional()])
    mood = SelectField("Mood", choices=MOODS, validators=[Optional()])
    after_treatment = StringField(
        "Anything you noticed after a treatment (side effects)", validators=[Length(max=500)]
    )
    note = TextAreaField("Anything else", validators=[Length(max=BODY_LIMIT)])


class ObservationChannelForm(FlaskForm):
    enabled = BooleanField("Let people in my circle send my care team “I noticed” notes")
