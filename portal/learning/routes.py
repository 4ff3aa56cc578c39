"""The course for readers (/learn), the patient's timeline, check-ins, and clinicians' editing."""

from __future__ import annotations

import difflib
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal import policy
from portal.auth import sessions
from portal.auth.models import User
from portal.circles import queries as circle_queries
from portal.circles.context import circle_nav, viewable_circle_or_404
from portal.circles.services import log_access
from portal.core import access
from portal.core.crisis_notice import flash_notice
from portal.core.forms import ConfirmForm
from portal.core.safety import SafetyCheck, check_text
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.learning import queries, services
from portal.learning.forms import (
    MAX_OPTIONS,
    CheckForm,
    CheckInForm,
    ReflectionForm,
    ShareProgressForm,
    StepEditForm,
    TimelineForm,
)
from portal.learning.models import (
    CourseModule,
    ModuleStep,
    RecoveryTimeline,
    StepKind,
    StepRevision,
)
from portal.learning.pacing import modules_for, recovery_moment

bp = Blueprint("learning", __name__)


def _reader_timeline() -> RecoveryTimeline | None:
    """The timeline of the circle the reader is looking at (pacing follows that patient)."""
    current = circle_nav().current
    return queries.timeline_for(current.circle_id) if current else None


@bp.get("/learn")
@access.signed_in
def course_map() -> ResponseReturnValue:
    person = sessions.current_person()
    modules = queries.published_modules()
    progress = queries.progress_by_step(person)
    timeline = _reader_timeline()
    joined = as_utc(person.created_at)
    week_of_course = (utcnow() - joined).days // 7 + 1
    done = {
        module.id: sum(
            1
            for step in module.steps
            if step.id in progress and progress[step.id].completed_at is not None
        )
        for module in modules
    }
    return render_template(
        "learning/course_map.html",
        modules=modules,
        progress=progress,
        timeline=timeline,
        done=done,
        week_of_course=week_of_course,
        next_step=queries.next_step_for(
            person,
            modules,
            {sid for sid, p in progress.items() if p.completed_at is not None},
            timeline,
        ),
        share_form=ShareProgressForm(
            formdata=None, share=queries.settings_for(person).share_progress
        ),
    )


@bp.post("/learn/sharing")
@access.signed_in
def change_progress_sharing() -> ResponseReturnValue:
    form = ShareProgressForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_progress_sharing(sessions.current_person(), share=bool(form.share.data))
    db.session.commit()
    flash("Your choice is saved.", "success")
    return redirect(url_for("learning.course_map"))


def _open_module_or_404(slug: str) -> CourseModule:
    module = queries.module_or_404(slug)
    if not policy.can_open_module(sessions.current_person(), module, _reader_timeline()):
        abort(404)
    return module


@bp.get("/learn/<slug>")
@access.signed_in
def show_module(slug: str) -> ResponseReturnValue:
    module = _open_module_or_404(slug)
    progress = queries.progress_by_step(sessions.current_person())
    return render_template("learning/show_module.html", module=module, progress=progress)


@bp.route("/learn/<slug>/<step_slug>", methods=["GET", "POST"])
@access.signed_in
def show_step(slug: str, step_slug: str) -> ResponseReturnValue:
    person = sessions.current_person()
    module = _open_module_or_404(slug)
    step = queries.step_in_module_or_404(module, step_slug)
    progress = queries.own_progress(person, step)
    index = module.steps.index(step)
    previous = module.steps[index - 1] if index > 0 else None
    following = module.steps[index + 1] if index + 1 < len(module.steps) else None
    check_form = CheckForm(prefix="check")
    check_form.choice.choices = [(i, o.text) for i, o in enumerate(step.options)]
    reflection_form = ReflectionForm(
        prefix="note",
        formdata=None if request.method == "GET" else request.form,
        reflection=progress.reflection if progress else "",
    )
    status = 200
    if request.method == "POST":
        status = _record_step(person, step, check_form, reflection_form)
        if status == 302:
            if step.kind == StepKind.CHECK:  # stay to read the explanation
                return redirect(
                    url_for(
                        "learning.show_step", slug=slug, step_slug=step_slug, _anchor="feedback"
                    )
                )
            if following is not None:
                return redirect(url_for("learning.show_step", slug=slug, step_slug=following.slug))
            flash(f"You finished “{module.title}”. Well done.", "success")
            return redirect(url_for("learning.course_map"))
    if request.method == "GET" and request.args.get("retry"):
        progress_answer = None
    else:
        progress_answer = progress.answer if progress else None
    return render_template(
        "learning/show_step.html",
        module=module,
        step=step,
        progress=progress,
        index=index,
        previous=previous,
        following=following,
        check_form=check_form,
        reflection_form=reflection_form,
        answer=progress_answer,
    ), status


