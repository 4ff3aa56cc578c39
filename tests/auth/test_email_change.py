"""Changing the sign-in email takes a link sent to the new address."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, submit


def link_in(mailbox, address):
    [message] = mailbox.to(address)
    match = re.search(r"http://localhost(/account/email-address/\S+)", mailbox.text_of(message))
    assert match
    return match.group(1)


def test_the_email_changes_only_once_the_new_address_confirms(app, family, mailbox):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    sent = submit(
        client, "/account/email-address", {"new_email": "New@Example.test", "password": PASSWORD}
    )
    assert sent.status_code == 302
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 302  # not yet
    link = link_in(mailbox, "new@example.test")
    assert client.get(link).status_code == 302
    assert sign_in(app.test_client(), "new@example.test", PASSWORD).status_code == 302
    assert sign_in(app.test_client(), family.email, PASSWORD).status_code == 401
    assert mailbox.to(family.email), "the old address is told"
    assert client.get(link).status_code == 404  # the link worked once


def test_wrong_password_or_a_taken_address_changes_nothing(app, family, clinician, mailbox):
    client = app.test_client()
    sign_in(client, family.email, PASSWORD)
    wrong = submit(
        client,
        "/account/email-address",
        {"new_email": "x@example.test", "password": "not my password"},
    )
    assert wrong.status_code == 422
    taken = submit(
        client, "/account/email-address", {"new_email": clinician.email, "password": PASSWORD}
    )
    assert taken.status_code == 422
    assert mailbox.messages == []
