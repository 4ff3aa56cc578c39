"""Friendly error pages; no stack trace ever reaches a visitor outside development."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from portal.extensions import db

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
    500: "errors/500.html",
    503: "errors/500.html",
}


def register_error_pages(app: Flask) -> None:
    def render_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        template = PAGES.get(code, "errors/500.html" if code >= 500 else "errors/400.html")
        return render_template(template, error=error), code

    for code in PAGES:
        app.register_error_handler(code, render_error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        """The body was over MAX_CONTENT_LENGTH and was never read. The page's own forms (the
        sign-out button) read the body for their token, which would fail again: they read an
        empty one instead."""
        request.__dict__["form"] = ImmutableMultiDict()
        request.__dict__["files"] = ImmutableMultiDict()
        return render_error(error)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(StaleDataError)
    def lost_race(error: StaleDataError) -> tuple[str, int]:
        """Someone saved the same thing a moment earlier (services turn most of these into a
        friendlier conflict on the page itself; this catches any that slip through)."""
        db.session.rollback()
        return render_template("errors/409.html", error=None), 409

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return render_error(error)
        app.logger.exception("unhandled error")
        db.session.rollback()  # a failed flush leaves the session unusable, even for this page
        return render_template("errors/500.html", error=None), 500
