"""Each main page sends the same, small number of queries however big the clinic grows.

Counted: every statement the request sends (the user loader and bookkeeping writes included),
but not transaction control. Measured on a first view, the most expensive one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from bench.dataset import Scale, Seeded, seed_clinic
from portal import create_app
from portal.extensions import db
from tests.conftest import POSTGRES_URL, empty_tables, settings_for
from tests.fixtures.forms import signed_in

BUDGET = 8
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

SMALL = Scale(
    circles=3,
    goals_per_circle=2,
    questions_per_circle=1,
    pending_questions=2,
    unanswered_questions=2,
    clinicians=1,
    moderators=1,
)
LARGE = Scale(
    circles=40,
    goals_per_circle=60,
    questions_per_circle=8,
    pending_questions=80,
    unanswered_questions=120,
    clinicians=3,
    moderators=2,
)


def pages(seeded: Seeded) -> dict[str, tuple[str, str]]:
    step = f"/learn/{seeded.module_slug}/{seeded.step_slug}"
    board = f"/circles/{seeded.circle_id}/board"
    return {
        "family dashboard": ("family", "/"),
        "patient dashboard": ("patient", "/"),
        "goal board, family": ("family", board),
        "goal board, patient": ("patient", board),
        "goal page": ("family", f"/goals/{seeded.goal_id}"),
        "module step": ("family", step),
        "course": ("family", "/learn"),
        "question search": ("family", "/qa?q=sleep"),
        # No question has both words: the search falls back to any word (one query more).
        "question search, any word": ("family", "/qa?q=sleep+xylophone"),
        "question page": ("family", f"/qa/{seeded.question_id}"),
        "moderation queue": ("moderator", "/moderation"),
        "answer queue": ("clinician", "/answers"),
        "notifications": ("family", "/notifications"),
    }


def count_page_queries(tmp_path: Path, scale: Scale) -> dict[str, int]:
    """Seed a clinic of ``scale`` into a fresh database and count each page's statements."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    app = create_app(settings_for(url, tmp_path))
    with app.app_context():
        if POSTGRES_URL:
            empty_tables()
        else:
            db.create_all()
        seeded = seed_clinic(scale)
        engine = db.engine
    emails = {
        "family": seeded.family_email,
        "patient": seeded.patient_email,
        "moderator": seeded.moderator_email,
        "clinician": seeded.clinician_email,
    }
    clients = {who: signed_in(app, email, seeded.password) for who, email in emails.items()}
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if not statement.lstrip().upper().startswith(CONTROL):
            statements.append(statement)

    counts = {}
    event.listen(engine, "before_cursor_execute", note)
    try:
        for name, (who, url_path) in pages(seeded).items():
            statements.clear()
            reply = clients[who].get(url_path)
            assert reply.status_code == 200, f"{name}: {reply.status_code}"
            counts[name] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        with app.app_context():
            if POSTGRES_URL:
                empty_tables()
            db.engine.dispose()
    return counts


@pytest.fixture(scope="module")
def counts(
    tmp_path_factory: pytest.TempPathFactory, postgres_schema: None
) -> dict[str, tuple[int, int]]:
    base = tmp_path_factory.mktemp("clinics")
    small = count_page_queries(base / "small", SMALL)
    large = count_page_queries(base / "large", LARGE)
    return {name: (small[name], large[name]) for name in small}


@pytest.mark.parametrize("page", list(pages(Seeded("", "", "", "", "", 1, 1, 1, "m", "s"))))
def test_page_queries_stay_few_and_do_not_grow(
    counts: dict[str, tuple[int, int]], page: str
) -> None:
    small, large = counts[page]
    assert large == small, f"{page}: {small} queries with a small clinic, {large} with a large one"
    assert large <= BUDGET, f"{page}: {large} queries, budget {BUDGET}"
