"""Sign-in limits with 4 workers: the per-address limit counts in one Redis shared by every
worker, and the per-account lockout, kept in the database, holds when guesses arrive at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
import redis
import requests
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import LoginThrottle, User, UserSession
from portal.db import as_utc, utcnow
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.load.live import LivePortal, post_at_once, statuses

pytestmark = pytest.mark.load

ATTEMPTS = 40
ADDRESS_LIMIT = 5
MAX_FAILURES = 3
GUESSES = 12
OWNER_TABS = 8
SLOWED = "There have been a lot of attempts in a short time"  # Flask-Limiter's 429 page
PAUSED = "sign-in is paused"  # the account lockout's message


def outcome(answer: requests.Response) -> str:
    """What the person at the keyboard sees."""
    if answer.status_code == 302:
        return "signed in"
    if answer.status_code == 401:
        return "refused"  # the password was checked and was wrong
    if answer.status_code == 429 and PAUSED in answer.text:
        return "paused"
    return f"{answer.status_code}"


def audit_count(app: Flask, action: str) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(db.session.scalar(query) or 0)


def test_the_address_limit_is_counted_once_for_all_workers(
    app: Flask, serve: Callable[..., LivePortal], redis_url: str
) -> None:
    """40 guesses from one address at once: 5 reach the password check, 35 are turned away."""
    # An hour, so the window cannot roll over during the burst however slow the machine is.
    live = serve(RATELIMIT_STORAGE_URI=redis_url, LOGIN_RATE_LIMIT=f"{ADDRESS_LIMIT} per hour")
    guessers = [live.client() for _ in range(ATTEMPTS)]
    tokens = [guesser.token("/login") for guesser in guessers]

    forms = [
        {"csrf_token": token, "email": f"guess{n}@example.test", "password": "nope"}
        for n, token in enumerate(tokens)
    ]

    answers = post_at_once(guessers, "/login", forms)

    assert statuses(answers) == {401: ADDRESS_LIMIT, 429: ATTEMPTS - ADDRESS_LIMIT}
    assert all(SLOWED in a.text for a in answers if a.status_code == 429)
    assert audit_count(app, "auth.sign_in_failed") == ADDRESS_LIMIT
    assert len(live.workers_that_answered("POST", "/login")) > 1, "one worker took every guess"
    with redis.Redis.from_url(redis_url) as store:
        counters = [int(store.get(key) or 0) for key in store.scan_iter("*auth.login*")]
    assert counters == [ATTEMPTS], "every guess is counted in the one shared counter"
    live.assert_healthy()


def test_the_account_lockout_holds_when_guesses_arrive_at_once(
    app: Flask,
    make_user: Callable[..., User],
    serve: Callable[..., LivePortal],
) -> None:
    """Wrong passwords for one account from many browsers at once: no more than 3 are checked,
    and afterwards not even the right password opens the account."""
    victim = make_user("family", email="victim@example.test")
    live = serve(LOGIN_MAX_FAILURES=str(MAX_FAILURES))  # the address limit stays generous

    def sign_in_at_once(password: str, how_many: int) -> Counter[str]:
        browsers = [live.client() for _ in range(how_many)]
        tokens = [browser.token("/login") for browser in browsers]
        form = {"email": victim.email, "password": password}
        forms = [{**form, "csrf_token": token} for token in tokens]
        answers = post_at_once(browsers, "/login", forms)
        return Counter(outcome(a) for a in answers)

    guesses = sign_in_at_once("not the password", GUESSES)
    owner = sign_in_at_once(PASSWORD, OWNER_TABS)

    assert {"guesses": guesses, "owner": owner} == {
        "guesses": {"refused": MAX_FAILURES, "paused": GUESSES - MAX_FAILURES},
        "owner": {"paused": OWNER_TABS},
    }
    assert audit_count(app, "auth.sign_in_failed") == MAX_FAILURES
    with app.app_context():
        [throttle] = db.session.scalars(select(LoginThrottle)).all()
        assert throttle.locked_until is not None
        assert as_utc(throttle.locked_until) > utcnow()
        opened = select(func.count()).select_from(UserSession)
        assert db.session.scalar(opened.where(UserSession.user_id == victim.id)) == 0
    assert audit_count(app, "auth.sign_in") == 0
    live.assert_healthy()
