"""Load-test fixtures: the real portal under gunicorn (4 sync workers) on this test's
database, and a private Redis. Everything listens on 127.0.0.1; every wait has a time limit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis
from flask import Flask

from bench.server import ROOT, free_port, running_portal, server_environment
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


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private Redis on a free loopback port that keeps nothing on disk; stopped after."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is not on PATH. The rate-limit tests need a real Redis shared by the "
            "gunicorn workers: install it (apt-get install redis-server), as .ci/run does."
        )
    port = free_port()
    log = tmp_path / "redis.log"
    # Loopback only, nothing written to disk (no snapshots, no append-only file).
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(tmp_path)]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - the binary found above, fixed arguments
            command, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_redis(port, process, log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_redis(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited early:\n{log.read_text()[-2000:]}")
        with redis.Redis(host="127.0.0.1", port=port, socket_timeout=1) as probe:
            try:
                if probe.ping():
                    return
            except redis.ConnectionError:
                pass
        time.sleep(0.05)
    pytest.fail(f"redis-server did not answer in 15 s:\n{log.read_text()[-2000:]}")
