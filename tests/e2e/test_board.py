"""The goal board in a real browser: building, coaching, suggestions, help; axe on every page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from portal.circles.models import Membership
from portal.circles.services import ensure_circle
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import LivePortal, axe_check, sign_in


def build_circle(portal: LivePortal) -> tuple[int, int]:
    sam = portal.add_user("patient", "sam@example.test", "Sam")
    priya = portal.add_user("family", "priya@example.test", "Priya")
    dev = portal.add_user("family", "dev@example.test", "Dev")
    olly = portal.add_user("patient", "olly@example.test", "Olly")
    with portal.app.app_context():
        circle = ensure_circle(db.session.get(type(sam), sam.id))
        other = ensure_circle(db.session.get(type(olly), olly.id))
        expires = utcnow() + timedelta(days=300)
        db.session.add_all(
            [
                Membership(
                    circle_id=circle.id,
                    user_id=priya.id,
                    relationship_kind="partner",
                    can_see_board=True,
                    can_encourage=True,
                    consent_expires_at=expires,
                ),
                Membership(
                    circle_id=circle.id,
                    user_id=dev.id,
                    relationship_kind="sibling",
                    consent_expires_at=expires,
                ),
            ]
        )
        db.session.commit()
        return circle.id, other.id


def test_a_board_with_coaching_suggestions_and_help(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    circle_id, other_id = build_circle(live_portal)
    board = f"{live_portal.url}/circles/{circle_id}/board"

    # Sam builds a board.
    sign_in(page, live_portal, "sam@example.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My board").click()
    axe_check(page)
    page.get_by_role("link", name="Add a goal").click()
    axe_check(page)
    page.get_by_label("Goal", exact=True).fill("A short walk most days")
    page.get_by_label("Area of life").select_option("health")
    page.get_by_label("A bit less than I expect").fill("Stand outside")
    page.get_by_label("Small steps").fill("Shoes by the door\nWalk to the corner")
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("Goal added.")).to_be_visible()
    axe_check(page)
    step = page.get_by_role("button", name="Done: Shoes by the door")
    expect(step).to_have_attribute("aria-pressed", "false")
    step.click()
    expect(page.get_by_role("button", name="Done: Shoes by the door")).to_have_attribute(
        "aria-pressed", "true"
    )
    axe_check(page)
    page.get_by_role("link", name="Back to the board").click()
    axe_check(page)
    page.get_by_label("Move “A short walk most days” to").select_option("doing")
    page.get_by_role("button", name="Move “A short walk most days”").click()
    expect(page.get_by_text("Moved “A short walk most days” to Doing.")).to_be_visible()
    axe_check(page)

    # Priya suggests a goal, is coached on "lazy", rewrites it, and offers help.
    priya = browser.new_context().new_page()
    sign_in(priya, live_portal, "priya@example.test")
    priya.goto(board)
    axe_check(priya)
    priya.get_by_role("link", name="Suggest a goal").click()
    axe_check(priya)
    priya.get_by_label("Goal", exact=True).fill("Stop being lazy on weekends")
    priya.get_by_role("button", name="Send suggestion").click()
    expect(priya.get_by_role("heading", name="Before you send this")).to_be_visible()
    axe_check(priya)
    priya.get_by_label("Goal", exact=True).fill("A slow breakfast together on Sunday")
    priya.get_by_role("button", name="Send suggestion").click()
    expect(priya.get_by_text("Your suggestion is with Sam.")).to_be_visible()
    axe_check(priya)
    priya.get_by_role("link", name="A short walk most days").click()
    axe_check(priya)
    priya.get_by_label("What could you do?").fill("I can walk with you on Saturday")
    priya.get_by_role("button", name="Offer help").click()
    expect(priya.get_by_text("Your offer is sent.")).to_be_visible()
    axe_check(priya)

    # Sam accepts the suggestion and the offer.
    page.goto(board)
    axe_check(page)
    page.get_by_role("link", name="A slow breakfast together on Sunday").click()
    axe_check(page)
    page.get_by_role("button", name="Add and edit it").click()
    axe_check(page)
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("Goal saved.")).to_be_visible()
    axe_check(page)
    page.goto(board)
    page.get_by_role("link", name="A short walk most days").click()
    axe_check(page)
    page.get_by_role("button", name="Accept offer from Priya").click()
    expect(page.get_by_text("· accepted")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "You accepted the offer from Priya: “I can walk with you on Saturday”. We let them know."
    )
    axe_check(page)

    priya.goto(live_portal.url + "/")
    expect(
        priya.get_by_text("Sam accepted your offer: I can walk with you on Saturday")
    ).to_be_visible()
    axe_check(priya)

    # Dev may not see the board; Olly (another circle's patient) sees nothing of it.
    for email in ("dev@example.test", "olly@example.test"):
        other = browser.new_context().new_page()
        sign_in(other, live_portal, email)
        other.goto(board)
        expect(other.get_by_role("heading", name="We could not find that page")).to_be_visible()
        expect(other.get_by_text("A short walk most days")).to_have_count(0)
        axe_check(other)
        other.context.close()
    priya.context.close()
    assert other_id != circle_id


def test_a_relative_exports_then_deletes_their_account(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    import json
    import zipfile

    page = checked_page
    circle_id, _other = build_circle(live_portal)
    with live_portal.app.app_context():
        from portal.goals.models import Encouragement, Goal

        goal = Goal(circle_id=circle_id, title="A short walk", column="doing")
        db.session.add(goal)
        db.session.flush()
        priya_id = db.session.scalar(
            db.select(Membership.user_id).where(Membership.relationship_kind == "partner")
        )
        db.session.add(Encouragement(goal_id=goal.id, author_id=priya_id, body="Go Sam!"))
        db.session.commit()
        goal_id = goal.id

    sign_in(page, live_portal, "priya@example.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        data = json.loads(archive.read("recovery-circle-data.json"))
    assert data["encouragement_written"][0]["body"] == "Go Sam!"
    page.get_by_role("link", name="Delete my account").click()
    axe_check(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    axe_check(page)

    sam = browser.new_context().new_page()
    sign_in(sam, live_portal, "sam@example.test")
    sam.goto(f"{live_portal.url}/goals/{goal_id}")
    expect(sam.get_by_text("A former member")).to_be_visible()
    expect(sam.get_by_text("Go Sam!")).to_be_visible()
    axe_check(sam)
    sam.context.close()


def test_a_relative_is_notified_in_the_app_and_by_email(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    circle_id, _other = build_circle(live_portal)
    with live_portal.app.app_context():
        from portal.goals.models import Goal, HelpOffer

        goal = Goal(circle_id=circle_id, title="A short walk", column="doing")
        db.session.add(goal)
        db.session.flush()
        priya_id = db.session.scalar(
            db.select(Membership.user_id).where(Membership.relationship_kind == "partner")
        )
        db.session.add(HelpOffer(goal_id=goal.id, author_id=priya_id, body="I can drive"))
        db.session.commit()
        goal_id = goal.id

    sign_in(page, live_portal, "priya@example.test")
    page.goto(live_portal.url + "/account/email")
    axe_check(page)
    page.get_by_role("group", name="The goal board").get_by_label("Right away").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email choices are saved.")).to_be_visible()
    axe_check(page)

    sam = browser.new_context().new_page()
    sign_in(sam, live_portal, "sam@example.test")
    sam.goto(f"{live_portal.url}/goals/{goal_id}")
    axe_check(sam)
    sam.get_by_role("button", name="Accept offer from Priya").click()
    expect(sam.get_by_text("You accepted the offer from Priya")).to_be_visible()
    axe_check(sam)
    sam.context.close()

    page.goto(live_portal.url + "/notifications")
    expect(page.get_by_role("button", name="Sam accepted your offer: I can drive")).to_be_visible()
    axe_check(page)
    [email] = live_portal.mail.mailbox.wait_for("priya@example.test")
    assert "You have a new message in Recovery Circle" in email["Subject"]
