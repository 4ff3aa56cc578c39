"""Crisis words in a real browser, with the real detector: an attempt under way puts 911 first
on the next page, Spanish words bring the Spanish lines, and a private note shows the lines
without telling anyone. Axe checks every page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.goals.models import Encouragement, Goal
from portal.learning.sync import sync_course
from portal.notifications.models import SafetyAlert
from tests.e2e.conftest import LivePortal, axe_check, sign_in
from tests.e2e.test_board import build_circle

EMERGENCY_WORDS = "My partner has just swallowed a handful of pills"
SPANISH_TITLE = "Mi hijo dice que se quiere matar, que hago?"
PRIVATE_WORDS = "Some nights I want to die"


def alerts(portal: LivePortal) -> list[tuple[str, str]]:
    with portal.app.app_context():
        return [(a.source, a.level) for a in db.session.scalars(select(SafetyAlert))]


def first_things_after_the_skip_link(page: Page) -> dict[str, str]:
    """What a sighted reader sees first, and where the keyboard goes first after the skip
    link: the first visible element after it, and the control a second Tab reaches."""
    seen = page.evaluate(
        """() => {
          const skip = document.querySelector('body > .skip-link');
          let element = skip.nextElementSibling;
          while (element && !(element.offsetWidth || element.offsetHeight)) {
            element = element.nextElementSibling;
          }
          return {tag: element.tagName, cls: element.className, text: element.innerText};
        }"""
    )
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.className")
    page.keyboard.press("Tab")
    second = page.evaluate(
        "() => ({text: document.activeElement.innerText.trim(),"
        " href: document.activeElement.getAttribute('href') || ''})"
    )
    return {"first_focus": first, **{f"seen_{k}": v for k, v in seen.items()}, **second}


def test_a_relative_writes_that_pills_were_swallowed_and_911_comes_first(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    circle_id, _other = build_circle(live_portal)
    live_portal.add_user("moderator", "mo@example.test", "Mo")
    with live_portal.app.app_context():
        goal = Goal(circle_id=circle_id, title="A short walk most days")
        db.session.add(goal)
        db.session.commit()
        goal_id = goal.id

    sign_in(page, live_portal, "priya@example.test")
    page.goto(f"{live_portal.url}/goals/{goal_id}")
    axe_check(page)
    page.get_by_label("A short message").fill(EMERGENCY_WORDS)
    page.get_by_role("button", name="Send", exact=True).click()

    banner = page.locator(".crisis-now")
    expect(banner).to_be_visible()
    axe_check(page)
    call_911 = banner.get_by_role("link", name="Call 911 now")
    expect(call_911).to_have_attribute("href", "tel:911")
    expect(call_911).to_be_in_viewport()
    expect(banner).to_contain_text(
        "Stay with them. If they swallowed something, tell 911 what and how much."
    )
    expect(banner.get_by_role("link", name="Poison Help: 1-800-222-1222")).to_have_attribute(
        "href", "tel:+18002221222"
    )
    first = first_things_after_the_skip_link(page)
    assert first["first_focus"] == "skip-link"
    assert "crisis-now" in first["seen_cls"]
    assert first["seen_text"].startswith("Call 911 now")
    assert (first["text"], first["href"]) == ("Call 911 now", "tel:911")
    # Poison Help before 988, in the order the banner is read.
    text = banner.inner_text()
    assert text.index("Poison Help") < text.index("988")

    # The words were kept, and moderators have an emergency at the top of their queue.
    with live_portal.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Encouragement)) == 1
    assert alerts(live_portal) == [("board message", "emergency")]
    [mail] = live_portal.mail.mailbox.wait_for("mo@example.test")
    assert mail["Subject"].startswith("EMERGENCY: an attempt may be under way")
    mo = browser.new_context().new_page()
    sign_in(mo, live_portal, "mo@example.test")
    mo.goto(live_portal.url + "/moderation")
    first_alert = mo.locator("section[aria-labelledby=alerts-heading] li").first
    expect(first_alert).to_contain_text("EMERGENCY: an attempt may be under way")
    expect(first_alert).to_contain_text(EMERGENCY_WORDS)
    axe_check(mo)
    mo.context.close()


def test_a_spanish_question_shows_the_spanish_lines_on_its_review_step(
    checked_page: Page, live_portal: LivePortal
):
    page = checked_page
    with live_portal.app.app_context():
        sync_course()
        db.session.commit()
    live_portal.add_user("family", "rosa@example.test", "Rosa")
    live_portal.add_user("moderator", "mo@example.test", "Mo")
    sign_in(page, live_portal, "rosa@example.test")
    page.goto(live_portal.url + "/qa/ask")
    axe_check(page)
    page.get_by_label("Your question").fill(SPANISH_TITLE)
    page.get_by_role("button", name="Check my question").click()
    expect(page.get_by_role("heading", name="Before you send")).to_be_visible()
    axe_check(page)

    spanish = page.locator('.crisis-now [lang="es"]').first
    expect(spanish).to_be_visible()
    expect(spanish).to_contain_text(
        "Llame al 988 y marque 2 para español, o envíe AYUDA por mensaje de texto al 988"
    )
    expect(spanish).to_contain_text("Llame al 911 si alguien está en peligro inmediato")
    expect(
        spanish.get_by_role("link", name="envíe AYUDA por mensaje de texto al 988")
    ).to_have_attribute("href", "sms:988?body=AYUDA")

    page.get_by_role("button", name="Send my question").click()
    expect(page.locator('.crisis-now [lang="es"]').first).to_be_visible()
    axe_check(page)


def test_a_private_note_with_crisis_words_shows_the_lines_and_alerts_nobody(
    checked_page: Page, live_portal: LivePortal
):
    page = checked_page
    with live_portal.app.app_context():
        sync_course()
        db.session.commit()
    live_portal.add_user("family", "fran@example.test", "Fran")
    live_portal.add_user("moderator", "mo@example.test", "Mo")
    sign_in(page, live_portal, "fran@example.test")
    page.goto(live_portal.url + "/learn/broken-leg/broken-leg-your-expectations")
    axe_check(page)
    notes = page.get_by_role("textbox", name="Your private notes")
    expect(page.get_by_text("No one reads these notes.")).to_contain_text(
        "If you or someone might be in danger, call or text 988 now, or call 911."
    )
    notes.fill(PRIVATE_WORDS)
    page.get_by_role("button", name="Save my notes and continue").click()

    banner = page.locator(".crisis-now")
    expect(banner).to_be_visible()
    axe_check(page)
    expect(banner.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    expect(banner).to_contain_text("No one else reads these notes, so no one has been told")
    assert alerts(live_portal) == []
    assert live_portal.mail.mailbox.messages == []
