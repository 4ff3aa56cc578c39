from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.learning.models import PHASE_LABELS, Phase
from portal.learning.services import REFLECTION_LIMIT

MAX_OPTIONS = 4


class CheckForm(FlaskForm):
    choice = RadioField(
        "Your answer", coerce=int, validators=[InputRequired("Please choose one of the answers.")]
    )


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(
        "Your private notes",
        description="Only you can see this. Not the person you support, not the clinic.",
        validators=[
            Length(
                max=REFLECTION_LIMIT,
                message=f"Please keep this under {REFLECTION_LIMIT} characters.",
            )
        ],
    )


class ShareProgressForm(FlaskForm):
    share = BooleanField(
        "Let the people I support see which modules I have finished",
        description="They never see your answers or your private notes.",
    )


class TimelineForm(FlaskForm):
    started_on = DateField(
        "When did treatment start?",
        validators=[Optional()],
        description="Leave empty if you would rather not say.",
    )
    phase = SelectField(
        "Where am I in the broken-leg picture?",
        choices=[SelectChoice("", "I'd rather not say (use the weeks)")]
        + [
            SelectChoice(p.value, PHASE_LABELS[p])
            for p in (Phase.CAST, Phase.WAITING, Phase.THERAPY)
        ],
        validators=[Optional()],
    )
    hold_activity_modules = BooleanField(
        "Hold back the modules about encouraging me to do more, until I say I'm in physical "
        "therapy",
        description="So nobody races ahead and pushes.",
    )


SCALE = [
    SelectChoice(str(n), label)
    for n, label in (
        (1, "Not at all"),
        (2, "A little"),
        (3, "Somewhat"),
        (4, "Quite a bit"),
        (5, "Very"),
    )
]


def _scale(label: str) -> RadioField:
    return RadioField(
        label, choices=SCALE, coerce=int, validators=[InputRequired("Please answer this question.")]
    )


class CheckInForm(FlaskForm):
    tired = _scale("How worn out do you feel this week?")
    worried = _scale("How worried have you been?")
    alone = _scale("How alone do you feel with this?")
    confident = _scale("How confident do you feel about supporting them?")
    know_what_to_say = _scale("How often do you know what to say?")


class StepEditForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("A step needs a title."), Length(max=200)]
    )
    body = TextAreaField("Text (Markdown)", validators=[Length(max=20000)])
    question = TextAreaField("Question", validators=[Length(max=1000)])
    prompt = TextAreaField("Reflection prompt", validators=[Length(max=1000)])
    option_1_text = StringField("Answer 1", validators=[Length(max=300)])
    option_1_explanation = StringField("Why (answer 1)", validators=[Length(max=600)])
    option_2_text = StringField("Answer 2", validators=[Length(max=300)])
    option_2_explanation = StringField("Why (answer 2)", validators=[Length(max=600)])
    option_3_text = StringField("Answer 3", validators=[Length(max=300)])
    option_3_explanation = StringField("Why (answer 3)", validators=[Length(max=600)])
    option_4_text = StringField("Answer 4", validators=[Length(max=300)])
    option_4_explanation = StringField("Why (answer 4)", validators=[Length(max=600)])
    correct = RadioField(
        "Correct answer",
        choices=[SelectChoice(str(n), f"Answer {n}") for n in range(1, MAX_OPTIONS + 1)],
        validators=[Optional()],
    )
    publish_now = BooleanField("Publish now (readers see it at once)")
    base_revision = HiddenField()
