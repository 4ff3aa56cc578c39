"""Families ask and find answers (/qa); clinicians answer (/answers); "I noticed" notes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal import policy
from portal.auth import sessions
from portal.circles import queries as circle_queries
from portal.circles.context import viewable_circle_or_404
from portal.core import access
from portal.core.crisis_notice import Wording, flash_notice, notice_for
from portal.core.forms import ConfirmForm, parse_version
from portal.core.privacy import highlight, identifying_details
from portal.core.safety import check_text
from portal.core.urls import id_from_form, page_arg
from portal.db import utcnow
from portal.extensions import db
from portal.learning.queries import module_titles
from portal.qa import queries, services
from portal.qa.forms import AnswerForm, AskForm, FlagForm, ObservationChannelForm, ObservationForm

bp = Blueprint("qa", __name__)


def _topic_choices() -> list[tuple[str, str]]:
    return module_titles()


@bp.get("/qa")
@access.signed_in
def list_questions() -> ResponseReturnValue:
    term = request.args.get("q", "")[:200]
    topic = request.args.get("topic", "")[:60]
    answered = request.args.get("answered", "")
    page, any_word = queries.published(
        term=term,
        topic=topic,
        answered=answered,
        page=page_arg(),
        any_word=request.args.get("any") == "1",
    )
    return render_template(
        "qa/list_questions.html",
        page=page,
        any_word=any_word,
        term=term,
        topic=topic,
        answered=answered,
        topics=_topic_choices(),
    )


@bp.get("/qa/similar")
@access.signed_in
def similar_questions() -> ResponseReturnValue:
    """A fragment for the ask page's script; the page works without it."""
    return render_template(
        "qa/_similar.html", similar=queries.similar(request.args.get("q", "")[:200])
    )


@bp.route("/qa/ask", methods=["GET", "POST"])
@access.signed_in
def ask_question() -> ResponseReturnValue:
    person = sessions.current_person()
    access.require(policy.can_ask(person))
    form = AskForm()
    form.topics.choices = _topic_choices()
    if form.validate_on_submit():
        text = f"{form.title.data}\n{form.body.data or ''}"
        safety = check_text(services.question_text(form.title.data or "", form.body.data or ""))
        shared = form.sharing.data == "shared"
        if request.form.get("action") == "change":
            return render_template(
                "qa/ask_question.html",
                form=form,
                median_hours=queries.median_hours_to_answer(utcnow()),
            )
        if request.form.get("action") != "send":
            return render_template(
                "qa/review_question.html",
                form=form,
                shared=shared,
                similar=queries.similar(text),
                findings=identifying_details(text) if shared else [],
                highlighted_title=highlight(form.title.data or ""),
                highlighted_body=highlight(form.body.data or ""),
                crisis=notice_for(safety, when=Wording.UNSENT),
                median_hours=queries.median_hours_to_answer(utcnow()),
            )
        nav_membership = circle_queries.memberships_of(person)
        relationship = (
            nav_membership[0].relationship_label
            if nav_membership
            else ("patient" if person.has_role("patient") else "")
        )
        try:
            services.ask(
                person,
                title=form.title.data or "",
                body=form.body.data or "",
                topics=[t for t in (form.topics.data or []) if t in dict(form.topics.choices)],
                shared=shared,
                anonymous=bool(form.anonymous.data),
                relationship=relationship,
            )
        except services.QaError as problem:
            db.session.rollback()
            form.title.errors = [str(problem)]
        else:
            db.session.commit()
            flash_notice(safety)
            flash(
                "Thank you. Your question is with a moderator; you can follow it here."
                if shared
                else "Thank you. Your question went to the care team only.",
                "success",
            )
            return redirect(url_for("qa.my_questions"))
    status = 422 if form.errors else 200
    return render_template(
        "qa/ask_question.html", form=form, median_hours=queries.median_hours_to_answer(utcnow())
    ), status


@bp.get("/qa/mine")
@access.signed_in
def my_questions() -> ResponseReturnValue:
    return render_template(
        "qa/my_questions.html", questions=queries.mine(sessions.current_person())
    )


