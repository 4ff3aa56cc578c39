"""Recovery Circle: a portal that helps families support someone recovering from depression."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config as settings
from portal.core.limits import apply_posting_limits
from portal.core.urls import IdConverter
from portal.extensions import csrf, db, limiter, login_manager, migrate, talisman

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, security, blueprints, templates, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    load_settings(app, test_config)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    apply_posting_limits(app)
    register_templating(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def load_settings(app: Flask, test_config: dict[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    app.config.from_mapping(settings.defaults(instance))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if test_config is not None:
        app.config["PORTAL_ENV"] = test_config.get("PORTAL_ENV", "test")
    app.config.update(settings.for_environment(app.config["PORTAL_ENV"]))
    if test_config:  # a test may still override what the environment implied
        app.config.update(test_config)
    settings.validate(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        instance.mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401 - every table in the metadata
    from portal.auth.sessions import load_alongside_user, load_user
    from portal.notifications.inbox import unread_subquery

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), include_name=include_in_migrations)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # server-side sessions do this job
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    load_alongside_user("unread", unread_subquery)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from portal.db import configure_sqlite

            configure_sqlite(db.engine)


def include_in_migrations(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic compares everything but the full-text search objects (made by hand in 0005)."""
    from portal.qa.search import is_search_object

    return not is_search_object(name)


def register_security(app: Flask) -> None:
    """Security headers: a strict CSP with no inline script or third-party origin, HSTS in prod."""
    production = app.config["PORTAL_ENV"] == "production"
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:  # the visitor's address and scheme, as the proxies in front of us saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    talisman.init_app(
        app,
        force_https=production,
        strict_transport_security=app.config["PORTAL_ENV"] != "development",
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="same-origin",
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )


def register_blueprints(app: Flask) -> None:
    from portal.account.routes import bp as account_bp
    from portal.admin.routes import bp as admin_bp
    from portal.auth.routes import bp as auth_bp
    from portal.auth.sessions import require_staff_two_factor
    from portal.circles.routes import bp as circles_bp
    from portal.core.access import enforce_access
    from portal.core.errors import register_error_pages
    from portal.goals.routes import bp as goals_bp
    from portal.learning.routes import bp as learning_bp
    from portal.main.routes import bp as main_bp
    from portal.moderation.routes import bp as moderation_bp
    from portal.notifications.routes import bp as notifications_bp
    from portal.overview.routes import bp as overview_bp
    from portal.qa.routes import bp as qa_bp

    app.before_request(enforce_access)
    app.before_request(require_staff_two_factor)
    for blueprint in (
        main_bp,
        auth_bp,
        notifications_bp,
        circles_bp,
        learning_bp,
        goals_bp,
        qa_bp,
        moderation_bp,
        account_bp,
        overview_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)
    register_error_pages(app)


def register_templating(app: Flask) -> None:
    from portal import policy
    from portal.circles.context import circle_nav
    from portal.core.crisis_notice import level_label, pending_notice
    from portal.core.forms import ConfirmForm, begin_page_errors, is_choice_group, page_errors
    from portal.core.text import render_markdown
    from portal.db import as_utc, iso_utc
    from portal.learning.queries import progress_of_members
    from portal.notifications.inbox import unread_count
    from portal.qa.queries import answered_for_topic, observations_sent

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["utc"] = as_utc
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["crisis_level"] = level_label
    app.jinja_env.globals.update(
        can=policy,
        confirm_form=ConfirmForm,
        begin_page_errors=begin_page_errors,
        page_errors=page_errors,
        is_choice_group=is_choice_group,
        circle_nav=circle_nav,
        crisis_notice=pending_notice,
        course_progress_of=progress_of_members,
        unread_count=unread_count,
        observations_sent_for=observations_sent,
        answered_for_topic=answered_for_topic,
    )


def register_request_hooks(app: Flask) -> None:
    from portal.auth.sessions import after_request as session_after_request
    from portal.core.deferred import run_deferred_writes
    from portal.notifications.mail import deliver_after_request

    # after_request hooks run last-registered first: mail, then bookkeeping, then headers.
    app.after_request(session_after_request)
    app.after_request(run_deferred_writes)

    app.after_request(deliver_after_request)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
