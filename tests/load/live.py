"""The real portal as its visitors see it: a running server, browsers that remember every
answer they got, and a way to send many requests at the same moment (127.0.0.1 only)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import requests

from bench.server import Portal
from tests.conftest import PASSWORD
from tests.fixtures.forms import csrf_token

WORKERS = 4
REQUEST_TIMEOUT = 30  # seconds: a request slower than this is a failure, never a hang
# Each access-log line names the worker that answered: "<pid> POST /login 302".
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"
ACCESS_LINE = re.compile(r"^<(\d+)> ([A-Z]+) (\S+) (\d{3})$", re.MULTILINE)

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int


@dataclass
class LivePortal:
    """The running server and every answer it gave to this test's clients."""

    server: Portal
    answers: list[Answer] = field(default_factory=list)
    clients: list[PortalClient] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self) -> PortalClient:
        made = PortalClient(self)
        with self.lock:
            self.clients.append(made)
        return made

    def signed_in(self, email: str, password: str = PASSWORD) -> PortalClient:
        """A new browser session signed in through the real form."""
        made = self.client()
        response = made.submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, f"{email} could not sign in: {response.status_code}"
        return made

    def note(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.answers.append(Answer(method, path, status))

    def log_text(self) -> str:
        return self.server.log.read_text(errors="replace")

    def workers_that_answered(self, method: str, path: str) -> set[int]:
        """Process ids of the gunicorn workers that answered ``method path`` (from the log)."""
        return {
            int(pid)
            for pid, seen_method, seen_path, _status in ACCESS_LINE.findall(self.log_text())
            if seen_method == method and seen_path == path
        }

    def assert_healthy(self) -> None:
        """No answer of 500 or more to any client, and no traceback in the server's log."""
        failed = [a for a in self.answers if a.status >= 500]
        assert not failed, f"{len(failed)} server errors, first ones: {failed[:5]}"
        log = self.log_text()
        assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:4000]

    def close(self) -> None:
        for made in self.clients:
            made.http.close()


class PortalClient:
    """One browser: its own cookies, forms sent with the page's CSRF token, no auto-redirects."""

    def __init__(self, live: LivePortal) -> None:
        self.live = live
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        response = self.http.get(
            self.live.server.base_url + path, allow_redirects=False, timeout=REQUEST_TIMEOUT
        )
        self.live.note("GET", path, response.status_code)
        return response

    def post(self, path: str, data: dict[str, Any]) -> requests.Response:
        response = self.http.post(
            self.live.server.base_url + path,
            data=data,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        self.live.note("POST", path, response.status_code)
        return response

    def follow(self, response: requests.Response) -> requests.Response:
        """The page a redirect leads to (where the flashed message is shown)."""
        assert response.is_redirect, f"expected a redirect, got {response.status_code}"
        return self.get(response.headers["Location"])

    def token(self, page: str) -> str:
        """The CSRF token of a page's forms (one token serves every form of this session)."""
        response = self.get(page)
        assert response.status_code == 200, f"{page} answered {response.status_code}"
        return csrf_token(response.text)

    def submit(
        self, page: str, data: dict[str, Any], action: str | None = None
    ) -> requests.Response:
        """GET ``page``, take its CSRF token, POST ``data`` to ``action`` (default: the page)."""
        return self.post(action or page, {**data, "csrf_token": self.token(page)})


def at_once(actions: Sequence[Callable[[], T]], *, timeout: float = 60) -> list[T]:
    """Run each action in its own thread, all released by one barrier so that the requests reach
    the server together; the results come back in the order of ``actions``."""
    barrier = threading.Barrier(len(actions), timeout=timeout)

    def run(action: Callable[[], T]) -> T:
        barrier.wait()
        return action()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=timeout) for future in futures]


def post_at_once(
    clients: Sequence[PortalClient], path: str, forms: Sequence[dict[str, Any]]
) -> list[requests.Response]:
    """Each client posts its own form to ``path``, all at the same moment."""
    posts = [partial(c.post, path, form) for c, form in zip(clients, forms, strict=True)]
    return at_once(posts)


def statuses(responses: Sequence[requests.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)
