"""A mixed load of reading and writing on 4 workers for SOAK_SECONDS (20 in the suite, 600 in
``make bench``): every page answers, no connection fails, and every write that was confirmed
is in the database exactly once afterwards."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.goals.models import Encouragement, GoalCheckIn
from portal.learning.models import CourseModule
from portal.learning.sync import sync_course
from portal.qa import services as qa_services
from portal.qa.models import Question
from tests.fixtures.forms import csrf_token
from tests.fixtures.world import World, build_world
from tests.load.live import LivePortal, PortalClient, at_once

pytestmark = pytest.mark.load

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))
MAX_ROUNDS = 1_000_000  # the clock ends the run; this only bounds the loop
# Four people, one browser each: with 4 workers on 2 cores, more clients only queue.
READERS = {"patient": "a", "full": "a", "other_patient": "b", "other_member": "b"}


@dataclass(frozen=True)
class Site:
    """What the readers visit and write to."""

    circles: dict[str, int]
    goals: dict[str, int]
    step_path: str
    question_path: str


@dataclass
class Tally:
    """One reader's run: confirmed writes by kind, and everything that went wrong."""

    written: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def site(app: Flask, make_user: Callable[..., User]) -> tuple[World, Site]:
    world = build_world(app, make_user)
    with app.app_context():
        sync_course()
        module = db.session.scalars(
            select(CourseModule)
            .where(CourseModule.retired.is_(False), CourseModule.encourages_activity.is_(False))
            .order_by(CourseModule.position)
        ).first()
        assert module is not None
        assert module.steps
        step_path = f"/learn/{module.slug}/{module.steps[0].slug}"
        question = qa_services.ask(
            db.session.get_one(User, world.people["full"].id),
            title="How do we keep weekend routines steady?",
            body="Saturdays are the hardest.",
            topics=[],
            shared=True,
            anonymous=True,
            relationship="sibling",
        )
        qa_services.approve(
            db.session.get_one(User, world.people["moderator"].id),
            question,
            expected_version=question.version,
        )
        db.session.commit()
        question_path = f"/qa/{question.id}"
    return world, Site(world.circles, world.goals, step_path, question_path)


def read_and_write(client: PortalClient, site: Site, *, name: str, circle: str, run: str) -> Tally:
    """Read the pages a person reads, then write once (in turn: their usual write, a question),
    until the time is up. Each write carries a marker that is unique in the run."""
    tally = Tally()
    patient = name.endswith("patient")
    goal_path = f"/goals/{site.goals[circle]}"
    reads = [
        "/",
        f"/circles/{site.circles[circle]}/board",
        site.step_path,
        "/qa?q=weekend+routines",
        site.question_path,
    ]
    deadline = time.monotonic() + SOAK_SECONDS

    def visit(path: str) -> requests.Response | None:
        try:
            response = client.get(path)
        except requests.RequestException as error:
            tally.problems.append(f"GET {path}: {type(error).__name__}")
            return None
        if response.status_code != 200:
            tally.problems.append(f"GET {path}: {response.status_code}")
            return None
        return response

    def write(kind: str, page: str, action: str, form: dict[str, str], marker: str) -> None:
        shown = visit(page)
        if shown is None:
            return
        try:
            response = client.post(action, {**form, "csrf_token": csrf_token(shown.text)})
        except requests.RequestException as error:
            tally.problems.append(f"POST {action}: {type(error).__name__}")
            return
        if response.status_code != 302:
            tally.problems.append(f"POST {action}: {response.status_code}")
            return
        tally.written.setdefault(kind, []).append(marker)

    for round_number in range(MAX_ROUNDS):
        if time.monotonic() >= deadline:
            break
        for path in reads:
            visit(path)
        marker = f"[soak {run} {name} {round_number}]"
        if round_number % 2:
            title = f"How can we help on slow mornings? {marker}"
            form = {"title": title, "body": "Some days are slow.", "sharing": "shared"}
            write("question", "/qa/ask", "/qa/ask", {**form, "action": "send"}, title)
        elif patient:
            note = f"Made it to the corner shop. {marker}"
            form = {"checkin-note": note, "checkin-energy": "3"}
            write("check-in", goal_path, f"{goal_path}/check-ins", form, note)
        else:
            body = f"Proud of every small step you take. {marker}"
            form = {"msg-body": body}
            write("encouragement", goal_path, f"{goal_path}/encouragement", form, body)
    return tally


def test_mixed_load_loses_no_write(
    app: Flask, site: tuple[World, Site], serve: Callable[..., LivePortal]
) -> None:
    world, pages = site
    live = serve()
    run = uuid.uuid4().hex[:10]
    readers = {name: live.signed_in(world.people[name].email) for name in READERS}

    tallies = at_once(
        [
            partial(read_and_write, client, pages, name=name, circle=READERS[name], run=run)
            for name, client in readers.items()
        ],
        timeout=SOAK_SECONDS + 120,
    )

    problems = [problem for tally in tallies for problem in tally.problems]
    assert not problems, f"{len(problems)} failed requests, first ones: {problems[:10]}"
    written: dict[str, list[str]] = {"encouragement": [], "check-in": [], "question": []}
    for tally in tallies:
        for kind, markers in tally.written.items():
            written[kind].extend(markers)
    assert all(written.values()), {kind: len(markers) for kind, markers in written.items()}
    with app.app_context():
        stored = {
            "encouragement": db.session.scalars(
                select(Encouragement.body).where(Encouragement.body.contains(run))
            ).all(),
            "check-in": db.session.scalars(
                select(GoalCheckIn.note).where(GoalCheckIn.note.contains(run))
            ).all(),
            "question": db.session.scalars(
                select(Question.title).where(Question.title.contains(run))
            ).all(),
        }
    for kind, markers in written.items():
        assert sorted(stored[kind]) == sorted(markers), f"{kind}: stored and confirmed differ"
    live.assert_healthy()
