"""Routes for the patient's circle, members' view of it, staff invitations and joining by link."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from portal import policy
from portal.auth import sessions
from portal.auth.services import find_user_by_email, start_session
from portal.circles import queries, services
from portal.circles.context import CURRENT_CIRCLE_KEY, viewable_circle_or_404
from portal.circles.forms import (
    InviteMemberForm,
    JoinForm,
    PermissionsForm,
    SharingForm,
    StaffInviteForm,
    SupportCardForm,
    VersionForm,
)
from portal.circles.models import CareCircle
from portal.core import access
from portal.core.crisis_notice import flash_notice
from portal.core.forms import ConfirmForm, parse_version
from portal.db import utcnow
from portal.extensions import db, limiter
from portal.notifications.alerts import screen

bp = Blueprint("circles", __name__)


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"])


def _invite_limit() -> str:
    return str(current_app.config["INVITATION_RATE_LIMIT"])


def _per_person() -> str:
    return f"user:{sessions.current_person().id}"


# --- The patient's own circle --------------------------------------------------------------------


def _render_my_circle(
    circle: CareCircle, status: int = 200, **forms: object
) -> ResponseReturnValue:
    circle_full = queries.circle_with_members(circle.id)
    assert circle_full is not None  # noqa: S101 - loaded a moment ago in this request
    now = utcnow()
    members = [m for m in circle_full.memberships if m.active]
    return render_template(
        "circles/my_circle.html",
        circle=circle_full,
        members=members,
        former=[m for m in circle_full.memberships if not m.active],
        invitations=queries.member_invitations(circle_full),
        now=now,
        permission_forms={
            m.id: forms.get(f"member_{m.id}")
            or PermissionsForm(
                formdata=None,
                see_board=m.can_see_board,
                encourage=m.can_encourage,
                see_timeline=m.can_see_timeline,
                version=m.version,
            )
            for m in members
        },
        sharing_form=SharingForm(formdata=None, share=circle_full.share_with_care_team),
        last_active={
            m.id: services.coarse_last_active(m.user.last_active_at, now) for m in members
        },
        consent_warning=current_app.config["CONSENT_WARNING"],
    ), status


@bp.get("/circle")
@access.roles("patient")
def my_circle() -> ResponseReturnValue:
    return _render_my_circle(queries.own_circle_or_404(sessions.current_person()))


@bp.route("/circle/invite", methods=["GET", "POST"])
@access.roles("patient")
@limiter.limit(_invite_limit, key_func=_per_person, methods=["POST"])
def invite_member() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = queries.own_circle_or_404(patient)
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            issued = services.invite_member(
                patient,
                circle,
                name=form.name.data or "",
                email=form.email.data or "",
                relationship=form.relationship.data or "",
                see_board=bool(form.see_board.data),
                encourage=bool(form.encourage.data),
                see_timeline=bool(form.see_timeline.data),
                base_url=_base_url(),
            )
        except services.CircleError as error:
            db.session.rollback()
            return render_template("circles/invite_member.html", form=form, error=str(error)), 422
        db.session.commit()
        # Shown once, here, and never stored: the database keeps only a digest of the token.
        return render_template("circles/invitation_sent.html", issued=issued)
    status = 422 if form.errors else 200
    return render_template("circles/invite_member.html", form=form), status


@bp.post("/circle/invitations/<int:invitation_id>/resend")
@access.roles("patient")
@limiter.limit(_invite_limit, key_func=_per_person)
def resend_member_invitation(invitation_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    invitation = queries.member_invitation_in_own_circle_or_404(patient, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        issued = services.resend(patient, invitation, base_url=_base_url())
    except services.CircleError as error:
        flash(str(error), "error")
        return redirect(url_for("circles.my_circle"))
    db.session.commit()
    return render_template("circles/invitation_sent.html", issued=issued, resent=True)


@bp.post("/circle/invitations/<int:invitation_id>/revoke")
@access.roles("patient")
def revoke_member_invitation(invitation_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    invitation = queries.member_invitation_in_own_circle_or_404(patient, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.revoke(patient, invitation)
    except services.CircleError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"The invitation to {invitation.name} is cancelled. Its link no longer works.",
            "success",
        )
    return redirect(url_for("circles.my_circle"))


@bp.post("/circle/members/<int:membership_id>/permissions")
@access.roles("patient")
def change_permissions(membership_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    membership = queries.membership_in_own_circle_or_404(patient, membership_id)
    form = PermissionsForm()
    if form.validate_on_submit():
        try:
            services.set_permissions(
                patient,
                membership,
                see_board=bool(form.see_board.data),
                encourage=bool(form.encourage.data),
                see_timeline=bool(form.see_timeline.data),
                expected_version=parse_version(form.version.data),
            )
        except services.CircleError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _render_my_circle(membership.circle, 409 if _conflict(error) else 422)
        db.session.commit()
        flash(
            f"Saved. {membership.user.display_name} sees the change from their next page.",
            "success",
        )
        return redirect(url_for("circles.my_circle", _anchor=f"member-{membership.id}"))
    return _render_my_circle(membership.circle, 422, **{f"member_{membership.id}": form})


@bp.post("/circle/members/<int:membership_id>/confirm")
@access.roles("patient")
def confirm_member(membership_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    membership = queries.membership_in_own_circle_or_404(patient, membership_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.confirm_consent(
            patient, membership, expected_version=parse_version(form.version.data)
        )
    except services.CircleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("circles.my_circle"))
    db.session.commit()
    flash(f"Kept as it is for {membership.user.display_name}.", "success")
    return redirect(url_for("circles.my_circle"))


@bp.route("/circle/members/<int:membership_id>/remove", methods=["GET", "POST"])
@access.roles("patient")
def remove_member(membership_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    membership = queries.membership_in_own_circle_or_404(patient, membership_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_member(patient, membership)
        except services.CircleError as error:
            flash(str(error), "error")
            return redirect(url_for("circles.my_circle"))
        db.session.commit()
        flash(f"{membership.user.display_name} is no longer in your circle.", "success")
        return redirect(url_for("circles.my_circle"))
    return render_template("circles/remove_member.html", membership=membership, form=form)


@bp.get("/circle/members/<int:membership_id>/preview")
@access.roles("patient")
def preview_as(membership_id: int) -> ResponseReturnValue:
    patient = sessions.current_person()
    membership = queries.membership_in_own_circle_or_404(patient, membership_id)
    return render_template(
        "circles/circle_home.html",
        circle=membership.circle,
        viewer=membership.user,
        membership=membership,
        preview=True,
    )


@bp.post("/circle/sharing")
@access.roles("patient")
def change_sharing() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = queries.own_circle_or_404(patient)
    form = SharingForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_care_team_sharing(patient, circle, share=bool(form.share.data))
    db.session.commit()
    flash(
        "Your care team can now see your goal board and timeline."
        if circle.share_with_care_team
        else "Your goal board and timeline are no longer shared with your care team.",
        "success",
    )
    return redirect(url_for("circles.my_circle"))


@bp.route("/circle/support-card", methods=["GET", "POST"])
@access.roles("patient")
def edit_support_card() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = queries.own_circle_or_404(patient)
    if request.method == "GET":
        form = SupportCardForm(obj=circle, version=circle.card_version)
        return render_template("circles/edit_support_card.html", form=form, circle=circle)
    form = SupportCardForm()
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data or "" for name in services.CARD_FIELDS}
        # Only the parts that changed: the rest were checked when they were written, and a card
        # may name early signs of crisis on purpose.
        changed = [
            fields[name]
            for name in services.CARD_FIELDS
            if fields[name].strip() != (getattr(circle, name) or "").strip()
        ]
        try:
            services.save_support_card(
                patient,
                circle,
                fields=fields,
                expected_version=parse_version(form.version.data),
            )
        except services.CircleError as error:
            db.session.rollback()
            circle = queries.own_circle_or_404(patient)
            return render_template(
                "circles/edit_support_card.html",
                form=form,
                circle=circle,
                error=str(error),
                conflict=_conflict(error),
            ), 409 if _conflict(error) else 422
        check = screen(source="support card", texts=changed, author=patient, circle_id=circle.id)
        db.session.commit()
        flash_notice(check)
        flash("Your support card is saved.", "success")
        return redirect(url_for("circles.my_circle"))
    return render_template("circles/edit_support_card.html", form=form, circle=circle), 422


@bp.get("/circle/access-log")
@access.roles("patient")
def access_log() -> ResponseReturnValue:
    patient = sessions.current_person()
    circle = queries.own_circle_or_404(patient)
    since = utcnow() - current_app.config["ACCESS_LOG_RETENTION"]
    entries = queries.access_log(circle, since=since)
    return render_template(
        "circles/access_log.html",
        entries=entries,
        people=queries.people_by_id({e.viewer_id for e in entries}),
        days=current_app.config["ACCESS_LOG_RETENTION"].days,
    )


# --- Circles as a member sees them ---------------------------------------------------------------


@bp.get("/circles")
@access.signed_in
def list_circles() -> ResponseReturnValue:
    person = sessions.current_person()
    return render_template("circles/list_circles.html", memberships=queries.memberships_of(person))


@bp.post("/circles/<int:circle_id>/switch")
@access.signed_in
def switch_circle(circle_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    circle, _membership = viewable_circle_or_404(person, circle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session[CURRENT_CIRCLE_KEY] = circle.id
    flash(f"You are now looking at {circle.patient.display_name}'s circle.", "success")
    return redirect(url_for("circles.circle_home", circle_id=circle.id))


@bp.get("/circles/<int:circle_id>")
@access.signed_in
def circle_home(circle_id: int) -> ResponseReturnValue:
    person = sessions.current_person()
    circle, membership = viewable_circle_or_404(person, circle_id)
    if policy.can_view_support_card(person, circle, membership) and circle.has_support_card:
        services.log_access(person, circle, "support_card")
    return render_template(
        "circles/circle_home.html",
        circle=circle,
        viewer=person,
        membership=membership,
        preview=False,
    )


# --- Staff invitations ---------------------------------------------------------------------------


@bp.route("/invitations", methods=["GET", "POST"])
@access.roles("admin", "clinician")
@limiter.limit(_invite_limit, key_func=_per_person, methods=["POST"])
def staff_invitations() -> ResponseReturnValue:
    actor = sessions.current_person()
    form = StaffInviteForm()
    form.offer_roles(policy.invitable_roles(actor))
    if form.validate_on_submit():
        try:
            issued = services.invite_person(
                actor,
                role=form.role.data or "",
                name=form.name.data or "",
                email=form.email.data or "",
                allowed_roles=policy.invitable_roles(actor),
                base_url=_base_url(),
            )
        except services.CircleError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            db.session.commit()
            return render_template("circles/invitation_sent.html", issued=issued)
    status = 422 if form.errors else 200
    return render_template(
        "circles/staff_invitations.html",
        form=form,
        invitations=queries.sent_invitations(actor),
        now=utcnow(),
    ), status


@bp.post("/invitations/<int:invitation_id>/resend")
@access.roles("admin", "clinician")
def resend_staff_invitation(invitation_id: int) -> ResponseReturnValue:
    actor = sessions.current_person()
    invitation = queries.sent_invitation_or_404(actor, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        issued = services.resend(actor, invitation, base_url=_base_url())
    except services.CircleError as error:
        flash(str(error), "error")
        return redirect(url_for("circles.staff_invitations"))
    db.session.commit()
    return render_template("circles/invitation_sent.html", issued=issued, resent=True)


@bp.post("/invitations/<int:invitation_id>/revoke")
@access.roles("admin", "clinician")
def revoke_staff_invitation(invitation_id: int) -> ResponseReturnValue:
    actor = sessions.current_person()
    invitation = queries.sent_invitation_or_404(actor, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.revoke(actor, invitation)
    except services.CircleError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("The invitation is cancelled. Its link no longer works.", "success")
    return redirect(url_for("circles.staff_invitations"))


# --- Joining by link -----------------------------------------------------------------------------


@bp.route("/join/<token>", methods=["GET", "POST"])
@access.public
@limiter.limit("30 per hour", methods=["POST"])
def join(token: str) -> ResponseReturnValue:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render_template("circles/join_invalid.html"), 404
    person = sessions.current_person() if sessions.signed_in() else None
    if person is not None:
        if person.email != invitation.email:
            return render_template("circles/join_wrong_account.html"), 403
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                services.accept(invitation, person)
            except services.CircleError as error:
                db.session.rollback()
                return render_template("circles/join_invalid.html", error=str(error)), 409
            db.session.commit()
            return _after_joining(invitation.kind, invitation.circle_id)
        return render_template("circles/join_confirm.html", invitation=invitation, form=form)
    if find_user_by_email(invitation.email) is not None:
        return render_template("circles/join_sign_in.html", invitation=invitation, token=token)
    join_form = JoinForm()
    if join_form.validate_on_submit():
        try:
            new_person = services.create_account_and_accept(
                invitation,
                display_name=join_form.display_name.data or "",
                password=join_form.password.data or "",
            )
        except services.CircleError as error:
            db.session.rollback()
            join_form.password.errors = [str(error)]
        else:
            new = start_session(
                new_person,
                remember=False,
                device=sessions.describe_device(request.user_agent.string),
            )
            db.session.commit()
            sessions.begin(new)
            return _after_joining(invitation.kind, invitation.circle_id)
    status = 422 if join_form.errors else 200
    return render_template("circles/join_new.html", invitation=invitation, form=join_form), status


def _after_joining(kind: str, circle_id: int | None) -> ResponseReturnValue:
    if circle_id is not None:
        session[CURRENT_CIRCLE_KEY] = circle_id
        flash("Welcome to the circle.", "success")
        return redirect(url_for("circles.circle_home", circle_id=circle_id))
    flash("Welcome to Recovery Circle.", "success")
    return redirect(url_for("main.home"))


def _conflict(error: Exception) -> bool:
    return isinstance(error, services.ConflictError)
