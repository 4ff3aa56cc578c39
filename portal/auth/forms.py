from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.auth.passwords import MAX_LENGTH, MIN_LENGTH
from portal.core.forms import EmailAddress

NEW_PASSWORD_HELP = f"At least {MIN_LENGTH} characters. A short sentence is easy to remember."


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254, message="An email address is at most 254 characters."),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired("Please enter your password.")])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254, message="An email address is at most 254 characters."),
            EmailAddress(),
        ],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            description=NEW_PASSWORD_HELP,
            validators=[
                DataRequired("Please choose a new password."),
                Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
            ],
        ),
        PasswordField(
            "New password again",
            validators=[
                DataRequired("Please type the new password a second time."),
                EqualTo("password", "The two passwords do not match."),
            ],
        ),
    )


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Please enter your current password.")]
    )
    password, confirm = new_password_fields()


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        "Your name",
        description="How people in your circle and the care team see you.",
        validators=[
            DataRequired("Please enter a name."),
            Length(max=80, message="Please keep your name to 80 characters."),
        ],
    )


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        description="Six digits. Or one of your recovery codes.",
        validators=[DataRequired("Please enter the code."), Length(max=20)],
    )


class EmailChangeForm(FlaskForm):
    new_email = EmailField(
        "New email address",
        validators=[
            DataRequired("Please enter the new address."),
            Length(max=254, message="An email address is at most 254 characters."),
            EmailAddress(),
        ],
    )
    password = PasswordField(
        "Your password", validators=[DataRequired("Please enter your password.")]
    )
