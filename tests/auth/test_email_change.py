"""Changing the sign-in email takes a link sent to the new address, confirmed with a button.

The outside test found: the form told anyone signed in whether an address had an account, with
no limit, and mailed unknown addresses a greeting in a name the prober chose; the link changed
the address on a GET; other sessions and reset links mailed to the old address survived.
"""

from __future__ import annotations

import re

from tests.conftest import PASSWORD
from tests.fixtures.forms import csrf_token, sign_in, submit


def link_in(mailbox, address):
    [message] = mailbox.to(address)
    match = re.search(r"http://localhost(/account/email-address/\S+)", mailbox.text_of(message))
    assert match
    return match.group(1)


def ask(client, new_email, password=PASSWORD):
    return submit(client, "/account/email-address", {"new_email": new_email, "password": password})


def test_the_email_changes_only_once_the_new_address_confirms_with_a_button(app, family, mailbox):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    assert ask(client, "New@Example.test").status_code == 302
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 302  # not yet
    link = link_in(mailbox, "new@example.test")
    assert family.display_name not in mailbox.text_of(mailbox.to("new@example.test")[0])
    # Opening the link (as a mail scanner or a link preview would) changes nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Use this email address" in page.get_data(as_text=True)
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 302
    assert submit(client, link, {}).status_code == 302
    assert sign_in(app.test_client(), "new@example.test", PASSWORD).status_code == 302
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 401
    assert mailbox.to(family.email), "the old address is told"
    assert client.get(link).status_code == 404  # the link worked once


def test_confirming_ends_other_sessions_and_old_reset_links(app, family, mailbox):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, family.email, PASSWORD)
    sign_in(phone, family.email, PASSWORD)
    submit(app.test_client(), "/forgot-password", {"email": family.email})
    [reset] = mailbox.to(family.email)
    reset_path = re.search(r"http://localhost(/reset-password/\S+)", mailbox.text_of(reset))
    assert app.test_client().get(reset_path.group(1)).status_code == 200  # works before
    ask(laptop, "moved@example.test")
    submit(laptop, link_in(mailbox, "moved@example.test"), {})
    assert laptop.get("/account").status_code == 200  # the session that confirmed stays
    assert phone.get("/account").status_code == 302  # every other one is signed out
    assert app.test_client().get(reset_path.group(1)).status_code == 404


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(
    app, family, clinician, mailbox
):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    taken = ask(client, clinician.email)
    free = ask(client, "free@example.test")
    assert taken.status_code == free.status_code == 302
    assert client.get(taken.location).get_data(as_text=True).count("If that address can be used")
    [notice] = mailbox.to(clinician.email)
    text = mailbox.text_of(notice)
    assert "nothing was changed" in text
    assert family.display_name not in text
    assert "/account/email-address/" not in text
    assert sign_in(app.test_client(), clinician.email, PASSWORD).status_code == 302


def test_a_wrong_password_changes_nothing_and_sends_nothing(app, family, mailbox):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    wrong = ask(client, "x@example.test", "not my password")
    assert wrong.status_code == 422
    assert mailbox.messages == []


def test_email_change_is_limited_per_account_and_per_address(app, family, patient, mailbox):
    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    answers = [ask(client, f"probe{n}@example.test").status_code for n in range(6)]
    assert answers[:5] == [302] * 5
    assert answers[5] == 429
    other = app.test_client()
    sign_in(other, patient.email, PASSWORD)
    token = csrf_token(other.get("/account/email-address").get_data(as_text=True))
    statuses = [
        other.post(
            "/account/email-address",
            data={"csrf_token": token, "new_email": "probe0@example.test", "password": PASSWORD},
        ).status_code
        for _ in range(3)
    ]
    assert statuses[-1] == 429, statuses  # probe0 was asked for once already, by family
