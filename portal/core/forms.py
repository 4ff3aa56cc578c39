"""Form pieces shared by every feature."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import Field, ValidationError


class ConfirmForm(FlaskForm):
    """A form with no fields: it carries the CSRF token for POST-only buttons."""


class EmailAddress:
    """Validate an email address's form (no DNS look-up: the portal reaches no third party).

    ``test_environment`` lets the reserved ``.test`` domain through, which the demo accounts use.
    """

    message = "Please enter a full email address, like name@example.com."

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error


def parse_version(value: object) -> int:
    """The version a form was opened at; anything unreadable never matches a real version."""
    try:
        return int(str(value))
    except ValueError:
        return -1
