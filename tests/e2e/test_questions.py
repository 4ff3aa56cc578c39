"""Questions in a real browser: ask, moderate, answer, notify, find; crisis first; axe."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.learning.sync import sync_course
from tests.e2e.conftest import LivePortal, axe_check, sign_in


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    axe_check(page)


def test_a_question_from_asking_to_finding_the_answer(
    checked_page: Page, live_portal: LivePortal, browser: Browser
):
    page = checked_page
    with live_portal.app.app_context():
        sync_course()
        db.session.commit()
    live_portal.add_user("family", "fran@example.test", "Fran")
    live_portal.add_user("family", "gus@example.test", "Gus")
    live_portal.add_user("moderator", "mo@example.test", "Mo")
    clinician = live_portal.add_user("clinician", "cal@example.test", "Dr. Cal")
    with live_portal.app.app_context():
        from portal.auth.models import User

        db.session.get(User, clinician.id).credentials = "MD"
        db.session.commit()

    # An earlier published question, so "similar questions" has something to show.
    fran = page
    sign_in(fran, live_portal, "fran@example.test")
    nav(fran, "Questions")
    fran.get_by_role("link", name="Ask a question").click()
    axe_check(fran)
    fran.get_by_label("Your question").fill("How can I help with sleep after treatment?")
    fran.get_by_role("button", name="Check my question").click()
    axe_check(fran)
    fran.get_by_role("button", name="Send my question").click()
    expect(fran.get_by_text("Your question is with a moderator")).to_be_visible()
    axe_check(fran)

    mo = browser.new_context().new_page()
    sign_in(mo, live_portal, "mo@example.test")
    nav(mo, "Moderation")
    mo.get_by_role("link", name="How can I help with sleep after treatment?").click()
    axe_check(mo)
    mo.get_by_role("button", name="Approve and publish").click()
    expect(mo.get_by_text("Published.")).to_be_visible()
    axe_check(mo)

    # Gus asks anonymously, sees the similar question while typing, and names his son.
    gus = browser.new_context().new_page()
    sign_in(gus, live_portal, "gus@example.test")
    gus.goto(live_portal.url + "/qa/ask")
    axe_check(gus)
    gus.get_by_label("Your question").fill("Sleep is hard for my son Jake")
    expect(
        gus.get_by_role("link", name="How can I help with sleep after treatment?")
    ).to_be_visible()
    axe_check(gus)
    gus.get_by_role("button", name="Check my question").click()
    expect(gus.locator("mark", has_text="Jake")).to_be_visible()
    axe_check(gus)
    gus.get_by_role("button", name="Send my question").click()
    axe_check(gus)

    # The moderator edits the name out and approves.
    mo.goto(live_portal.url + "/moderation")
    axe_check(mo)
    mo.get_by_role("link", name="Sleep is hard for my son Jake").click()
    axe_check(mo)
    mo.get_by_label("Question", exact=True).fill("Sleep is hard for my son")
    mo.get_by_role("button", name="Save edit").click()
    axe_check(mo)
    mo.get_by_role("link", name="Sleep is hard for my son").click()
    axe_check(mo)
    mo.get_by_role("button", name="Approve and publish").click()
    axe_check(mo)

    # The clinician answers; Gus is notified and reads it.
    cal = browser.new_context().new_page()
    sign_in(cal, live_portal, "cal@example.test")
    nav(cal, "Answer")
    cal.get_by_role("link", name="Sleep is hard for my son").click()
    axe_check(cal)
    cal.get_by_label("Your answer").fill("A steady wind-down routine helps. Keep it **gentle**.")
    cal.get_by_role("button", name="Publish answer").click()
    expect(cal.get_by_text("Dr. Cal, MD")).to_be_visible()
    axe_check(cal)

    gus.goto(live_portal.url + "/")
    axe_check(gus)
    nav(gus, "Notifications 3 unread")
    gus.get_by_role("button", name="A clinician answered: Sleep is hard for my son").click()
    expect(gus.get_by_text("Keep it gentle.")).to_be_visible()
    expect(gus.get_by_text("Asked by a family member")).to_be_visible()
    axe_check(gus)

    # Fran finds it by searching.
    fran.goto(live_portal.url + "/qa")
    axe_check(fran)
    fran.get_by_role("searchbox", name="Search").fill("sleep son")
    fran.get_by_role("button", name="Search").click()
    expect(fran.get_by_role("link", name="Sleep is hard for my son")).to_be_visible()
    axe_check(fran)
    fran.get_by_role("link", name="Sleep is hard for my son").click()
    expect(fran.get_by_text("This is general information, not medical advice.")).to_be_visible()
    expect(fran.get_by_text("Jake")).to_have_count(0)
    axe_check(fran)

    # A question with crisis language: resources at once, top of the queue, moderators emailed.
    fran.goto(live_portal.url + "/qa/ask")
    axe_check(fran)
    fran.get_by_label("Your question").fill("My brother says he wants to kill himself")
    fran.get_by_role("button", name="Check my question").click()
    expect(fran.get_by_role("alert")).to_contain_text("reach out now")
    axe_check(fran)
    fran.get_by_role("button", name="Send my question").click()
    expect(fran.locator(".crisis-now")).to_be_visible()
    axe_check(fran)
    mo.goto(live_portal.url + "/moderation")
    first = mo.locator(".question-list > li").first
    expect(first).to_contain_text("My brother says he wants to kill himself")
    expect(first).to_contain_text("Urgent")
    axe_check(mo)
    assert live_portal.mail.mailbox.wait_for("mo@example.test"), "moderators are emailed at once"
    for other in (mo, gus, cal):
        other.context.close()
