"""Start the real portal under gunicorn for load tests and the benchmark, and stop it after."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "load-test-secret-key-0123456789abcdef-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Portal:
    base_url: str
    pid: int
    log: Path


def server_environment(database_url: str, **settings: str) -> dict[str, str]:
    """What the portal reads from the environment, for a development-mode server on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GUNICORN_"))}
    env.update(
        PORTAL_ENV="development",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        PYTHONHASHSEED="0",
    )
    env.update(settings)
    return env


@contextmanager
def running_portal(
    database_url: str,
    *,
    workers: int = 1,
    cpus: str | None = None,
    log_dir: Path,
    **settings: str,
) -> Iterator[Portal]:
    """Run ``gunicorn -c gunicorn.conf.py`` (sync workers) until the block ends.

    ``cpus`` pins the server to those cores with taskset, where taskset exists. Extra keyword
    arguments become environment settings (``RATELIMIT_STORAGE_URI=...``).
    """
    port = free_port()
    env = server_environment(database_url, **settings)
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers))
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    command.append("portal:create_app()")
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, process, log, workers=workers)
        yield Portal(base_url=base_url, pid=process.pid, log=log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(
    base_url: str, process: subprocess.Popen[bytes], log: Path, *, workers: int
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/ping", timeout=2) as reply:  # noqa: S310
                if reply.status == 200 and log.read_text().count("Booting worker") >= workers:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")