def _record_step(
    person: User, step: ModuleStep, check_form: CheckForm, reflection_form: ReflectionForm
) -> int:
    safety: SafetyCheck | None = None
    try:
        if step.kind == StepKind.CHECK:
            if not check_form.validate_on_submit():
                return 422
            services.answer_check(person, step, choice=int(check_form.choice.data))
        elif step.kind == StepKind.REFLECTION:
            if not reflection_form.validate_on_submit():
                return 422
            text = reflection_form.reflection.data or ""
            services.save_reflection(person, step, text=text)
            # Private notes alert nobody (nobody else may read them), but their writer sees the
            # crisis lines at once.
            safety = check_text(text)
        else:
            if not ConfirmForm().validate_on_submit():
                abort(400)
            services.complete_step(person, step)
    except services.LearningError as error:
        db.session.rollback()
        flash(str(error), "error")
        return 422
    db.session.commit()
    if safety is not None:
        flash_notice(safety, private=True)
    return 302


@bp.get("/learn/my-notes")
@access.signed_in
def list_reflections() -> ResponseReturnValue:
    return render_template(
        "learning/list_reflections.html", rows=queries.reflections(sessions.current_person())
    )


# --- Wellbeing check-ins for the family member themselves -----------------------------------


@bp.route("/learn/check-in", methods=["GET", "POST"])
@access.signed_in
def wellbeing() -> ResponseReturnValue:
    person = sessions.current_person()
    form = CheckInForm()
    if form.validate_on_submit():
        services.record_checkin(
            person,
            **{
                name: int(getattr(form, name).data)
                for name in ("tired", "worried", "alone", "confident", "know_what_to_say")
            },
        )
        db.session.commit()
        flash("Thank you for checking in with yourself.", "success")
        return redirect(url_for("learning.wellbeing"))
    status = 422 if form.errors else 200
    return render_template(
        "learning/wellbeing.html", form=form, checkins=queries.checkins(person)
    ), status


# --- The patient's recovery timeline ---------------------------------------------------------


@bp.route("/circle/timeline", methods=["GET", "POST"])
@access.roles("patient")
def edit_timeline() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = circle_queries.own_circle_or_404(patient)
    timeline = queries.timeline_for(circle.id)
    if request.method == "GET":
        form = TimelineForm(obj=timeline)
        return render_template("learning/edit_timeline.html", form=form)
    form = TimelineForm()
    if form.validate_on_submit():
        try:
            services.set_timeline(
                patient,
                circle,
                started_on=form.started_on.data,
                phase=form.phase.data or "",
                hold_activity_modules=bool(form.hold_activity_modules.data),
            )
        except services.LearningError as error:
            db.session.rollback()
            form.started_on.errors = [str(error)]
        else:
            db.session.commit()
            flash("Your timeline is saved.", "success")
            return redirect(url_for("circles.my_circle"))
    return render_template("learning/edit_timeline.html", form=form), 422


