"""Every route that takes an id, for every kind of person, against their own circle's objects
and another circle's: the status is right, and a refused write changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from portal.circles.models import Membership
from portal.extensions import db
from portal.goals.models import Goal
from tests.conftest import PASSWORD
from tests.fixtures.forms import csrf_token, sign_in
from tests.fixtures.world import MEMBERS, World, build_world, snapshot

ACTORS = ["signed_out", "admin", "clinician", "moderator", "patient", "other_patient", *MEMBERS]
OWNER = {"a": "patient", "b": "other_patient"}
CURRENT_MEMBERS = {
    "a": {"full", "board_only", "timeline_only", "course_only", "lapsed"},
    "b": {"other_member"},
}


@dataclass(frozen=True)
class Route:
    method: str
    url: str  # formatted with circle, membership, invitation, goal, slot ids of the target circle
    role: str | None  # the endpoint's role rule, if any
    # "owner" (the circle's patient), "circle" (patient and current members), or "timeline"
    # (patient and the members allowed to see the timeline)
    audience: str
    data: tuple[tuple[str, str], ...] = ()

    def allowed(self, actor: str, target: str) -> bool:
        if self.audience == "owner":
            return actor == OWNER[target]
        if self.audience == "timeline":
            return actor == OWNER[target] or actor in TIMELINE_MEMBERS[target]
        if self.audience == "board":
            return actor == OWNER[target] or actor in BOARD_MEMBERS[target]
        if self.audience == "encourage":
            return actor in ENCOURAGE_MEMBERS[target]
        if self.audience == "helper":
            return actor in BOARD_MEMBERS[target]
        return actor == OWNER[target] or actor in CURRENT_MEMBERS[target]


ROUTES = [
    Route("GET", "/circles/{circle}", None, "circle"),
    Route("POST", "/circles/{circle}/switch", None, "circle"),
    Route("GET", "/circles/{circle}/timeline", None, "timeline"),
    Route("GET", "/circles/{circle}/board", None, "board"),
    Route("GET", "/circles/{circle}/treatment-days", None, "board"),
    Route("GET", "/goals/{goal}", None, "board"),
    Route("GET", "/goals/{goal}/edit", None, "owner"),
    Route("POST", "/goals/{goal}/move", None, "owner", (("column", "doing"),)),
    Route("POST", "/goals/{goal}/steps", None, "owner", (("step-text", "another step"),)),
    Route("POST", "/goals/{goal}/check-ins", None, "owner", (("checkin-note", "went ok"),)),
    Route("POST", "/goals/{goal}/encouragement", None, "encourage", (("msg-body", "Go you"),)),
    Route("POST", "/goals/{goal}/offers", None, "encourage", (("offer-body", "I can drive"),)),
    Route("GET", "/circles/{circle}/board/suggest", None, "encourage"),
    Route("POST", "/circles/{circle}/help-slots/{slot}/take", None, "helper"),
    Route("GET", "/circle/members/{membership}/preview", "patient", "owner"),
    Route("GET", "/circle/members/{membership}/remove", "patient", "owner"),
    Route(
        "POST",
        "/circle/members/{membership}/permissions",
        "patient",
        "owner",
        (("see_board", "y"),),
    ),
    Route("POST", "/circle/members/{membership}/confirm", "patient", "owner"),
    Route("POST", "/circle/invitations/{invitation}/resend", "patient", "owner"),
    Route("POST", "/circle/invitations/{invitation}/revoke", "patient", "owner"),
    Route("POST", "/circle/members/{membership}/remove", "patient", "owner"),
]
TIMELINE_MEMBERS = {"a": {"full", "timeline_only"}, "b": {"other_member"}}
BOARD_MEMBERS = {"a": {"full", "board_only"}, "b": {"other_member"}}
ENCOURAGE_MEMBERS = {"a": {"full"}, "b": {"other_member"}}
ROLES = {
    "admin": "admin",
    "clinician": "clinician",
    "moderator": "moderator",
    "patient": "patient",
    "other_patient": "patient",
    **dict.fromkeys(MEMBERS, "family"),
}


class Browsers:
    """One signed-in browser per actor, each with a CSRF token from its own session."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app, self.world, self.clients = app, world, {}

    def get(self, actor: str):
        if actor not in self.clients:
            client = self.app.test_client()
            if actor != "signed_out":
                assert sign_in(client, self.world.people[actor].email, PASSWORD).status_code == 302
            page = client.get("/login" if actor == "signed_out" else "/account")
            self.clients[actor] = (client, csrf_token(page.get_data(as_text=True)))
        return self.clients[actor]


def request_as(browsers: Browsers, actor: str, route: Route, target: str):
    world = browsers.world
    key = "full" if target == "a" else "other_member"
    url = route.url.format(
        circle=world.circles[target],
        membership=world.memberships[key],
        invitation=world.invitations[target],
        goal=world.goals[target],
        slot=world.slots[target],
    )
    client, token = browsers.get(actor)
    if route.method == "GET":
        return client.get(url)
    with browsers.app.app_context():
        version = db.session.get(Membership, world.memberships[key]).version
        if "/goals/" in url:
            version = db.session.get(Goal, world.goals[target]).version
    return client.post(url, data={"csrf_token": token, "version": str(version), **dict(route.data)})


def expected_refusal(actor: str, route: Route, target: str) -> int:
    """Signed out: to sign-in. A role the route is not for: 403. An object the person may
    see but not change (their own circle's goal, without the permission): 403. Else 404."""
    if actor == "signed_out":
        return 302
    if route.role and ROLES[actor] != route.role:
        return 403
    sees_board = actor == OWNER[target] or actor in BOARD_MEMBERS[target]
    if route.audience in {"owner", "encourage", "helper"} and "{goal}" in route.url and sees_board:
        return 403
    if route.audience in {"encourage", "helper"} and "{circle}" in route.url and sees_board:
        return 403
    if route.url.startswith("/goals/{goal}") and route.audience == "owner" and sees_board:
        return 403
    return 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_matrix(app, make_user, mailbox, route):
    app.config.update(INVITATION_RATE_LIMIT="1000 per hour", LOGIN_RATE_LIMIT="1000 per minute")
    world = build_world(app, make_user)
    browsers = Browsers(app, world)
    cases = [(actor, target) for target in ("a", "b") for actor in ACTORS]
    refused = [(a, t) for a, t in cases if not route.allowed(a, t)]
    allowed = [(a, t) for a, t in cases if route.allowed(a, t)]
    assert allowed
    assert refused

    for actor, target in refused:
        before = snapshot(app)
        response = request_as(browsers, actor, route, target)
        expected = expected_refusal(actor, route, target)
        assert response.status_code == expected, (actor, target, response.status_code)
        if expected == 302:
            assert response.headers["Location"].startswith("/login")
        assert snapshot(app) == before, f"{actor} changed {target} with a refused request"

    for actor, target in allowed:
        response = request_as(browsers, actor, route, target)
        assert response.status_code in {200, 302, 303}, (actor, target, response.status_code)
        if response.status_code in {302, 303}:
            assert not response.headers["Location"].startswith("/login"), (actor, target)