@bp.get("/qa/<int:question_id>")
@access.signed_in
def show_question(question_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    question = queries.question_or_404(person, question_id)
    return render_template(
        "qa/show_question.html",
        question=question,
        votes=queries.my_votes(person, question),
        flag_form=FlagForm(formdata=None, prefix="flag"),
        asker=policy.asker_label(person, question),
    )


@bp.post("/qa/<int:question_id>/<any(me_too, follow):kind>")
@access.signed_in
def vote(question_id: int, kind: str) -> ResponseReturnValue:
    person = sessions.current_person()
    question = queries.question_or_404(person, question_id)
    if question.status not in policy.PUBLIC_STATES or not ConfirmForm().validate_on_submit():
        abort(400)
    services.toggle_vote(person, question, kind=kind)
    db.session.commit()
    return redirect(url_for("qa.show_question", question_id=question.id))


@bp.post("/qa/answers/<int:answer_id>/helpful")
@access.signed_in
def mark_helpful(answer_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    reply = queries.answer_or_404(answer_id)
    question = queries.question_or_404(person, reply.question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_helpful(person, reply)
    db.session.commit()
    flash("Thank you for telling us.", "success")
    return redirect(url_for("qa.show_question", question_id=question.id))


@bp.post("/qa/<int:question_id>/flag")
@access.signed_in
def flag_content(question_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    question = queries.question_or_404(person, question_id)
    if question.status not in policy.PUBLIC_STATES:
        abort(404)
    form = FlagForm(prefix="flag")
    reply = None
    answer_id = id_from_form("answer_id")
    if answer_id:
        reply = next((a for a in question.answers if a.id == answer_id), None)
        if reply is None:
            abort(404)
    if form.validate_on_submit():
        try:
            services.flag(person, question, reason=form.reason.data or "", reply=reply)
        except services.QaError as problem:
            db.session.rollback()
            flash(str(problem), "error")
        else:
            db.session.commit()
            flash("Thank you. A moderator will look at it.", "success")
    else:
        flash("Please say briefly what worries you.", "error")
    if question.status == "hidden":
        return redirect(url_for("qa.list_questions"))
    return redirect(url_for("qa.show_question", question_id=question.id))


# --- Clinicians answer -----------------------------------------------------------------------


@bp.get("/answers")
@access.roles("clinician")
def answer_queue() -> ResponseReturnValue:
    page = queries.answer_queue(page_arg())
    return render_template(
        "qa/answer_queue.html",
        page=page,
        observations=[] if page.has_prev else queries.recent_observations(),
    )


@bp.route("/answers/<int:question_id>", methods=["GET", "POST"])
@access.roles("clinician")
def write_answer(question_id: int) -> ResponseReturnValue:
    clinician = sessions.current_person()
    question = queries.question_or_404(clinician, question_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(clinician, question, body=form.body.data or "")
        except services.QaError as problem:
            db.session.rollback()
            form.body.errors = [str(problem)]
        else:
            db.session.commit()
            flash("Your answer is published. The asker and followers are told.", "success")
            return redirect(url_for("qa.show_question", question_id=question.id))
    status = 422 if form.errors else 200
    return render_template(
        "qa/write_answer.html",
        question=question,
        form=form,
        asker=policy.asker_label(clinician, question),
    ), status


@bp.route("/answers/edit/<int:answer_id>", methods=["GET", "POST"])
@access.roles("clinician")
def edit_answer(answer_id: int) -> ResponseReturnValue:
    clinician = sessions.current_person()
    reply = queries.answer_or_404(answer_id)
    question = queries.question_or_404(clinician, reply.question_id)
    access.require(policy.can_edit_answer(clinician, reply))
    form = (
        AnswerForm()
        if request.method == "POST"
        else AnswerForm(body=reply.body, version=reply.version)
    )
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.edit_answer(
                clinician,
                reply,
                body=form.body.data or "",
                expected_version=parse_version(form.version.data),
            )
        except services.QaError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            flash("Answer saved. The earlier wording is kept as a revision.", "success")
            return redirect(url_for("qa.show_question", question_id=question.id))
    status = 409 if error else 422 if form.errors else 200
    return render_template(
        "qa/write_answer.html",
        question=question,
        form=form,
        reply=reply,
        error=error,
        revisions=queries.answer_revisions(reply),
        asker=policy.asker_label(clinician, question),
    ), status


# --- "I noticed" -----------------------------------------------------------------------------


@bp.route("/circles/<int:circle_id>/noticed", methods=["GET", "POST"])
@access.signed_in
def send_observation(circle_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    circle, membership = viewable_circle_or_404(person, circle_id)
    access.require(policy.can_send_observation(person, circle, membership))
    form = ObservationForm()
    if form.validate_on_submit():
        try:
            services.send_observation(
                person,
                circle,
                membership,
                sleep=form.sleep.data or "",
                activity=form.activity.data or "",
                mood=form.mood.data or "",
                after_treatment=form.after_treatment.data or "",
                note=form.note.data or "",
            )
        except services.QaError as problem:
            db.session.rollback()
            form.note.errors = [str(problem)]
        else:
            db.session.commit()
            flash_notice(
                check_text(
                    services.observation_text(form.after_treatment.data or "", form.note.data or "")
                )
            )
            flash("Sent to the care team. Thank you for noticing.", "success")
            return redirect(url_for("circles.circle_home", circle_id=circle.id))
    status = 422 if form.errors else 200
    return render_template("qa/send_observation.html", form=form, circle=circle), status


@bp.post("/circle/observations")
@access.roles("patient")
def change_observation_channel() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = circle_queries.own_circle_or_404(patient)
    form = ObservationChannelForm()
    if not form.validate_on_submit():
        abort(400)
    circle.observations_enabled = bool(form.enabled.data)
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("circles.my_circle"))
