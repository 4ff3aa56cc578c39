"""Asking, moderating, answering and finding questions, and what each person may see."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.notifications.models import Notification
from portal.qa.models import Observation, Question
from tests.fixtures.forms import submit
from tests.fixtures.world import as_person, course_world


@pytest.fixture
def world(app, make_user):
    return course_world(app, make_user)


def ask(client, title, body="", sharing="shared", anonymous="y", **extra):
    data = {"title": title, "body": body, "sharing": sharing, "action": "send", **extra}
    if anonymous:
        data["anonymous"] = anonymous
    return submit(client, "/qa/ask", data)


def question_id(app, title):
    with app.app_context():
        return db.session.scalars(select(Question.id).where(Question.title == title)).one()


def moderate(app, world, qid, action, **data):
    moderator = as_person(app, world, "moderator")
    with app.app_context():
        version = db.session.get(Question, qid).version
    prefix = {"edit": "edit-", "return": "return-", "duplicate": "dup-"}.get(action, "")
    payload = {f"{prefix}{k}": v for k, v in data.items()}
    payload[f"{prefix}version" if prefix else "version"] = str(version)
    return submit(moderator, f"/moderation/{qid}", payload, action=f"/moderation/{qid}/{action}")


def publish(app, world, title, asker="full", body="Some details."):
    ask(as_person(app, world, asker), title, body)
    qid = question_id(app, title)
    assert moderate(app, world, qid, "approve").status_code == 302
    return qid


def test_review_step_shows_similar_questions_details_and_timing(app, world):
    publish(app, world, "How do I talk about sleep problems?")
    client = as_person(app, world, "board_only")
    review = submit(
        client,
        "/qa/ask",
        {
            "title": "Sleep is hard for my son Jake",
            "body": "Call me on 555-123-4567",
            "sharing": "shared",
            "action": "review",
        },
    )
    page = review.get_data(as_text=True)
    assert "Questions like yours" in page
    assert "How do I talk about sleep problems?" in page
    assert "possible name: </span>Jake</mark>" in page
    assert "possible phone number: </span>555-123-4567</mark>" in page
    with app.app_context():
        assert (
            db.session.scalars(
                select(Question).where(Question.title.like("Sleep is hard%"))
            ).first()
            is None
        )  # nothing saved yet


def test_nothing_is_published_without_review(app, world):
    asker = as_person(app, world, "full")
    assert ask(asker, "Is it normal to feel tired after treatment?").status_code == 302
    qid = question_id(app, "Is it normal to feel tired after treatment?")
    assert "Waiting for review" in asker.get("/qa/mine").get_data(as_text=True)
    other = as_person(app, world, "other_member")
    assert other.get(f"/qa/{qid}").status_code == 404
    assert "normal to feel tired" not in other.get("/qa?q=tired").get_data(as_text=True)
    assert as_person(app, world, "clinician").get(f"/qa/{qid}").status_code == 404
    assert as_person(app, world, "moderator").get(f"/moderation/{qid}").status_code == 200

    assert moderate(app, world, qid, "approve").status_code == 302
    found = other.get("/qa?q=tired treatment").get_data(as_text=True)
    assert "Is it normal to feel tired after treatment?" in found
    assert "Asked by a family member" in other.get(f"/qa/{qid}").get_data(as_text=True)
    clinician_view = as_person(app, world, "clinician").get(f"/qa/{qid}").get_data(as_text=True)
    assert "a family member (Brother or sister)" in clinician_view
    assert "Full" not in clinician_view.split("<main")[1]
    moderator_view = as_person(app, world, "moderator").get(f"/qa/{qid}").get_data(as_text=True)
    assert "Asked by Full" in moderator_view
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"qa.asked", "moderation.approved"} <= actions


def test_moderator_edits_out_details_and_keeps_the_original(app, world):
    ask(as_person(app, world, "full"), "My son Jake at Mercy Hospital cannot sleep")
    qid = question_id(app, "My son Jake at Mercy Hospital cannot sleep")
    edited = moderate(app, world, qid, "edit", title="My son cannot sleep", body="")
    assert edited.status_code == 302
    review = as_person(app, world, "moderator").get(f"/moderation/{qid}").get_data(as_text=True)
    assert "Original wording (moderators only)" in review
    assert "Jake at Mercy Hospital" in review
    moderate(app, world, qid, "approve")
    public = as_person(app, world, "other_member").get(f"/qa/{qid}").get_data(as_text=True)
    assert "Jake" not in public
    assert "edited it to protect privacy" in as_person(app, world, "full").get("/qa/mine").get_data(
        as_text=True
    )


def test_return_duplicate_and_private_routes(app, world):
    original = publish(app, world, "What does the cast stage mean?")
    asker = as_person(app, world, "board_only")
    ask(asker, "What should I say about the cast?")
    ask(asker, "Is the cast stage six weeks?")
    ask(asker, "Can I ask about my husband's dose?")
    first, second, third = (
        question_id(app, t)
        for t in (
            "What should I say about the cast?",
            "Is the cast stage six weeks?",
            "Can I ask about my husband's dose?",
        )
    )
    moderate(app, world, first, "return", reason="unclear", note="Could you add a little more?")
    moderate(app, world, second, "duplicate", original=str(original))
    moderate(app, world, third, "private")
    mine = asker.get("/qa/mine").get_data(as_text=True)
    assert "We could not understand the question. Could you add a little more?" in mine
    assert f'href="/qa/{original}"' in mine
    assert "With the care team" in mine
    assert as_person(app, world, "moderator").get(f"/qa/{third}").status_code == 404
    queue = as_person(app, world, "clinician").get("/answers").get_data(as_text=True)
    assert "Can I ask about my husband&#39;s dose?" in queue


def test_crisis_question_goes_first_with_resources_and_an_email(app, world, mailbox):
    ask(as_person(app, world, "full"), "An ordinary question about routines")
    asker = as_person(app, world, "board_only")
    response = ask(asker, "My son said he wants to end it all, what do I do?")
    page = asker.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index('class="crisis-now"') < page.index('class="site-header"')
    [message] = mailbox.to(world.people["moderator"].email)
    assert "Urgent" in message["Subject"]
    assert "end it all" not in mailbox.text_of(message)
    queue = as_person(app, world, "moderator").get("/moderation").get_data(as_text=True)
    assert queue.index("wants to end it all") < queue.index("ordinary question")
    urgent_item = next(li for li in queue.split("<li")[1:] if "wants to end it all" in li)
    assert 'class="urgent-label">Urgent' in urgent_item


def test_answers_notify_the_asker_and_followers(app, world):
    qid = publish(app, world, "How long does recovery take?")
    follower = as_person(app, world, "other_member")
    submit(follower, f"/qa/{qid}", {}, action=f"/qa/{qid}/follow")
    submit(follower, f"/qa/{qid}", {}, action=f"/qa/{qid}/me_too")
    clinician = as_person(app, world, "clinician")
    assert "1 “me too”" in clinician.get("/answers").get_data(as_text=True)
    answered = submit(clinician, f"/answers/{qid}", {"body": "Usually **months**, not weeks."})
    assert answered.status_code == 302
    page = follower.get(f"/qa/{qid}").get_data(as_text=True)
    assert "<strong>months</strong>" in page
    assert "This is general information, not medical advice." in page
    with app.app_context():
        told = set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.kind == "question_answered")
            )
        )
    assert told == {world.people["full"].id, world.people["other_member"].id}
    header = follower.get("/").get_data(as_text=True)
    assert re.search(r"Notifications <span class=\"badge\">\d+", header)


def test_answer_edits_keep_revisions_and_detect_conflicts(app, world):
    qid = publish(app, world, "What helps on bad days?")
    clinician = as_person(app, world, "clinician")
    submit(clinician, f"/answers/{qid}", {"body": "First wording."})
    with app.app_context():
        from portal.qa.models import Answer

        reply = db.session.scalars(select(Answer)).one()
        answer_id, version = reply.id, reply.version
    url = f"/answers/edit/{answer_id}"
    assert (
        submit(clinician, url, {"body": "Second wording.", "version": str(version)}).status_code
        == 302
    )
    stale = submit(clinician, url, {"body": "Third wording.", "version": str(version)})
    assert stale.status_code == 409
    assert "Third wording." in stale.get_data(as_text=True)
    page = clinician.get(url).get_data(as_text=True)
    assert "Earlier wording" in page
    assert "First wording." in page


def test_three_flags_hide_until_reviewed(app, world):
    qid = publish(app, world, "Where can families find support groups?")
    for name in ("board_only", "timeline_only", "course_only"):
        submit(
            as_person(app, world, name),
            f"/qa/{qid}",
            {"flag-reason": "Feels off"},
            action=f"/qa/{qid}/flag",
        )
    assert as_person(app, world, "other_member").get(f"/qa/{qid}").status_code == 404
    queue = as_person(app, world, "moderator").get("/moderation").get_data(as_text=True)
    assert "Where can families find support groups?" in queue
    moderate(app, world, qid, "approve")
    assert as_person(app, world, "other_member").get(f"/qa/{qid}").status_code == 200


@pytest.mark.parametrize(
    "term", ["' OR 1=1 --", 'NEAR("a" "b")', "sleep*", '"', "a b c d e f g h i j"]
)
def test_search_accepts_anything_typed(app, world, term):
    publish(app, world, "Sleep after treatment days")
    response = as_person(app, world, "full").get("/qa", query_string={"q": term})
    assert response.status_code == 200


def test_search_filters_and_ranking(app, world):
    publish(app, world, "Sleep and routine", body="Routine helps sleep.")
    publish(app, world, "Talking about work", body="Sleep comes up too.")
    client = as_person(app, world, "full")
    page = client.get("/qa?q=sleep").get_data(as_text=True)
    assert page.index("Sleep and routine") < page.index("Talking about work")
    assert "Talking about work" not in client.get("/qa?q=routine").get_data(as_text=True)
    assert "Sleep and routine" in client.get("/qa?answered=no").get_data(as_text=True)
    assert "Sleep and routine" not in client.get("/qa?answered=yes").get_data(as_text=True)


def test_observations_channel(app, world):
    url = f"/circles/{world.circles['a']}/noticed"
    member = as_person(app, world, "full")
    assert member.get(url).status_code == 403
    patient = as_person(app, world, "patient")
    submit(patient, "/circle", {"enabled": "y"}, action="/circle/observations")
    assert submit(member, url, {"sleep": "less", "note": "Up most of the night"}).status_code == 302
    assert "Notes sent to your care team" in patient.get("/circle").get_data(as_text=True)
    assert "Up most of the night" not in patient.get("/circle").get_data(as_text=True)
    assert "Up most of the night" in as_person(app, world, "clinician").get("/answers").get_data(
        as_text=True
    )
    assert as_person(app, world, "other_member").get(url).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Observation)).one().sleep == "less"


def test_queue_health_for_admins(app, world):
    qid = publish(app, world, "A question to answer")
    submit(as_person(app, world, "clinician"), f"/answers/{qid}", {"body": "An answer."})
    page = as_person(app, world, "admin").get("/admin/questions-health").get_data(as_text=True)
    assert "Median time to a first answer" in page
    assert " hours" in page
    assert as_person(app, world, "clinician").get("/admin/questions-health").status_code == 403


def test_module_pages_show_related_answered_questions(app, world):
    asker = as_person(app, world, "full")
    ask(asker, "Why does he still seem tired after good days?", topics="fast-relief")
    qid = question_id(app, "Why does he still seem tired after good days?")
    moderate(app, world, qid, "approve")
    page = asker.get("/learn/fast-relief").get_data(as_text=True)
    assert "Why does he still seem tired" not in page  # not answered yet
    clinician = as_person(app, world, "clinician")
    submit(clinician, f"/answers/{qid}", {"body": "Energy comes back slowly."})
    assert "Why does he still seem tired" in asker.get("/learn/fast-relief").get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "shared", "viewers"),
    [
        ("pending", True, {"asker", "moderator"}),
        ("returned", True, {"asker", "moderator"}),
        ("hidden", True, {"asker", "moderator"}),
        ("private_pending", False, {"asker", "clinician"}),
        (
            "published",
            True,
            {"asker", "moderator", "clinician", "admin", "other_member", "patient"},
        ),
    ],
)
def test_who_sees_a_question_in_each_state(app, world, status, shared, viewers):
    with app.app_context():
        question = Question(
            asker_id=world.people["full"].id, title="Visibility check", status=status, shared=shared
        )
        db.session.add(question)
        db.session.commit()
        qid = question.id
    names = {
        "asker": "full",
        "moderator": "moderator",
        "clinician": "clinician",
        "admin": "admin",
        "other_member": "other_member",
        "patient": "patient",
    }
    for role, name in names.items():
        expected = 200 if role in viewers else 404
        assert as_person(app, world, name).get(f"/qa/{qid}").status_code == expected, role


def test_answer_queue_comes_in_pages_most_pressing_first(app, world):
    from portal.db import utcnow

    with app.app_context():
        now = utcnow()
        for n in range(30):
            db.session.add(
                Question(
                    asker_id=world.people["full"].id,
                    title=f"Waiting question {n:02d}",
                    status="published",
                    urgent=n == 29,
                    me_too_count=n % 3,
                    published_at=now,
                )
            )
        db.session.commit()
    clinician = as_person(app, world, "clinician")
    first = clinician.get("/answers").get_data(as_text=True)
    titles = re.findall(r"Waiting question \d\d", first)
    assert len(titles) == 25
    assert titles[0] == "Waiting question 29"  # urgent first, whatever else
    assert 'href="/answers?page=2"' in first
    second = clinician.get("/answers?page=2").get_data(as_text=True)
    rest = re.findall(r"Waiting question \d\d", second)
    assert len(rest) == 5
    assert set(titles).isdisjoint(rest)
    assert 'href="/answers?page=1"' in second
    assert "Next questions" not in second
    assert clinician.get("/answers?page=9").status_code == 200
    assert as_person(app, world, "full").get("/answers").status_code == 403


def test_search_wants_every_word_and_says_when_it_settles_for_some(app, world):
    publish(app, world, "Sleep and routine", body="Routine helps sleep.")
    publish(app, world, "Sleep after the infusion", body="He sleeps all afternoon.")
    client = as_person(app, world, "full")
    both = client.get("/qa?q=sleep+routine").get_data(as_text=True)
    assert "Sleep and routine" in both
    assert "Sleep after the infusion" not in both  # has "sleep" but not "routine"
    assert "No question has all of these words" not in both
    some = client.get("/qa?q=routine+holidays").get_data(as_text=True)
    assert "Sleep and routine" in some
    assert "No question has all of these words" in some


def test_moderation_queue_comes_in_pages_urgent_first(app, world):
    from portal.db import utcnow

    with app.app_context():
        for n in range(27):
            db.session.add(
                Question(
                    asker_id=world.people["full"].id,
                    title=f"Pending question {n:02d}",
                    status="pending",
                    urgent=n == 26,
                    created_at=utcnow(),
                )
            )
        db.session.commit()
    moderator = as_person(app, world, "moderator")
    first = moderator.get("/moderation").get_data(as_text=True)
    titles = re.findall(r"Pending question \d\d", first)
    assert len(titles) == 25
    assert titles[0] == "Pending question 26"
    second = moderator.get("/moderation?page=2").get_data(as_text=True)
    rest = re.findall(r"Pending question \d\d", second)
    assert len(rest) == 2
    assert set(titles).isdisjoint(rest)


def test_moderators_see_each_askers_history(app, world):
    earlier = publish(app, world, "Is it normal to feel tired after a session?")
    for name in ("board_only", "timeline_only"):
        submit(
            as_person(app, world, name),
            f"/qa/{earlier}",
            {"flag-reason": "Feels off"},
            action=f"/qa/{earlier}/flag",
        )
    ask(as_person(app, world, "full"), "How do we talk about the next appointment?")
    ask(as_person(app, world, "course_only"), "What does the first week look like?")
    moderator = as_person(app, world, "moderator")
    queue = moderator.get("/moderation").get_data(as_text=True)

    def entry(title: str) -> str:
        found = re.search(rf"{re.escape(title)}</a></h3>\s*<p[^>]*>(.*?)</p>", queue, re.S)
        assert found, f"{title!r} is not in the queue"
        return found.group(1)

    assert "1 earlier · 2 flags" in entry("How do we talk about the next appointment?")
    assert "first question" in entry("What does the first week look like?")
    assert "flags" not in entry("What does the first week look like?")
    returning = question_id(app, "How do we talk about the next appointment?")
    review = moderator.get(f"/moderation/{returning}").get_data(as_text=True)
    assert "2 flags on their questions" in review
    assert "first question" not in review
    newcomer = question_id(app, "What does the first week look like?")
    review = moderator.get(f"/moderation/{newcomer}").get_data(as_text=True)
    assert "first question" in review
