"""Files publish the course; clinicians edit it with revisions, preview, publish and revert."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.learning.content import CONTENT_DIR
from portal.learning.models import ModuleStep, StepProgress, StepRevision
from portal.learning.sync import sync_course
from tests.conftest import PASSWORD
from tests.fixtures.forms import sign_in, submit

STEP = "broken-leg-the-picture"


def copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def step_file(root: Path, slug: str) -> Path:
    return next(p for p in root.glob("*/steps/*.md") if f"id: {slug}\n" in p.read_text())


def the_step(slug: str = STEP) -> ModuleStep:
    step = db.session.scalars(select(ModuleStep).where(ModuleStep.slug == slug)).one()
    return step


def test_sync_is_idempotent_and_versions_changed_files(app, tmp_path, make_user):
    root = copy_content(tmp_path)
    reader = make_user("family")
    with app.app_context():
        first = sync_course(root)
        assert first.created >= 27
        assert sync_course(root).unchanged == first.created
        step = the_step()
        db.session.add(StepProgress(user_id=reader.id, step_id=step.id))
        db.session.commit()
        version = step.version

    path = step_file(root, STEP)
    path.write_text(path.read_text().replace("\n---\n", "\n---\nA new first line.\n\n", 1))
    with app.app_context():
        report = sync_course(root)
        assert report.updated == 1
        step = the_step()
        assert step.version == version + 1
        assert step.body.startswith("A new first line.")
        assert db.session.scalars(select(StepProgress)).one().step_id == step.id  # kept
        db.session.commit()

    path.unlink()
    with app.app_context():
        assert sync_course(root).retired == 1
        assert the_step().retired is True
        assert db.session.scalars(select(StepProgress)).one() is not None
        db.session.commit()


def test_a_renumbered_file_keeps_progress_by_id(app, tmp_path, make_user):
    root = copy_content(tmp_path)
    with app.app_context():
        sync_course(root)
        db.session.commit()
        step_id = the_step().id
    path = step_file(root, STEP)
    path.rename(path.with_name("09-renamed.md"))
    with app.app_context():
        sync_course(root)
        step = the_step()
        assert step.id == step_id
        assert step.position == len(step.module.steps)


def clinician_client(app, clinician):
    client = app.test_client()
    assert sign_in(client, clinician.email, PASSWORD).status_code == 302
    return client


def edit(client, step_id, **changes):
    page = client.get(f"/learn/manage/steps/{step_id}")
    assert page.status_code == 200
    base = re.search(
        r'name="base_revision" type="hidden" value="(\d+)"', page.get_data(as_text=True)
    )
    assert base
    data = {
        "title": "The picture in one minute",
        "body": "New text.",
        "action": "save",
        "base_revision": base.group(1),
        **changes,
    }
    return submit(client, f"/learn/manage/steps/{step_id}", data)


def test_clinician_previews_saves_publishes_and_reverts(app, clinician, family):
    with app.app_context():
        sync_course()
        db.session.commit()
        step_id = the_step().id
    client = clinician_client(app, clinician)
    reader = app.test_client()
    sign_in(reader, family.email, PASSWORD)
    url = "/learn/broken-leg/" + STEP
    original = reader.get(url).get_data(as_text=True)

    preview = edit(client, step_id, body="**Previewed** text", action="preview")
    assert preview.status_code == 200
    assert "<strong>Previewed</strong>" in preview.get_data(as_text=True)

    assert edit(client, step_id, body="A draft nobody sees yet.").status_code == 302
    assert "A draft nobody sees yet." not in reader.get(url).get_data(as_text=True)

    assert edit(client, step_id, body="Published words.", publish_now="y").status_code == 302
    assert "Published words." in reader.get(url).get_data(as_text=True)

    with app.app_context():
        revisions = db.session.scalars(
            select(StepRevision)
            .where(StepRevision.step_id == step_id)
            .order_by(StepRevision.number)
        ).all()
        assert [r.note for r in revisions] == [
            "Loaded from the course files",
            "Edited in the portal",
            "Edited in the portal",
        ]
        first_id = revisions[0].id
        third_id = revisions[2].id
    diff = client.get(f"/learn/manage/steps/{step_id}/revisions/{third_id}").get_data(as_text=True)
    assert "Added: </span>Published words." in diff
    assert "Removed: </span>A draft nobody sees yet." in diff

    reverted = submit(
        client,
        f"/learn/manage/steps/{step_id}/revisions/{first_id}",
        {"mode": "revert"},
        action=f"/learn/manage/steps/{step_id}/revisions/{first_id}/publish",
    )
    assert reverted.status_code == 302
    back = reader.get(url).get_data(as_text=True)
    assert "Published words." not in back
    assert back.count("<p>") == original.count("<p>")
    with app.app_context():
        assert the_step().published_revision_id != first_id  # a new revision, history kept
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"course.step_saved", "course.step_published"} <= actions


def test_a_clinicians_edit_survives_a_sync_of_unchanged_files(app, clinician):
    with app.app_context():
        sync_course()
        db.session.commit()
        step_id = the_step().id
    client = clinician_client(app, clinician)
    edit(client, step_id, body="Clinician wording.", publish_now="y")
    with app.app_context():
        sync_course()
        db.session.commit()
        assert the_step().body == "Clinician wording."


def test_a_stale_edit_is_a_conflict(app, clinician, make_user):
    with app.app_context():
        sync_course()
        db.session.commit()
        step_id = the_step().id
    first = clinician_client(app, clinician)
    second = clinician_client(app, make_user("clinician"))
    page = second.get(f"/learn/manage/steps/{step_id}").get_data(as_text=True)
    edit(first, step_id, body="First clinician.", publish_now="y")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    base = re.search(r'name="base_revision" type="hidden" value="(\d+)"', page)
    assert token
    assert base
    response = second.post(
        f"/learn/manage/steps/{step_id}",
        data={
            "csrf_token": token.group(1),
            "base_revision": base.group(1),
            "title": "T",
            "body": "Second clinician.",
            "publish_now": "y",
            "action": "save",
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Someone published a change" in text
    assert "Second clinician." in text
    with app.app_context():
        assert the_step().body == "First clinician."


def test_a_check_edit_needs_exactly_one_correct_answer(app, clinician):
    with app.app_context():
        sync_course()
        db.session.commit()
        check = db.session.scalars(select(ModuleStep).where(ModuleStep.kind == "check")).first()
        step_id, body = check.id, check.body
    client = clinician_client(app, clinician)
    response = edit(
        client,
        step_id,
        question="Q?",
        option_1_text="A",
        option_1_explanation="x",
        option_2_text="B",
        option_2_explanation="y",
        publish_now="y",
    )
    assert response.status_code == 422
    assert "exactly one answer as correct" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ModuleStep, step_id).body == body


def test_only_clinicians_edit(app, moderator, family):
    for person in (moderator, family):
        client = app.test_client()
        sign_in(client, person.email, PASSWORD)
        assert client.get("/learn/manage").status_code == 403