@bp.get("/circles/<int:circle_id>/timeline")
@access.signed_in
def show_timeline(circle_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    circle, membership = viewable_circle_or_404(person, circle_id)
    if not policy.can_view_timeline(person, circle, membership):
        abort(404)
    log_access(person, circle, "timeline")
    moment = recovery_moment(queries.timeline_for(circle.id), utcnow().date())
    return render_template(
        "learning/show_timeline.html",
        circle=circle,
        moment=moment,
        fitting=modules_for(moment, queries.published_modules()),
    )


# --- Clinicians keep the course right --------------------------------------------------------


@bp.get("/learn/manage")
@access.roles("clinician")
def manage_course() -> ResponseReturnValue:
    return render_template("learning/manage_course.html", modules=queries.published_modules())


@bp.get("/learn/family-wellbeing")
@access.roles("admin", "clinician")
def wellbeing_totals() -> ResponseReturnValue:
    return render_template(
        "learning/wellbeing_totals.html",
        rows=queries.wellbeing_totals(),
        smallest=queries.SMALLEST_GROUP,
    )


@bp.route("/learn/manage/steps/<int:step_id>", methods=["GET", "POST"])
@access.roles("clinician")
def edit_step(step_id: int) -> ResponseReturnValue:
    clinician = sessions.current_person()
    step = queries.step_or_404(step_id)
    if request.method == "GET":
        form = _edit_form_from(step)
        return render_template(
            "learning/edit_step.html", step=step, form=form, revisions=queries.revisions_of(step)
        )
    form = StepEditForm()
    preview = request.form.get("action") == "preview"
    error = None
    if form.validate_on_submit() and not preview:
        try:
            base = int(form.base_revision.data) if form.base_revision.data else None
            services.save_draft(
                clinician,
                step,
                title=form.title.data or "",
                body=form.body.data or "",
                question=form.question.data or "",
                prompt=form.prompt.data or "",
                options_json=_options_json(form),
                publish_now=bool(form.publish_now.data),
                expected_revision_id=base,
            )
        except services.LearningError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            flash(
                "Published." if form.publish_now.data else "Saved as a draft revision.", "success"
            )
            return redirect(url_for("learning.edit_step", step_id=step.id))
    status = 200 if preview and not form.errors else 422
    return render_template(
        "learning/edit_step.html",
        step=step,
        form=form,
        preview=preview,
        error=error,
        revisions=queries.revisions_of(step),
    ), status


@bp.get("/learn/manage/steps/<int:step_id>/revisions/<int:revision_id>")
@access.roles("clinician")
def show_revision(step_id: int, revision_id: int) -> ResponseReturnValue:
    step = queries.step_or_404(step_id)
    revision = queries.revision_or_404(step, revision_id)
    revisions = queries.revisions_of(step)
    earlier = next((r for r in revisions if r.number < revision.number), None)
    return render_template(
        "learning/show_revision.html",
        step=step,
        revision=revision,
        earlier=earlier,
        diff=_diff(earlier, revision),
    )


@bp.post("/learn/manage/steps/<int:step_id>/revisions/<int:revision_id>/publish")
@access.roles("clinician")
def publish_revision(step_id: int, revision_id: int) -> ResponseReturnValue:
    clinician = sessions.current_person()
    step = queries.step_or_404(step_id)
    revision = queries.revision_or_404(step, revision_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("mode") == "revert":
        services.revert(clinician, step, revision)
        message = f"Revision {revision.number} is published again, as a new revision."
    else:
        services.publish_revision(clinician, step, revision)
        message = f"Revision {revision.number} is published."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("learning.edit_step", step_id=step.id))


def _edit_form_from(step: ModuleStep) -> StepEditForm:
    form = StepEditForm(
        formdata=None,
        title=step.title,
        body=step.body,
        question=step.question,
        prompt=step.prompt,
        base_revision=step.published_revision_id,
    )
    for number, option in enumerate(step.options, start=1):
        getattr(form, f"option_{number}_text").data = option.text
        getattr(form, f"option_{number}_explanation").data = option.explanation
        if option.correct:
            form.correct.data = str(number)
    return form


def _options_json(form: StepEditForm) -> str:
    options = []
    for number in range(1, MAX_OPTIONS + 1):
        text = (getattr(form, f"option_{number}_text").data or "").strip()
        if text:
            options.append(
                {
                    "text": text,
                    "correct": form.correct.data == str(number),
                    "explanation": (
                        getattr(form, f"option_{number}_explanation").data or ""
                    ).strip(),
                }
            )
    return json.dumps(options, ensure_ascii=False)


def _revision_text(revision: StepRevision | None) -> list[str]:
    if revision is None:
        return []
    lines = [f"Title: {revision.title}", "", *revision.body.splitlines()]
    if revision.question:
        lines += ["", f"Question: {revision.question}"]
    for option in json.loads(revision.options_json or "[]"):
        mark = "correct" if option.get("correct") else "not correct"
        lines += [f"Answer ({mark}): {option['text']}", f"  Why: {option['explanation']}"]
    if revision.prompt:
        lines += ["", f"Prompt: {revision.prompt}"]
    return lines


def _diff(earlier: StepRevision | None, revision: StepRevision) -> list[tuple[str, str]]:
    """Line by line: ("added" | "removed" | "same", text); the template escapes the text."""
    kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
    return [
        (kinds[line[:2]], line[2:])
        for line in difflib.ndiff(_revision_text(earlier), _revision_text(revision))
        if line[:2] in kinds
    ]
