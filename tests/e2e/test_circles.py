"""The care-circle story in a real browser, with axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LivePortal, axe_check, sign_in
from tests.fixtures.mailbox import Mailbox


def emailed_link(portal: LivePortal, address: str) -> str:
    messages = portal.mail.mailbox.wait_for(address)
    assert messages, f"no mail to {address}"
    match = re.search(r"(http://127\.0\.0\.1:\d+/join/\S+)", Mailbox.text_of(messages[-1]))
    assert match
    return match.group(1)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out")).to_be_visible()
    axe_check(page)


def accept_as_new_person(page: Page, link: str, name: str, password: str) -> None:
    page.goto(link)
    axe_check(page)
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password again").fill(password)
    page.get_by_role("button", name="Create my account and join").click()


def test_a_circle_from_first_invitation_to_removal(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    live_portal.add_user("clinician", "cal@example.test", "Dr. Cal")

    # A clinician invites a patient.
    sign_in(page, live_portal, "cal@example.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    axe_check(page)
    page.get_by_role("textbox", name="Their name").fill("Sam")
    page.get_by_label("Their email address").fill("sam@example.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitation sent")).to_be_visible()
    axe_check(page)
    sign_out(page)

    # The patient accepts and writes a support card.
    accept_as_new_person(
        page, emailed_link(live_portal, "sam@example.test"), "Sam", "sam's own passphrase"
    )
    expect(page.get_by_text("Welcome to Recovery Circle.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Go to my circle").click()
    axe_check(page)
    page.get_by_role("link", name="Write my support card").click()
    axe_check(page)
    page.get_by_label("What helps me").fill("A walk after dinner.")
    page.get_by_role("button", name="Save my card").click()
    expect(page.get_by_text("Your support card is saved.")).to_be_visible()
    axe_check(page)

    # Two relatives, with different permissions.
    for name, email, extra in (
        ("Priya", "priya@example.test", True),
        ("Dev", "dev@example.test", False),
    ):
        page.get_by_role("link", name="Invite someone").click()
        axe_check(page)
        page.get_by_role("textbox", name="Their name").fill(name)
        page.get_by_label("Their email address").fill(email)
        page.get_by_label("How do you know them?").select_option("sibling")
        if extra:
            page.get_by_label("See my goal board and my support card").check()
            page.get_by_label("See my treatment timeline").check()
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_label("Invitation link")).to_have_value(re.compile(r"/join/"))
        axe_check(page)
        page.get_by_role("link", name="Done").click()
        axe_check(page)

    # Priya accepts in her own browser and sees the card.
    priya_context = browser.new_context()
    priya = priya_context.new_page()
    accept_as_new_person(
        priya, emailed_link(live_portal, "priya@example.test"), "Priya", "priya's own passphrase"
    )
    expect(priya.get_by_role("heading", name="How to support Sam")).to_be_visible()
    expect(priya.get_by_text("A walk after dinner.")).to_be_visible()
    axe_check(priya)

    # Sam sees Priya joined, narrows her permission, and cancels Dev's invitation.
    page.reload()
    axe_check(page)
    priya_card = page.locator(".member-list > li", has_text="Priya")
    expect(priya_card).to_contain_text("Last active: This week")
    priya_card.get_by_label("See my goal board and my support card").uncheck()
    priya_card.get_by_role("button", name="Save for Priya").click()
    expect(page.get_by_text("Saved. Priya sees the change")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Cancel invitation to Dev").click()
    expect(page.get_by_text("The invitation to Dev is cancelled")).to_be_visible()
    axe_check(page)

    priya.reload()
    expect(priya.get_by_text("A walk after dinner.")).to_have_count(0)
    expect(priya.get_by_text("Treatment timeline: shared")).to_be_visible()
    axe_check(priya)

    # Dev's link is dead.
    dev_context = browser.new_context()
    dev = dev_context.new_page()
    dev.goto(emailed_link(live_portal, "dev@example.test"))
    expect(dev.get_by_role("heading", name="This link no longer works")).to_be_visible()
    axe_check(dev)

    # Preview as Priya, then remove her: she keeps her account but sees nothing of Sam's.
    page.get_by_role("link", name="See what Priya sees").click()
    expect(page.get_by_text("this is exactly what Priya sees")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Back to my circle").click()
    axe_check(page)
    page.get_by_role("link", name="Remove from circle").click()
    axe_check(page)
    page.get_by_role("button", name="Remove Priya").click()
    expect(page.get_by_text("Priya is no longer in your circle.")).to_be_visible()
    axe_check(page)

    priya.reload()
    expect(priya.get_by_role("heading", name="We could not find that page")).to_be_visible()
    axe_check(priya)
    priya.goto(live_portal.url + "/")
    expect(priya.get_by_role("heading", name="Hello, Priya")).to_be_visible()
    expect(priya.get_by_text("Sam")).to_have_count(0)
    axe_check(priya)
    priya_context.close()
    dev_context.close()
