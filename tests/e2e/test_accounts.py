"""A person in a real browser: sign in and out, recover a password by email, settings, roles."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import LivePortal, axe_check
from tests.fixtures.mailbox import Mailbox


def sign_in(page: Page, portal: LivePortal, email: str, password: str = PASSWORD) -> None:
    page.goto(portal.url + "/login")
    axe_check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_out_with_the_keyboard(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    live_portal.add_user("family", "fran@example.test", "Fran Family")
    page.goto(live_portal.url + "/")
    axe_check(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_role("link", name="Sign in").click()
    axe_check(page)
    page.get_by_label("Email").fill("fran@example.test")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    axe_check(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Hello, Fran Family")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out")).to_be_visible()
    axe_check(page)
    page.goto(live_portal.url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    axe_check(page)


def test_reset_a_forgotten_password_through_the_email(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    live_portal.add_user("patient", "pat@example.test", "Pat Patient")
    page.goto(live_portal.url + "/login")
    axe_check(page)
    page.get_by_role("link", name="Forgot your password?").click()
    axe_check(page)
    page.get_by_label("Email").fill("pat@example.test")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe_check(page)

    [message] = live_portal.mail.mailbox.wait_for("pat@example.test")
    link = re.search(r"(http://127\.0\.0\.1:\d+/reset-password/\S+)", Mailbox.text_of(message))
    assert link
    page.goto(link.group(1))
    axe_check(page)
    page.get_by_label("New password", exact=True).fill("qwertyuiop")
    page.get_by_label("New password again").fill("qwertyuiop")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("alert")).to_contain_text("too common")
    axe_check(page)
    page.get_by_label("New password", exact=True).fill("my new morning passphrase")
    page.get_by_label("New password again").fill("my new morning passphrase")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    axe_check(page)
    sign_in(page, live_portal, "pat@example.test", "my new morning passphrase")
    expect(page.get_by_role("heading", name="Hello, Pat Patient")).to_be_visible()
    axe_check(page)
    page.goto(link.group(1))
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    axe_check(page)


def test_each_role_signs_in_and_sees_its_home(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    people = [
        ("admin", "admin@example.test", "Ada Admin"),
        ("clinician moderator", "cm@example.test", "Cam Clinician"),
        ("moderator", "mod@example.test", "Mo Moderator"),
        ("patient", "pat@example.test", "Pat Patient"),
        ("family", "fran@example.test", "Fran Family"),
    ]
    for roles, email, name in people:
        live_portal.add_user(roles, email, name)
    for roles, email, name in people:
        sign_in(page, live_portal, email)
        expect(page.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()
        axe_check(page)
        admin_link = page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Audit log"
        )
        expect(admin_link).to_have_count(1 if roles == "admin" else 0)
        page.get_by_role("button", name="Sign out").click()
        axe_check(page)


def test_admin_changes_roles_and_reads_the_audit_log(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    live_portal.add_user("admin", "admin@example.test", "Ada Admin")
    live_portal.add_user("clinician", "cal@example.test", "Cal Clinician")
    sign_in(page, live_portal, "admin@example.test")
    axe_check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    axe_check(page)
    page.get_by_role("link", name="Cal Clinician").click()
    axe_check(page)
    page.get_by_label("Moderator").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="See this person's audit entries").click()
    expect(page.get_by_role("cell", name="Roles changed")).to_be_visible()
    axe_check(page)


def test_account_settings_and_crisis_page(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    live_portal.add_user("family", "fran@example.test", "Fran Family")
    sign_in(page, live_portal, "fran@example.test")
    axe_check(page)
    page.get_by_role("link", name="Account").click()
    axe_check(page)
    page.get_by_role("textbox", name="Your name").fill("Frances")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is saved.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("another good passphrase")
    page.get_by_label("New password again").fill("another good passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Other devices have been signed out")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_portal.url + "/")
    axe_check(page)
    expect(page.get_by_role("link", name="Need help now?")).to_be_in_viewport()


def test_a_clinician_sets_up_two_factor_and_signs_in_with_it(
    checked_page: Page, live_portal: LivePortal
):
    import pyotp

    from portal.db import utcnow

    page = checked_page
    live_portal.add_user("clinician", "cal@example.test", "Dr. Cal")
    sign_in(page, live_portal, "cal@example.test")
    axe_check(page)
    page.get_by_role("link", name="Account").click()
    axe_check(page)
    page.get_by_role("link", name="Set it up two-factor sign-in").click()
    axe_check(page)
    page.get_by_role("button", name="Set it up").click()
    axe_check(page)
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn it on").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="I saved them").click()
    axe_check(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    axe_check(page)
    sign_in(page, live_portal, "cal@example.test")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    axe_check(page)
    later = pyotp.TOTP(secret).at(utcnow().timestamp() + 30)
    page.get_by_label("Code from your authenticator app").fill(later)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Dr. Cal")).to_be_visible()
    axe_check(page)


def test_staff_overview_pages_are_accessible(checked_page: Page, live_portal: LivePortal):
    page = checked_page
    live_portal.add_user("admin clinician", "ada@example.test", "Ada")
    sign_in(page, live_portal, "ada@example.test")
    axe_check(page)
    for name in ("Overview", "Audit log", "People"):
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
        axe_check(page)
    page.goto(live_portal.url + "/admin/questions-health")
    axe_check(page)
    page.goto(live_portal.url + "/learn/family-wellbeing")
    axe_check(page)
    page.goto(live_portal.url + "/notifications")
    axe_check(page)
