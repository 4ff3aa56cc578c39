"""Browser tests: a live portal in a thread, Debian's Chromium via Playwright, axe on every page.

Every page the browser lands on must be checked with axe (WCAG 2.1 AA) before the test ends; the
``checked_page`` fixture enforces it, so a new step cannot skip the check. Each check also saves
the page's HTML, and ``test_html_validity.py`` (run last) gives them all to the W3C Nu checker.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from portal import create_app
from portal.auth.models import User
from portal.auth.services import create_user
from portal.extensions import db
from tests.conftest import PASSWORD, settings_for
from tests.fixtures.mailbox import SmtpServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()
HTML_CHECK_LAST = "test_html_validity.py"


@dataclass
class SavedPages:
    """The HTML of every page axe checked in this session, for the Nu checker at the end."""

    folder: Path | None = None
    urls: dict[str, str] = field(default_factory=dict)  # file name -> the page's URL

    def save(self, page: Page) -> None:
        if self.folder is None:
            return
        name = f"{len(self.urls) + 1:04d}.html"
        (self.folder / name).write_text(page.content(), encoding="utf-8")
        self.urls[name] = page.url


SAVED_PAGES = SavedPages()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    # The HTML check reads the pages every other browser test saved, so it runs after them all.
    items.sort(key=lambda item: item.fspath.basename == HTML_CHECK_LAST)
    if not Path(CHROMIUM).exists() and any("/e2e/" in str(i.fspath) for i in items):
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}")
        for item in items:
            if "/e2e/" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session", autouse=True)
def saved_pages(tmp_path_factory: pytest.TempPathFactory) -> SavedPages:
    SAVED_PAGES.folder = tmp_path_factory.mktemp("html-pages")
    return SAVED_PAGES


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@dataclass
class LivePortal:
    app: Flask
    url: str
    mail: SmtpServer

    def add_user(self, roles: str, email: str, name: str, password: str = PASSWORD) -> User:
        with self.app.app_context():
            user = create_user(
                email=email, display_name=name, password=password, roles=set(roles.split())
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user


@pytest.fixture
def live_portal(tmp_path: Path) -> Iterator[LivePortal]:
    mail = SmtpServer()
    mail.start()
    settings = settings_for(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    app = create_app({**settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mail.port})
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LivePortal(app, url, mail)
    server.shutdown()
    mail.stop()
    with app.app_context():
        db.engine.dispose()


@dataclass
class AxeLedger:
    """Which URLs the browser landed on, and which of them axe has checked."""

    visited: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def unchecked(self) -> list[str]:
        return [url for url in self.visited if url not in self.checked]


@pytest.fixture
def checked_page(page: Page) -> Iterator[Page]:
    ledger = AxeLedger()

    def on_navigation(frame: Any) -> None:
        if frame == page.main_frame:
            ledger.visited.append(frame.url)

    page.on("framenavigated", on_navigation)
    page.set_default_timeout(10_000)
    page.axe_ledger = ledger  # type: ignore[attr-defined]
    yield page
    assert ledger.visited, "the test never opened a page"
    assert not ledger.unchecked(), f"pages never checked with axe: {ledger.unchecked()}"


def axe_check(page: Page) -> None:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now; fail on any violation."""
    page.wait_for_load_state("load")
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    # axe 4.12 no longer reports duplicate ids under WCAG 2.1 tags, but a label pointing at the
    # wrong field is still a real barrier, so check it here.
    duplicates = page.evaluate(
        "() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => "
        "{ seen[e.id] = (seen[e.id] || 0) + 1; }); "
        "return Object.keys(seen).filter(k => seen[k] > 1); }"
    )
    assert duplicates == [], f"{page.url}: duplicate ids {duplicates}"
    SAVED_PAGES.save(page)
    ledger: AxeLedger | None = getattr(page, "axe_ledger", None)
    if ledger is not None:
        ledger.checked.add(page.url)


@pytest.fixture
def check() -> Callable[[Page], None]:
    return axe_check


def sign_in(page: Page, portal: LivePortal, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and land on the dashboard, axe-checking both pages."""
    page.goto(portal.url + "/login")
    axe_check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    axe_check(page)
