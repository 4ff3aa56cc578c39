"""Load-test fixtures: the real portal under gunicorn (4 sync workers) on this test's
database. Everything listens on 127.0.0.1; every wait has a time limit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

from bench.server import ROOT, running_portal, server_environment
from tests.conftest import POSTGRES_URL
from tests.load.live import ACCESS_LOG_FORMAT, WORKERS, LivePortal


@pytest.fixture(scope="session")
def bytecode_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the servers keep compiled modules, outside the repository, filled once here.

    Where the environment says not to write bytecode, each of the 4 workers compiles the whole
    app from source on every start (about 10 s on 2 cores); from this cache a start takes about
    2 s. The server runs the same code either way.
    """
    cache = tmp_path_factory.mktemp("pycache")
    env = server_environment(
        POSTGRES_URL or "sqlite://", PYTHONDONTWRITEBYTECODE="", PYTHONPYCACHEPREFIX=str(cache)
    )
    primed = subprocess.run(
        [sys.executable, "-c", "import gunicorn.workers.sync, portal; portal.create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if primed.returncode != 0:
        pytest.fail(f"the portal does not import:\n{primed.stderr[-3000:]}")
    return cache


@pytest.fixture
def serve(app: Flask, tmp_path: Path, bytecode_cache: Path) -> Iterator[Callable[..., LivePortal]]:
    """Start the real portal (gunicorn, 4 sync workers) on this test's database:
    ``live = serve(LOGIN_MAX_FAILURES="3")``. Stopped when the test ends, before the database
    is emptied. Sign-in is not limited unless a test says so: the tests sign many people in."""
    with ExitStack() as stack:

        def start(**settings: str) -> LivePortal:
            server = stack.enter_context(
                running_portal(
                    app.config["SQLALCHEMY_DATABASE_URI"],
                    workers=WORKERS,
                    log_dir=tmp_path / "server",
                    **{
                        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOGIN_RATE_LIMIT": "10000 per minute",
                        "POSTING_LIMIT_FACTOR": "1000",
                        "GUNICORN_ACCESS_LOG": "-",
                        "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_LOG_FORMAT}'",
                        "PYTHONDONTWRITEBYTECODE": "",
                        "PYTHONPYCACHEPREFIX": str(bytecode_cache),
                        **settings,
                    },
                )
            )
            live = LivePortal(server)
            stack.callback(live.close)
            return live

        yield start
