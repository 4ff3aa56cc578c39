from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.goals.models import (
    AREA_LABELS,
    COLUMN_LABELS,
    ENERGY_LABELS,
    LEVELS,
    REACTIONS,
    VISIBILITY_LABELS,
)
from portal.goals.services import MESSAGE_LIMIT, TEXT_LIMIT, TITLE_LIMIT

AREAS = [SelectChoice(k.value, v) for k, v in AREA_LABELS.items()]


def _title() -> StringField:
    return StringField(
        "Goal",
        validators=[
            DataRequired("Please give the goal a short title."),
            Length(
                max=TITLE_LIMIT, message=f"Please keep the title under {TITLE_LIMIT} characters."
            ),
        ],
    )


def _why() -> TextAreaField:
    return TextAreaField(
        "Why it matters (optional)",
        validators=[
            Optional(),
            Length(max=TEXT_LIMIT, message=f"Please keep this under {TEXT_LIMIT} characters."),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GoalForm(FlaskForm):
    title = _title()
    why = _why()
    area = SelectField("Area of life", choices=AREAS)
    visibility = RadioField(
        "Who may see it?",
        choices=[SelectChoice(k.value, v) for k, v in VISIBILITY_LABELS.items()],
        default="circle",
        validators=[InputRequired()],
    )
    viewers = MultiCheckboxField("Chosen people", coerce=int, choices=[])
    target_week = DateField(
        "Target week (optional)",
        validators=[Optional()],
        description="No deadline is fine. Most goals don't need one.",
    )
    level_less = StringField(
        "A bit less than I expect",
        validators=[Length(max=TITLE_LIMIT)],
        description="Still counts. For example: a walk to the corner.",
    )
    level_expected = StringField("What I expect", validators=[Length(max=TITLE_LIMIT)])
    level_more = StringField("A bit more than I expect", validators=[Length(max=TITLE_LIMIT)])
    steps = TextAreaField(
        "Small steps (one per line, optional)", validators=[Length(max=TEXT_LIMIT)]
    )
    version = HiddenField()


class MoveForm(FlaskForm):
    column = SelectField(
        "Move to", choices=[SelectChoice(k.value, v) for k, v in COLUMN_LABELS.items()]
    )
    version = HiddenField(validators=[DataRequired()])


class StepForm(FlaskForm):
    text = StringField(
        "Add a small step", validators=[DataRequired("Please write the step."), Length(max=200)]
    )


class CheckInForm(FlaskForm):
    note = TextAreaField("A few words (optional)", validators=[Length(max=TEXT_LIMIT)])
    energy = RadioField(
        "Energy today (optional)",
        coerce=int,
        validators=[Optional()],
        choices=[SelectChoice(str(k), f"{k} · {v}") for k, v in ENERGY_LABELS.items()],
    )
    level = RadioField(
        "Which level did you reach? (optional)",
        coerce=int,
        validators=[Optional()],
        choices=[SelectChoice(str(k), v) for k, v in LEVELS.items()],
    )


POST_ANYWAY = "Post it as it is"


class SuggestForm(FlaskForm):
    title = _title()
    why = _why()
    area = SelectField("Area of life", choices=AREAS)
    post_anyway = BooleanField(POST_ANYWAY)


class EncourageForm(FlaskForm):
    body = TextAreaField(
        "A short message",
        validators=[
            Length(max=MESSAGE_LIMIT, message=f"Please keep it under {MESSAGE_LIMIT} characters.")
        ],
    )
    reaction = RadioField(
        "Or just a reaction",
        validators=[Optional()],
        choices=[SelectChoice(k, v) for k, v in REACTIONS.items()],
    )
    post_anyway = BooleanField(POST_ANYWAY)


class OfferForm(FlaskForm):
    body = StringField(
        "What could you do?",
        description="For example: I can drive you on Tuesday.",
        validators=[DataRequired("Say what you could do."), Length(max=300)],
    )
    step = SelectField(
        "For which step? (optional)", coerce=int, choices=[], validators=[Optional()]
    )
    post_anyway = BooleanField(POST_ANYWAY)


class QuietForm(FlaskForm):
    days = SelectField(
        "Rest the board for",
        choices=[
            SelectChoice("0", "End quiet time now"),
            SelectChoice("3", "3 days"),
            SelectChoice("7", "A week"),
            SelectChoice("14", "Two weeks"),
        ],
    )


NEEDS = ["A ride there", "A ride home", "Company during treatment", "A meal afterwards"]


class TreatmentDayForm(FlaskForm):
    day = DateField("Date", validators=[DataRequired("Please choose the date.")])
    time = TimeField("Time", validators=[DataRequired("Please choose the time.")])
    place = StringField("Place", validators=[Length(max=200)])
    note = StringField("Anything to know (optional)", validators=[Length(max=300)])
    needs = MultiCheckboxField("What would help?", choices=[SelectChoice(n, n) for n in NEEDS])
    other_need = StringField("Something else (optional)", validators=[Length(max=80)])
