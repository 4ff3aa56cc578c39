"""Sign in and out, forgotten passwords, and the person's own account settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.audit.log import record
from portal.auth import services, sessions, two_factor
from portal.auth.forms import (
    ChangePasswordForm,
    DisplayNameForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    TwoFactorForm,
)
from portal.auth.models import User
from portal.auth.throttle import lockout_remaining, note_failure
from portal.core import access
from portal.core.forms import ConfirmForm
from portal.extensions import db, limiter
from portal.notifications.mail import send_after_response

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after sign-in, or None for anything that could leave it."""
    if not target:
        return None
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil" would become "//evil".
    cleaned = "".join(ch for ch in target if ch.isprintable() and not ch.isspace())
    if "\\" in cleaned or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                email=form.email.data or "", password=form.password.data or ""
            )
        except services.SignInLockedError as error:
            db.session.commit()
            return render_template("auth/login.html", form=form, error=str(error)), 429
        except services.AccountError as error:
            db.session.commit()  # the failure count and the audit row must stick
            return render_template("auth/login.html", form=form, error=str(error)), 401
        if user.has_two_factor:
            db.session.commit()
            sessions.await_second_factor(user, remember=bool(form.remember.data))
            return redirect(url_for("auth.second_factor", next=request.args.get("next")))
        new = services.start_session(
            user,
            remember=bool(form.remember.data),
            device=sessions.describe_device(request.user_agent.string),
        )
        db.session.commit()
        sessions.begin(new)
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    status = 422 if form.errors else 200
    signed_out = request.args.get("signed_out") == "1"
    return render_template("auth/login.html", form=form, signed_out=signed_out), status


@bp.route("/login/two-factor", methods=["GET", "POST"])
@access.public
@limiter.limit(_login_limit, methods=["POST"])
def second_factor() -> ResponseReturnValue:
    """The second step of a staff sign-in: a code from the authenticator app."""
    pending = sessions.pending_second_factor()
    if pending is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    user, remember = pending
    form = TwoFactorForm()
    if form.validate_on_submit():
        locked = lockout_remaining(user.email)
        if locked:
            return render_template(
                "auth/second_factor.html", form=form, error=str(services.SignInLockedError(locked))
            ), 429
        try:
            two_factor.verify(user, form.code.data or "")
        except two_factor.TwoFactorError as error:
            note_failure(user.email)
            record("auth.two_factor_failed", target_type="user", target_id=user.id)
            db.session.commit()
            return render_template("auth/second_factor.html", form=form, error=str(error)), 401
        new = services.start_session(
            user, remember=remember, device=sessions.describe_device(request.user_agent.string)
        )
        db.session.commit()
        sessions.begin(new)
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/second_factor.html", form=form), 422 if form.errors else 200


@bp.get("/account/two-factor")
@access.signed_in
def two_factor_settings() -> ResponseReturnValue:
    return render_template("auth/two_factor.html", person=sessions.current_person())


@bp.post("/account/two-factor/start")
@access.signed_in
def start_two_factor() -> ResponseReturnValue:
    person = sessions.current_person()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    two_factor.begin_setup(person)
    db.session.commit()
    return redirect(url_for("auth.confirm_two_factor"))


@bp.route("/account/two-factor/confirm", methods=["GET", "POST"])
@access.signed_in
def confirm_two_factor() -> ResponseReturnValue:
    person = sessions.current_person()
    if not person.totp_pending_secret:
        return redirect(url_for("auth.two_factor_settings"))
    form = TwoFactorForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_setup(person, form.code.data or "")
        except two_factor.TwoFactorError as problem:
            error = str(problem)
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = two_factor.provisioning_uri(person)
    return render_template(
        "auth/confirm_two_factor.html",
        form=form,
        error=error,
        secret=person.totp_pending_secret,
        qr=two_factor.qr_svg(uri),
    ), (422 if (form.errors or error) else 200)


def _per_account() -> str:
    return f"account:{current_user.get_id()}"


def _per_new_address() -> str:
    return "new-address:" + services.normalise_email(request.form.get("new_email", ""))


@bp.route("/account/email-address", methods=["GET", "POST"])
@access.signed_in
@limiter.limit("5 per hour", methods=["POST"], key_func=_per_account)
@limiter.limit("3 per day", methods=["POST"], key_func=_per_new_address)
def change_email() -> ResponseReturnValue:
    person = sessions.current_person()
    form = EmailChangeForm()
    if form.validate_on_submit():
        send_after_response()  # a link or an "in use" notice: neither may show in the timing
        try:
            services.request_email_change(
                person,
                new_email=form.new_email.data or "",
                password=form.password.data or "",
                base_url=current_app.config["PUBLIC_BASE_URL"],
            )
        except services.WrongPasswordError as error:
            form.password.errors = [str(error)]
        except services.AccountError as error:
            form.new_email.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                "If that address can be used, we sent it a link. Your email changes only when "
                "you open the link and confirm.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_email.html", form=form), 422 if form.errors else 200


