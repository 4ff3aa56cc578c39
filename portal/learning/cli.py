"""``flask --app portal learning sync``: publish the course files into the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.learning.content import ContentError
from portal.learning.sync import sync_course

learning_cli = AppGroup("learning", help="The course for families.")


@learning_cli.command("sync")
def sync() -> None:
    """Load the course files; safe to run again (only changed files publish a new version)."""
    try:
        report = sync_course()
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Course synced: {report}.")
