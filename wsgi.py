"""Entry point for ``gunicorn wsgi:app``. Runs in each worker after the fork (no --preload)."""

from portal import create_app

app = create_app()
