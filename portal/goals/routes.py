"""The goal board: columns, goals, steps, check-ins, encouragement, help, treatment days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal import policy
from portal.auth import sessions
from portal.circles.services import log_access
from portal.core import access
from portal.core.coach import CoachNote, coach_text
from portal.core.crisis_notice import flash_notice
from portal.core.forms import ConfirmForm, parse_version
from portal.core.safety import SafetyCheck, check_text
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.goals import queries, services
from portal.goals.forms import (
    CheckInForm,
    EncourageForm,
    GoalForm,
    MoveForm,
    OfferForm,
    QuietForm,
    StepForm,
    SuggestForm,
    TreatmentDayForm,
)
from portal.goals.models import COLUMN_LABELS, Column, Encouragement, Goal, HelpOffer
from portal.goals.queries import BoardAccess
from portal.notifications.alerts import joined, screen

bp = Blueprint("goals", __name__)


def _screen(board: BoardAccess, source: str, *texts: str | None) -> SafetyCheck:
    """Words of crisis are saved as written, and their alert and the moderators' mail join the
    same transaction: the route commits them together, once, then calls ``flash_notice`` so
    the writer sees the crisis lines first on the very next page."""
    return screen(source=source, texts=texts, author=board.actor, circle_id=board.circle.id)


def _coached(post_anyway: bool, *texts: str | None) -> list[CoachNote]:
    """The language coach's notes, unless the writer chose to post anyway. Words of crisis are
    never held back for their tone: they go through at once, with the crisis lines."""
    text = joined(texts)
    if post_anyway or check_text(text).crisis:
        return []
    return coach_text(text)


def _anchor(check: SafetyCheck, anchor: str) -> str | None:
    """Where on the next page to land: at the top, where the crisis lines are, after words of
    crisis (an anchor would scroll them out of sight and move the keyboard past them)."""
    return None if check.crisis else anchor


def _goal_texts(goal: Goal) -> tuple[str, ...]:
    return (goal.title, goal.why, goal.level_less, goal.level_expected, goal.level_more)


def _require_patient(board: BoardAccess) -> None:
    access.require(policy.can_manage_circle(board.actor, board.circle))


def _member_choices(board: BoardAccess) -> list[tuple[int, str]]:
    return [(m.user_id, m.user.display_name) for m in board.circle.memberships if m.active]


# --- The board -------------------------------------------------------------------------------


@bp.get("/circles/<int:circle_id>/board")
@access.signed_in
def show_board(circle_id: int) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    log_access(board.actor, board.circle, "board")
    goals = queries.visible_goals(board)
    columns = {
        column: [g for g in goals if g.status == "active" and g.column == column]
        for column in Column
    }
    quiet = queries.quiet_until(board.circle.id)
    return render_template(
        "goals/show_board.html",
        board=board,
        columns=columns,
        labels=COLUMN_LABELS,
        suggestions=[g for g in goals if g.status == "suggested"],
        activity=queries.board_activity(board),
        quiet_until=quiet if quiet and as_utc(quiet) > utcnow() else None,
        quiet_form=QuietForm(formdata=None) if board.is_patient else None,
        days=queries.treatment_days(board.circle, since=utcnow() - timedelta(hours=12)),
    )


@bp.route("/circles/<int:circle_id>/board/new", methods=["GET", "POST"])
@access.signed_in
def new_goal(circle_id: int) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    _require_patient(board)
    form = GoalForm()
    form.viewers.choices = _member_choices(board)
    error = None
    if form.validate_on_submit():
        try:
            goal = services.create_goal(
                board.actor,
                board.circle,
                steps=(form.steps.data or "").splitlines(),
                **_details(form, board),
            )
        except services.GoalError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            check = _screen(board, "new goal", *_goal_texts(goal), *(s.text for s in goal.steps))
            db.session.commit()
            flash_notice(check)
            flash("Goal added.", "success")
            return redirect(url_for("goals.show_goal", goal_id=goal.id))
    status = 422 if (form.errors or error) else 200
    return render_template(
        "goals/edit_goal.html", form=form, board=board, goal=None, error=error
    ), status


def _details(form: GoalForm, board: BoardAccess) -> dict[str, object]:
    return {
        "title": form.title.data or "",
        "why": form.why.data or "",
        "area": form.area.data,
        "visibility": form.visibility.data,
        "viewer_ids": form.viewers.data or [],
        "allowed_viewers": {uid for uid, _ in _member_choices(board)},
        "target_week": form.target_week.data,
        "levels": (
            form.level_less.data or "",
            form.level_expected.data or "",
            form.level_more.data or "",
        ),
    }


@bp.route("/circles/<int:circle_id>/board/suggest", methods=["GET", "POST"])
@access.signed_in
def suggest_goal(circle_id: int) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    access.require(policy.can_suggest_goal(board.actor, board.circle, board.membership))
    form = SuggestForm()
    notes: list[CoachNote] = []
    if form.validate_on_submit():
        notes = _coached(bool(form.post_anyway.data), form.title.data, form.why.data)
        if not notes:
            try:
                services.suggest_goal(
                    board.actor,
                    board.circle,
                    title=form.title.data or "",
                    why=form.why.data or "",
                    area=form.area.data or "other",
                )
            except services.GoalError as problem:
                db.session.rollback()
                form.title.errors = [str(problem)]
            else:
                check = _screen(board, "goal suggestion", form.title.data, form.why.data)
                db.session.commit()
                flash_notice(check)
                flash(
                    f"Your suggestion is with {board.circle.patient.display_name}. "
                    "It stays a suggestion until they decide.",
                    "success",
                )
                return redirect(url_for("goals.show_board", circle_id=circle_id))
    status = 422 if form.errors else 200
    return render_template("goals/suggest_goal.html", form=form, board=board, notes=notes), status


@bp.post("/circles/<int:circle_id>/board/quiet")
@access.signed_in
def set_quiet(circle_id: int) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    _require_patient(board)
    form = QuietForm()
    if not form.validate_on_submit():
        abort(400)
    days = int(form.days.data or 0)
    services.set_quiet(
        board.actor, board.circle, until=utcnow() + timedelta(days=days) if days else None
    )
    db.session.commit()
    flash(
        "Your board is resting. Messages will wait without pinging you."
        if days
        else "Quiet time has ended.",
        "success",
    )
    return redirect(url_for("goals.show_board", circle_id=circle_id))


# --- Treatment days --------------------------------------------------------------------------


@bp.route("/circles/<int:circle_id>/treatment-days", methods=["GET", "POST"])
@access.signed_in
def treatment_days(circle_id: int) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    if request.method == "GET":
        log_access(board.actor, board.circle, "treatment_days")
    form = TreatmentDayForm()
    if request.method == "POST":
        _require_patient(board)
        if form.validate_on_submit():
            assert form.day.data is not None  # noqa: S101 - DataRequired above
            assert form.time.data is not None  # noqa: S101
            starts = datetime.combine(form.day.data, form.time.data, tzinfo=UTC)
            try:
                services.add_treatment_day(
                    board.actor,
                    board.circle,
                    starts_at=starts,
                    place=form.place.data or "",
                    note=form.note.data or "",
                    needs=[*(form.needs.data or []), form.other_need.data or ""],
                )
            except services.GoalError as problem:
                db.session.rollback()
                form.day.errors = [str(problem)]
            else:
                check = _screen(
                    board, "treatment day", form.place.data, form.note.data, form.other_need.data
                )
                db.session.commit()
                flash_notice(check)
                flash("Treatment day added. Your circle can now sign up to help.", "success")
                return redirect(url_for("goals.treatment_days", circle_id=circle_id))
    status = 422 if form.errors else 200
    return render_template(
        "goals/treatment_days.html",
        board=board,
        form=form,
        days=queries.treatment_days(board.circle, since=utcnow() - timedelta(hours=12)),
    ), status


@bp.post("/circles/<int:circle_id>/help-slots/<int:slot_id>/<any(take, release):action>")
@access.signed_in
def change_slot(circle_id: int, slot_id: int, action: str) -> ResponseReturnValue:
    board = queries.board_or_404(sessions.current_person(), circle_id)
    slot = queries.slot_or_404(board, slot_id)
    access.require(policy.can_take_help_slot(board.actor, board.circle, board.membership))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "take":
            services.take_slot(board.actor, slot)
        else:
            services.release_slot(board.actor, slot)
    except services.GoalError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        db.session.commit()
        flash("Thank you. You're down to help." if action == "take" else "Done.", "success")
    return redirect(url_for("goals.treatment_days", circle_id=circle_id))


# --- One goal --------------------------------------------------------------------------------


def _render_goal(
    goal: Goal, board: BoardAccess, viewer_ids: frozenset[int], status: int = 200, **forms: object
) -> ResponseReturnValue:
    offer_form = forms.pop("offer_form", None) or OfferForm(formdata=None, prefix="offer")
    assert isinstance(offer_form, OfferForm)  # noqa: S101
    offer_form.step.choices = [(0, "No particular step")] + [(s.id, s.text) for s in goal.steps]
    return render_template(
        "goals/show_goal.html",
        goal=goal,
        board=board,
        can_encourage=policy.can_encourage_goal(
            board.actor, goal, board.circle, board.membership, viewer_ids
        ),
        is_patient=board.is_patient,
        viewer_ids=viewer_ids,
        checkins=queries.checkins(goal),
        messages=queries.encouragements(goal, board.actor),
        offers=queries.offers(goal, board.actor),
        move_form=MoveForm(formdata=None, column=goal.column, version=goal.version),
        step_form=forms.pop("step_form", None) or StepForm(formdata=None, prefix="step"),
        checkin_form=forms.pop("checkin_form", None)
        or CheckInForm(formdata=None, prefix="checkin"),
        encourage_form=forms.pop("encourage_form", None)
        or EncourageForm(formdata=None, prefix="msg"),
        offer_form=offer_form,
        **forms,
    ), status


@bp.get("/goals/<int:goal_id>")
@access.signed_in
def show_goal(goal_id: int) -> ResponseReturnValue:
    goal, board, viewer_ids = queries.goal_or_404(sessions.current_person(), goal_id)
    log_access(board.actor, board.circle, "board")  # a goal's page is part of the board
    return _render_goal(goal, board, viewer_ids)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@access.signed_in
def edit_goal(goal_id: int) -> ResponseReturnValue:
    goal, board, _viewers = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    if request.method == "GET":
        form = GoalForm(obj=goal)
        form.viewers.data = [v.user_id for v in goal.viewers]
    else:
        form = GoalForm()
    form.viewers.choices = _member_choices(board)
    error = conflict = None
    if request.method == "POST" and form.validate_on_submit():
        before = _goal_texts(goal)
        try:
            services.update_goal(
                board.actor,
                goal,
                expected_version=parse_version(form.version.data),
                **_details(form, board),
            )
        except services.GoalError as problem:
            db.session.rollback()
            error = str(problem)
            conflict = isinstance(problem, services.GoalConflictError)
        else:
            # Only the words that changed: the rest were checked when they were written.
            changed = [
                new for old, new in zip(before, _goal_texts(goal), strict=True) if new != old
            ]
            check = _screen(board, "goal edit", *changed)
            db.session.commit()
            flash_notice(check)
            flash("Goal saved.", "success")
            return redirect(url_for("goals.show_goal", goal_id=goal.id))
    if conflict:
        goal = queries.goal_or_404(board.actor, goal_id)[0]
    status = 409 if conflict else 422 if (form.errors or error) else 200
    return render_template(
        "goals/edit_goal.html", form=form, board=board, goal=goal, error=error, conflict=conflict
    ), status


@bp.post("/goals/<int:goal_id>/move")
@access.signed_in
def move_goal(goal_id: int) -> ResponseReturnValue:
    goal, board, _viewers = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    wants_json = request.accept_mimetypes.best == "application/json"  # the drag-and-drop script
    try:
        services.move_goal(
            board.actor,
            goal,
            column=form.column.data or "",
            expected_version=parse_version(form.version.data),
        )
    except services.GoalError as problem:
        db.session.rollback()
        if wants_json:
            return {"ok": False, "error": str(problem)}, 409
        flash(str(problem), "error")
    else:
        db.session.commit()
        if wants_json:
            return {"ok": True, "version": goal.version}, 200
        flash(f"Moved “{goal.title}” to {goal.column_label}.", "success")
    return redirect(
        # At the top of the board, where the message saying what moved is (an anchor on the
        # card scrolled it out of sight).
        url_for("goals.show_board", circle_id=board.circle.id),
        code=303,
    )


@bp.post("/goals/<int:goal_id>/steps")
@access.signed_in
def add_step(goal_id: int) -> ResponseReturnValue:
    goal, board, viewer_ids = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    form = StepForm(prefix="step")
    if form.validate_on_submit():
        try:
            services.add_step(board.actor, goal, text=form.text.data or "")
        except services.GoalError as problem:
            db.session.rollback()
            form.text.errors = [str(problem)]
        else:
            check = _screen(board, "goal step", form.text.data)
            db.session.commit()
            flash_notice(check)
            return redirect(
                url_for("goals.show_goal", goal_id=goal.id, _anchor=_anchor(check, "steps"))
            )
    return _render_goal(goal, board, viewer_ids, 422, step_form=form)


@bp.post("/goals/<int:goal_id>/steps/<int:step_id>/<any(done, undo):action>")
@access.signed_in
def mark_step(goal_id: int, step_id: int, action: str) -> ResponseReturnValue:
    goal, board, _viewers = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    step = queries.step_or_404(goal, step_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_step_done(board.actor, step, done=action == "done")
    db.session.commit()
    return redirect(url_for("goals.show_goal", goal_id=goal.id, _anchor="steps"))


@bp.post("/goals/<int:goal_id>/check-ins")
@access.signed_in
def add_checkin(goal_id: int) -> ResponseReturnValue:
    goal, board, viewer_ids = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    form = CheckInForm(prefix="checkin")
    if form.validate_on_submit():
        try:
            services.check_in(
                board.actor,
                goal,
                note=form.note.data or "",
                energy=form.energy.data,
                level_reached=form.level.data,
            )
        except services.GoalError as problem:
            db.session.rollback()
            form.note.errors = [str(problem)]
        else:
            check = _screen(board, "goal check-in", form.note.data)
            db.session.commit()
            flash_notice(check)
            flash("Check-in saved.", "success")
            return redirect(
                url_for("goals.show_goal", goal_id=goal.id, _anchor=_anchor(check, "check-ins"))
            )
    return _render_goal(goal, board, viewer_ids, 422, checkin_form=form)


@bp.post("/goals/<int:goal_id>/suggestion")
@access.signed_in
def decide_suggestion(goal_id: int) -> ResponseReturnValue:
    goal, board, _viewers = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accept = request.form.get("decision") == "accept"
    try:
        services.decide_suggestion(board.actor, goal, accept=accept)
    except services.GoalError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        db.session.commit()
        flash(
            "Added to your Ideas. You can edit it any time."
            if accept
            else "Declined. Thank you for deciding what is right for you.",
            "success",
        )
    if accept:
        return redirect(url_for("goals.edit_goal", goal_id=goal.id))
    return redirect(url_for("goals.show_board", circle_id=board.circle.id))


def _post_member_words(
    goal_id: int,
    form_class: type[EncourageForm] | type[OfferForm],
    *,
    form_key: str,
    notes_key: str,
    source: str,
    anchor: str,
    thanks: str,
    post: Callable[[BoardAccess, Goal, Any, bool], object],
) -> ResponseReturnValue:
    """A member's message or offer: permission, the crisis check, the language coach (unless
    they chose to post anyway, or the words are of crisis), the service, one commit, and back
    to the goal.

    Words of crisis from anyone but the patient are held: saved, with the moderators' alert in
    the same transaction, but not shown to the patient nor notified. The writer lands at the
    top, on the crisis lines, is told plainly that nothing was sent, and may "send it anyway"."""
    goal, board, viewer_ids = queries.goal_or_404(sessions.current_person(), goal_id)
    access.require(
        policy.can_encourage_goal(board.actor, goal, board.circle, board.membership, viewer_ids)
    )
    form = form_class(prefix="offer" if form_class is OfferForm else "msg")
    if isinstance(form, OfferForm):
        form.step.choices = [(0, "No particular step")] + [(s.id, s.text) for s in goal.steps]
    if form.validate_on_submit():
        notes = _coached(bool(form.post_anyway.data), form.body.data)
        if notes:
            return _render_goal(goal, board, viewer_ids, 200, **{form_key: form, notes_key: notes})
        check = _screen(board, source, form.body.data)  # the alert joins this transaction
        held = check.crisis and not board.is_patient
        try:
            post(board, goal, form, held)
        except services.GoalError as problem:
            db.session.rollback()
            form.body.errors = [str(problem)]
        else:
            db.session.commit()
            flash_notice(check)
            flash(_held_message(board) if held else thanks, "warning" if held else "success")
            return redirect(
                url_for("goals.show_goal", goal_id=goal.id, _anchor=_anchor(check, anchor))
            )
    return _render_goal(goal, board, viewer_ids, 422, **{form_key: form})


def _held_message(board: BoardAccess) -> str:
    name = board.circle.patient.display_name
    return (
        f"We haven't sent this to {name}. If {name} may be in danger now, call 911. You can "
        f"call or text 988 any time to talk it through. Your words are kept on this page, "
        f"marked “held, not sent”; only you can see them, and you can still send them to "
        f"{name} if you choose."
    )


@bp.post("/goals/<int:goal_id>/encouragement")
@access.signed_in
def encourage(goal_id: int) -> ResponseReturnValue:
    return _post_member_words(
        goal_id,
        EncourageForm,
        form_key="encourage_form",
        notes_key="coach_notes",
        source="board message",
        anchor="messages",
        thanks="Sent. Thank you for cheering them on.",
        post=lambda board, goal, form, held: services.encourage(
            board.actor,
            goal,
            body=form.body.data or "",
            reaction=form.reaction.data or "",
            held=held,
        ),
    )


@bp.post("/goals/<int:goal_id>/offers")
@access.signed_in
def offer_help(goal_id: int) -> ResponseReturnValue:
    return _post_member_words(
        goal_id,
        OfferForm,
        form_key="offer_form",
        notes_key="offer_notes",
        source="offer of help",
        anchor="offers",
        thanks="Your offer is sent. They can accept or say no thanks.",
        post=lambda board, goal, form, held: services.offer_help(
            board.actor,
            goal,
            body=form.body.data or "",
            step=next((s for s in goal.steps if s.id == form.step.data), None),
            held=held,
        ),
    )


HELD_KINDS: dict[str, tuple[type[Encouragement] | type[HelpOffer], str]] = {
    "encouragement": (Encouragement, "messages"),
    "offers": (HelpOffer, "offers"),
}


@bp.post("/goals/<int:goal_id>/<any(encouragement, offers):kind>/<int:item_id>/send")
@access.signed_in
def send_held(goal_id: int, kind: str, item_id: int) -> ResponseReturnValue:
    """ "Send it anyway": the writer of held words of crisis delivers them to the patient."""
    goal, board, viewer_ids = queries.goal_or_404(sessions.current_person(), goal_id)
    model, anchor = HELD_KINDS[kind]
    item = queries.held_or_404(goal, model, item_id, board.actor)
    access.require(
        policy.can_send_held(
            board.actor, item.author_id, goal, board.circle, board.membership, viewer_ids
        )
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.send_held(board.actor, goal, item)
    db.session.commit()
    flash(f"Sent to {board.circle.patient.display_name}.", "success")
    return redirect(url_for("goals.show_goal", goal_id=goal.id, _anchor=anchor))


@bp.post("/goals/<int:goal_id>/offers/<int:offer_id>")
@access.signed_in
def decide_offer(goal_id: int, offer_id: int) -> ResponseReturnValue:
    goal, board, _viewers = queries.goal_or_404(sessions.current_person(), goal_id)
    _require_patient(board)
    offer = queries.offer_or_404(goal, offer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accept = request.form.get("decision") == "accept"
    try:
        services.decide_offer(board.actor, goal, offer, accept=accept)
    except services.GoalError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        db.session.commit()
        helper = offer.author.display_name if offer.author else "a former member"
        flash(
            f"You accepted the offer from {helper}: “{offer.body}”. We let them know."
            if accept
            else f"You said no thanks to the offer from {helper}. We let them know.",
            "success",
        )
    return redirect(url_for("goals.show_goal", goal_id=goal.id, _anchor="offers"))
