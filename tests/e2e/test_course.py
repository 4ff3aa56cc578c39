"""A family member completes a module with the keyboard alone, axe clean on every step."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.learning.sync import sync_course
from tests.conftest import PASSWORD
from tests.e2e.conftest import LivePortal, axe_check


def press_tab_until(page: Page, name: str, limit: int = 80) -> None:
    """Move focus with Tab (as a keyboard user does) until the named control has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value"
            " || document.activeElement.getAttribute('aria-label') || '').trim()"
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"never reached {name!r} with Tab")


def test_complete_a_module_with_the_keyboard(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    with live_portal.app.app_context():
        sync_course()
        db.session.commit()
    live_portal.add_user("family", "fran@example.test", "Fran")

    page.goto(live_portal.url + "/login")
    axe_check(page)
    page.get_by_label("Email").focus()
    page.keyboard.type("fran@example.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Fran")).to_be_visible()
    axe_check(page)

    page.goto(live_portal.url + "/learn")
    axe_check(page)
    press_tab_until(page, "Start:")
    page.keyboard.press("Enter")

    for _ in range(10):
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_check(page)
        if page.get_by_role("button", name="Check my answer").count():
            page.get_by_role("radio").first.focus()
            page.keyboard.press("ArrowDown")  # choose an answer with the arrow keys
            press_tab_until(page, "Check my answer")
            page.keyboard.press("Enter")
            expect(page.locator("#feedback")).to_be_visible()
            axe_check(page)
            if page.get_by_role("link", name="Try again").count():
                press_tab_until(page, "Try again")
                page.keyboard.press("Enter")
                axe_check(page)
                page.get_by_role("radio").first.focus()
                page.keyboard.press("Space")
                checked = page.get_by_role("radio").first
                expect(checked).to_be_checked()
                press_tab_until(page, "Check my answer")
                page.keyboard.press("Enter")
                axe_check(page)
            press_tab_until(page, "Next:")
            page.keyboard.press("Enter")
            continue
        if page.get_by_role("textbox", name="Your private notes").count():
            page.get_by_role("textbox", name="Your private notes").focus()
            page.keyboard.type("I will stop asking when he'll be back to normal.")
            press_tab_until(page, "Save my notes and continue")
            page.keyboard.press("Enter")
            continue
        button = page.get_by_role("button", name="I will try this")
        if button.count():
            press_tab_until(page, "I will try this")
            page.keyboard.press("Enter")
            break
        press_tab_until(page, "Done, continue")
        page.keyboard.press("Enter")

    expect(page.get_by_text("You finished")).to_be_visible()
    axe_check(page)
    expect(page.get_by_text("5 of 5 steps done")).to_be_visible()

    # Progress and notes survive signing out and in again.
    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    page.get_by_label("Email").fill("fran@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    axe_check(page)
    page.goto(live_portal.url + "/learn/my-notes")
    expect(page.get_by_text("I will stop asking when he'll be back to normal.")).to_be_visible()
    axe_check(page)
    page.goto(live_portal.url + "/learn")
    expect(page.get_by_text("5 of 5 steps done")).to_be_visible()
    axe_check(page)


def test_clinician_edits_publishes_and_reverts_a_step(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    with live_portal.app.app_context():
        sync_course()
        db.session.commit()
    live_portal.add_user("clinician", "cal@example.test", "Dr. Cal")
    page.goto(live_portal.url + "/login")
    axe_check(page)
    page.get_by_label("Email").fill("cal@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    axe_check(page)
    page.get_by_role("link", name="Course content").click()
    axe_check(page)
    page.get_by_role("link", name="The picture in one minute").click()
    axe_check(page)
    page.get_by_label("Text (Markdown)").fill("A **clearer** picture for families.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved)")).to_be_visible()
    axe_check(page)
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    axe_check(page)
    page.goto(live_portal.url + "/learn/broken-leg/broken-leg-the-picture")
    expect(page.locator("strong", has_text="clearer")).to_be_visible()
    axe_check(page)
    page.go_back()
    axe_check(page)
    page.get_by_role("link", name="Revision 1").click()
    axe_check(page)
    page.get_by_role("button", name="Revert to this revision").click()
    expect(page.get_by_text("published again")).to_be_visible()
    axe_check(page)
    page.goto(live_portal.url + "/learn/broken-leg/broken-leg-the-picture")
    expect(page.locator("strong", has_text="clearer")).to_have_count(0)
    axe_check(page)
