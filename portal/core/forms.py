"""Form pieces shared by every feature, and the one error summary every page shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import g
from flask_wtf import FlaskForm
from wtforms import Field, ValidationError
from wtforms.widgets import ListWidget

EXPIRED = "This form expired. Please try again."


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


@dataclass
class PageErrors:
    """Everything wrong with what was sent, on the page being drawn.

    ``_macros/forms.html`` notes each field's error as it draws the field (with the id of the
    element the summary links to: the input, or a radio group's first option), and a message for
    a whole form; ``base.html`` draws the content first, then starts the title with "Error: " and
    puts one summary at the top of ``<main>``. A noted form's errors on fields the macro never
    drew are listed too, without a link, so no error is ever only off-screen.
    """

    messages: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (target id, message)
    _drawn: set[str] = field(default_factory=set)
    _forms: list[FlaskForm] = field(default_factory=list)

    def note_field(self, f: Field, target_id: str) -> str:
        if f.errors and f.id not in self._drawn:
            self._drawn.add(f.id)
            self.links.append((target_id, " ".join(str(e) for e in f.errors)))
        return ""

    def note_message(self, message: str | None) -> str:
        if message and message not in self.messages:
            self.messages.append(message)
        return ""

    def note_form(self, form: FlaskForm) -> str:
        if all(form is not known for known in self._forms):
            self._forms.append(form)
        return ""

    @property
    def unlinked(self) -> list[str]:
        """Errors of noted forms that no drawn field showed (an expired form, a hidden field)."""
        found: list[str] = []
        for form in self._forms:
            for name, errors in form.errors.items():
                if name == "csrf_token":
                    found.append(EXPIRED)
                elif form[name].id not in self._drawn:
                    found.append(" ".join(str(e) for e in errors))
        return [m for m in dict.fromkeys(found) if m not in self.messages]

    def __bool__(self) -> bool:
        return bool(self.messages or self.links or self.unlinked)


def begin_page_errors() -> PageErrors:
    """A fresh summary for the page about to be drawn (``base.html`` calls it first)."""
    errors = g.page_errors = PageErrors()
    return errors


def page_errors() -> PageErrors:
    """The summary of the page being drawn (a fragment drawn on its own gets one to itself)."""
    errors: PageErrors | None = g.get("page_errors")
    if errors is None:
        errors = g.page_errors = PageErrors()
    return errors


def is_choice_group(f: Field) -> bool:
    """Radios or checkboxes drawn as a list: a fieldset, whose summary link is the first one."""
    return isinstance(getattr(f, "widget", None), ListWidget)