@bp.route("/account/email-address/<token>", methods=["GET", "POST"])
@access.public
def confirm_email(token: str) -> ResponseReturnValue:
    """The link shows a button; only pressing it (a POST) changes the address, so a mail
    scanner or a link preview that opens the link changes nothing."""
    found = services.email_change_for(token)
    if found is None:
        return render_template("auth/email_link_invalid.html"), 404
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        # signed_in() loads the visitor's session first: the one that confirms stays signed in.
        keep = sessions.current_session() if sessions.signed_in() else None
        person = services.confirm_email_change(token, keep=keep)
        if person is None:
            return render_template("auth/email_link_invalid.html"), 404
        db.session.commit()
        flash(f"Your email is now {person.email}. You were signed out everywhere else.", "success")
        return redirect(url_for("auth.account" if sessions.signed_in() else "auth.login"))
    return render_template("auth/confirm_email.html", form=form, new_email=found[1])


@bp.post("/logout")
@access.signed_in
def logout() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        row = sessions.current_session()
        if row is not None:
            services.end_session(row)
        record("auth.sign_out", actor=current_user, target_type="user", target_id=current_user.id)
        db.session.commit()
        sessions.finish()
    response = redirect(url_for("auth.login", signed_out=1))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@access.public
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_after_response()  # the same answer, as fast, for addresses with and without one
        services.request_password_reset(
            email=form.email.data or "", base_url=current_app.config["PUBLIC_BASE_URL"]
        )
        db.session.commit()
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access.public
def reset_password(token: str) -> ResponseReturnValue:
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_password_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, new=form.password.data or "")
        except services.AccountError as error:
            form.password.errors = [str(error)]
        else:
            db.session.commit()
            sessions.finish()
            flash("Your password is changed. Please sign in with it.", "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, user=user), status


def _render_account(
    name_form: DisplayNameForm, password_form: ChangePasswordForm, status: int = 200
) -> ResponseReturnValue:
    person = sessions.current_person()
    return render_template(
        "auth/account.html",
        name_form=name_form,
        password_form=password_form,
        open_sessions=services.open_sessions(person),
        this_session=sessions.current_session(),
    ), status


@bp.get("/account")
@access.signed_in
def account() -> ResponseReturnValue:
    return _render_account(
        DisplayNameForm(display_name=current_user.display_name), ChangePasswordForm()
    )


@bp.post("/account/sessions/end-others")
@access.signed_in
def end_other_sessions() -> ResponseReturnValue:
    """Sign out everywhere else: every other browser needs the password again."""
    person = sessions.current_person()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = services.end_all_sessions(person, keep=sessions.current_session())
    record(
        "auth.sign_out_everywhere",
        actor=person,
        target_type="user",
        target_id=person.id,
        detail=f"{ended} other sessions",
    )
    db.session.commit()
    flash(
        "Every other device is signed out." if ended else "No other device was signed in.",
        "success",
    )
    return redirect(url_for("auth.account", _anchor="sessions"))


@bp.post("/account/name")
@access.signed_in
def change_name() -> ResponseReturnValue:
    user: User = sessions.current_person()
    form = DisplayNameForm()
    if form.validate_on_submit():
        try:
            services.change_display_name(user, display_name=form.display_name.data or "")
        except services.AccountError as error:
            form.display_name.errors = [str(error)]
        else:
            db.session.commit()
            flash("Your name is saved.", "success")
            return redirect(url_for("auth.account"))
    return _render_account(form, ChangePasswordForm(), 422)


@bp.post("/account/password")
@access.signed_in
def change_password() -> ResponseReturnValue:
    user: User = sessions.current_person()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user, current=form.current_password.data or "", new=form.password.data or ""
            )
        except services.WrongPasswordError as error:
            form.current_password.errors = [str(error)]
        except services.AccountError as error:
            form.password.errors = [str(error)]
        else:
            # Every earlier session ended with the change; this browser gets a fresh one.
            new = services.start_session(
                user, remember=False, device=sessions.describe_device(request.user_agent.string)
            )
            db.session.commit()
            sessions.begin(new)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return _render_account(DisplayNameForm(display_name=user.display_name), form, 422)
