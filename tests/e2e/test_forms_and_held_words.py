"""In a real browser: a form sent empty with the keyboard leads with its error summary, which
takes focus and whose link takes focus to the field; and a relative's words of crisis are held
(the writer sees them, with the crisis lines; the patient does not) until "Send it anyway".
Axe checks every page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.goals.models import Goal
from tests.e2e.conftest import LivePortal, axe_check, sign_in
from tests.e2e.test_board import build_circle

RISK_WORDS = "I'm scared he wants to kill himself"


def active(page: Page, script: str) -> object:
    return page.evaluate(f"() => {{ const e = document.activeElement; return {script}; }}")


def a_goal(portal: LivePortal, circle_id: int) -> int:
    with portal.app.app_context():
        goal = Goal(circle_id=circle_id, title="A short walk most days")
        db.session.add(goal)
        db.session.commit()
        return goal.id


def test_offer_help_sent_empty_with_the_keyboard(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    circle_id, _other = build_circle(live_portal)
    goal_id = a_goal(live_portal, circle_id)
    sign_in(page, live_portal, "priya@example.test")
    page.goto(f"{live_portal.url}/goals/{goal_id}")
    axe_check(page)

    page.get_by_label("What could you do?").focus()
    page.keyboard.press("Tab")
    assert active(page, "e.textContent.trim()") == "Offer help"
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page).to_have_title("Error: A short walk most days · Recovery Circle")
    axe_check(page)
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name="Say what you could do.")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    field = page.get_by_label("What could you do?")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "For example: I can drive you on Tuesday. Say what you could do."
    )
    axe_check(page)


def test_a_radio_question_left_empty_links_to_its_first_option(
    checked_page: Page, live_portal: LivePortal
):
    page = checked_page
    live_portal.add_user("family", "rosa@example.test", "Rosa")
    sign_in(page, live_portal, "rosa@example.test")
    page.goto(live_portal.url + "/learn/check-in")
    axe_check(page)
    page.get_by_role("button", name="Save my check-in").focus()
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    axe_check(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    group = page.locator("fieldset#tired")
    expect(group).to_have_attribute("aria-invalid", "true")
    expect(group.locator("input").first).to_be_focused()
    expect(group.locator("legend")).to_be_in_viewport()
    expect(group.locator("#tired-error")).to_be_visible()
    axe_check(page)


def test_a_relatives_words_of_crisis_are_held_until_sent_anyway(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    circle_id, _other = build_circle(live_portal)
    live_portal.add_user("moderator", "mo@example.test", "Mo")
    goal_id = a_goal(live_portal, circle_id)
    goal_url = f"{live_portal.url}/goals/{goal_id}"

    sign_in(page, live_portal, "priya@example.test")
    page.goto(goal_url)
    axe_check(page)
    page.get_by_label("A short message").fill(RISK_WORDS)
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator(".crisis-now")).to_be_visible()
    expect(page.locator(".crisis-now").get_by_role("link", name="Call or text 988")).to_be_visible()
    told = page.locator("[data-flashes]")
    expect(told).to_contain_text(
        "We haven't sent this to Sam. If Sam may be in danger now, call 911."
    )
    expect(page.get_by_text("Thank you for cheering them on")).to_have_count(0)
    held = page.locator("li.held")
    expect(held).to_contain_text(RISK_WORDS)
    expect(held).to_contain_text("held, not sent")
    axe_check(page)

    sam = browser.new_context().new_page()
    sign_in(sam, live_portal, "sam@example.test")
    expect(sam.get_by_text("sent encouragement")).to_have_count(0)
    sam.goto(goal_url)
    expect(sam.get_by_role("heading", name="Encouragement")).to_be_visible()
    expect(sam.get_by_text(RISK_WORDS)).to_have_count(0)
    expect(sam.get_by_role("button", name="Send it anyway")).to_have_count(0)
    axe_check(sam)

    held.get_by_role("button", name="Send it anyway").click()
    expect(page.locator("[data-flashes]")).to_contain_text("Sent to Sam.")
    expect(page.locator("li.held")).to_have_count(0)
    expect(page.get_by_text(RISK_WORDS)).to_be_visible()
    axe_check(page)

    sam.goto(goal_url)
    expect(sam.get_by_text(RISK_WORDS)).to_be_visible()
    axe_check(sam)
    sam.goto(live_portal.url + "/notifications")
    expect(sam.get_by_text("Priya sent encouragement")).to_be_visible()
    axe_check(sam)
    sam.context.close()
