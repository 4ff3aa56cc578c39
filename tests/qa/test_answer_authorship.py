"""An answer is edited only by the clinician who wrote it (or, once they have left, by another
clinician), and every edited answer says who edited it and when, with the earlier wording kept."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal import policy
from portal.auth.models import User
from portal.extensions import db
from portal.qa.models import Answer, AnswerRevision
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person
from tests.qa.test_questions import publish
from tests.qa.test_questions import world as world  # the shared fixture


@pytest.fixture
def answered(app, world, make_user):
    world.people["second_clinician"] = make_user(
        "clinician", email="second@world.test", name="Dr. Second"
    )
    qid = publish(app, world, "What helps on bad days?")
    submit(as_person(app, world, "clinician"), f"/answers/{qid}", {"body": "First wording."})
    with app.app_context():
        reply = db.session.scalars(select(Answer)).one()
        return SimpleNamespace(qid=qid, answer_id=reply.id, version=reply.version)


def edit(client, answered, body: str):
    url = f"/answers/edit/{answered.answer_id}"
    return submit(client, url, {"body": body, "version": str(answered.version)})


def test_another_clinician_cannot_rewrite_an_answer(app, world, answered):
    other = as_person(app, world, "second_clinician")
    assert other.get(f"/answers/edit/{answered.answer_id}").status_code == 403
    response = other.post(
        f"/answers/edit/{answered.answer_id}", data={"body": "Words put in her mouth"}
    )
    assert response.status_code in (400, 403)
    forged = submit(
        other,
        f"/qa/{answered.qid}",  # a page that gives the form token the edit page would not
        {"body": "Words put in her mouth", "version": str(answered.version)},
        action=f"/answers/edit/{answered.answer_id}",
    )
    assert forged.status_code == 403
    with app.app_context():
        assert db.session.get(Answer, answered.answer_id).body == "First wording."
        assert db.session.scalars(select(AnswerRevision)).all() == []
    page = other.get(f"/qa/{answered.qid}").get_data(as_text=True)
    assert f"/answers/edit/{answered.answer_id}" not in page


def test_the_author_edits_and_families_see_who_edited_and_when(app, world, answered):
    author = as_person(app, world, "clinician")
    assert f"/answers/edit/{answered.answer_id}" in author.get(f"/qa/{answered.qid}").get_data(
        as_text=True
    )
    assert edit(author, answered, "Second wording.").status_code == 302
    family_page = as_person(app, world, "full").get(f"/qa/{answered.qid}").get_data(as_text=True)
    assert "Second wording." in family_page
    with app.app_context():
        reply = db.session.get(Answer, answered.answer_id)
        name = db.session.get(User, world.people["clinician"].id).display_name
        assert reply.edited_by_id == world.people["clinician"].id
        assert [r.body for r in db.session.scalars(select(AnswerRevision))] == ["First wording."]
        day = reply.edited_at.strftime("%B %-d, %Y")
    assert f"Edited by {name}" in family_page
    assert day in family_page


def test_an_answer_whose_author_left_can_be_corrected_and_says_by_whom(app, world, answered):
    with app.app_context():
        db.session.get(User, world.people["clinician"].id).active = False
        db.session.commit()
    other = as_person(app, world, "second_clinician")
    assert edit(other, answered, "Corrected wording.").status_code == 302
    page = as_person(app, world, "full").get(f"/qa/{answered.qid}").get_data(as_text=True)
    assert "Edited by Dr. Second" in page


def test_policy_truth_table_for_editing_answers():
    author = SimpleNamespace(
        id=1, is_authenticated=True, active=True, has_role=lambda r: r == "clinician"
    )
    colleague = SimpleNamespace(
        id=2, is_authenticated=True, active=True, has_role=lambda r: r == "clinician"
    )
    moderator = SimpleNamespace(
        id=3, is_authenticated=True, active=True, has_role=lambda r: r == "moderator"
    )
    anonymous = SimpleNamespace(id=None, is_authenticated=False, has_role=lambda r: False)
    answer = SimpleNamespace(clinician_id=1, clinician=author)
    orphan = SimpleNamespace(clinician_id=None, clinician=None)
    gone = SimpleNamespace(clinician_id=1, clinician=SimpleNamespace(active=False))
    expected = [
        (author, answer, True),
        (colleague, answer, False),
        (moderator, answer, False),
        (anonymous, answer, False),
        (colleague, orphan, True),
        (colleague, gone, True),
        (moderator, orphan, False),
    ]
    for actor, reply, allowed in expected:
        assert policy.can_edit_answer(actor, reply) is allowed
