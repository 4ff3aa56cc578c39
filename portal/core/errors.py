"""Friendly error pages; no stack trace ever reaches a visitor outside development."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
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

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return render_error(error)
        app.logger.exception("unhandled error")
        return render_template("errors/500.html", error=None), 500
