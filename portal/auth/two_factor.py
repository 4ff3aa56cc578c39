"""Two-factor sign-in for staff: TOTP (an authenticator app) plus one-time recovery codes.

A code is accepted once: the last used time step is stored, so a code seen over someone's
shoulder cannot be replayed within its 30 seconds.
"""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select

from portal.audit.log import record
from portal.auth.models import RecoveryCode, User
from portal.core.tokens import token_digest
from portal.db import utcnow
from portal.extensions import db

ISSUER = "Recovery Circle"
RECOVERY_CODES = 10


class TwoFactorError(ValueError):
    """A wrong or used code; the message is fit to show."""


def begin_setup(user: User) -> str:
    """Make a new secret to confirm; the current one (if any) stays until it is confirmed."""
    user.totp_pending_secret = pyotp.random_base32()
    return user.totp_pending_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_pending_secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG made on the server (no image request, no third party)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#1b1b1b", light="#ffffff", title="QR code for your authenticator app"
    )
    return Markup(svg)  # noqa: S704 - segno's own markup for a URI we built


def _matching_step(secret: str, code: str, last_step: int) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):  # allow one step of clock drift
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_setup(user: User, code: str) -> list[str]:
    """Turn two-factor on once a code from the new secret checks out; return recovery codes."""
    step = _matching_step(user.totp_pending_secret, code, 0) if user.totp_pending_secret else None
    if step is None:
        raise TwoFactorError("That code did not match. Check the time on your phone and try again.")
    user.totp_secret, user.totp_pending_secret, user.totp_last_step = (
        user.totp_pending_secret,
        "",
        step,
    )
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=token_digest(c)) for c in codes)
    record("auth.two_factor_enabled", actor=user, target_type="user", target_id=user.id)
    return codes


def verify(user: User, code: str) -> None:
    """Accept a current authenticator code or an unused recovery code, or raise."""
    step = _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return
    cleaned = code.strip().lower()
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_digest(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        raise TwoFactorError("That code did not work. Try the newest code from your app.")
    recovery.used_at = utcnow()
    record("auth.recovery_code_used", actor=user, target_type="user", target_id=user.id)
