"""Pages stay light for a tired person on a phone: each main page, with a realistic clinic behind
it, is at most 14 KB of compressed HTML, at most 30 KB of compressed CSS and JS, in at most three
requests, and none of them leaves this server."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request

from bench.dataset import Scale, seed_clinic
from portal.extensions import db
from tests.e2e.conftest import LivePortal, axe_check, sign_in

HTML_LIMIT = 14 * 1024
ASSET_LIMIT = 30 * 1024
REQUEST_LIMIT = 3

CLINIC = Scale(
    circles=30,
    goals_per_circle=25,
    questions_per_circle=10,
    pending_questions=40,
    unanswered_questions=60,
    clinicians=2,
    moderators=1,
)


def compressed(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def weigh(page: Page, url: str) -> tuple[int, int, list[str]]:
    """Load ``url`` uncached: compressed HTML bytes, compressed CSS and JS bytes, requests."""
    requests: list[Request] = []

    def note(request: Request) -> None:
        requests.append(request)

    page.on("request", note)
    try:
        reply = page.goto(url)
        page.wait_for_load_state("load")
    finally:
        page.remove_listener("request", note)
    assert reply is not None
    assert reply.ok, f"{url} answered {reply.status}"
    assert page.url == url, f"{url} sent the browser to {page.url}"
    html = compressed(reply.body())
    assets = 0
    for request in requests:
        response = request.response()
        if request.resource_type in {"stylesheet", "script"} and response is not None:
            assert response.status == 200, f"{request.url}: {response.status}"
            assets += compressed(response.body())
    return html, assets, [r.url for r in requests]


def test_main_pages_are_light(live_portal: LivePortal, checked_page: Page) -> None:
    with live_portal.app.app_context():
        seeded = seed_clinic(CLINIC)
        db.session.remove()
    page = checked_page
    # A fresh cache for every page: the browser must not answer from memory.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    origin = urlsplit(live_portal.url).netloc
    step = f"/learn/{seeded.module_slug}/{seeded.step_slug}"
    tours = {
        seeded.family_email: [
            "/",
            f"/circles/{seeded.circle_id}/board",
            f"/goals/{seeded.goal_id}",
            step,
            "/learn",
            "/qa?q=sleep+routine",
            f"/qa/{seeded.question_id}",
            "/qa/ask",
        ],
        seeded.patient_email: ["/", f"/circles/{seeded.circle_id}/board", "/circle"],
        seeded.moderator_email: ["/moderation"],
        seeded.clinician_email: ["/answers", "/overview"],
    }
    weights = {}
    for email, paths in tours.items():
        sign_in(page, live_portal, email, seeded.password)
        for path in paths:
            html, assets, urls = weigh(page, live_portal.url + path)
            axe_check(page)
            weights[path, email] = (html, assets, len(urls))
            assert all(urlsplit(u).netloc == origin for u in urls if u.startswith("http")), urls
            assert len(urls) <= REQUEST_LIMIT, f"{path}: {len(urls)} requests: {urls}"
            assert html <= HTML_LIMIT, f"{path}: {html} bytes of compressed HTML"
            assert assets <= ASSET_LIMIT, f"{path}: {assets} bytes of compressed CSS and JS"
        page.context.clear_cookies()
    # Every page really brought its stylesheet and script: the measurement saw them.
    assert all(assets > 1000 and requests == 3 for _html, assets, requests in weights.values())
