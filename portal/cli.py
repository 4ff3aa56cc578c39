"""Command-line tasks: ``flask --app portal create-admin``, ``seed-demo``, ``send-mail``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal.auth.models import Role, User
from portal.auth.services import AccountError, create_user
from portal.extensions import db
from portal.learning.cli import learning_cli
from portal.notifications.mail import deliver_queued


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_mail)
    app.cli.add_command(learning_cli)
    app.cli.add_command(send_digests)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt="Display name")
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = create_user(email=email, display_name=name, password=password, roles={Role.ADMIN})
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any account.")
def seed_demo(if_empty: bool) -> None:
    """Create demo accounts and content, and print the demo sign-ins."""
    from portal.demo import seed

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts: demo not seeded.")
    else:
        seed(password=current_app.config["DEMO_PASSWORD"])
        db.session.commit()
    from portal.demo import sign_ins

    click.echo("\nDemo sign-ins (demo data only, never use these in production):")
    for email, role in sign_ins():
        click.echo(f"  {role:<32} {email}")
    click.echo(f"  password for all: {current_app.config['DEMO_PASSWORD']}\n")


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send queued mail that is due (safe to run from cron)."""
    click.echo(f"{deliver_queued(limit=500)} message(s) sent.")


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Send due daily digests, then the mail queue (safe to run from cron every few minutes)."""
    from portal.notifications.inbox import send_digests as gather

    count = gather()
    click.echo(f"{count} digest(s) queued, {deliver_queued(limit=500)} message(s) sent.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET (safe while serving)."""
    from portal.backup import backup

    try:
        written = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Restore a backup into the configured (empty) SQLite database."""
    from portal.backup import restore

    try:
        restore(source, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    click.echo("Restored.")
