"""Password rules: long enough, not a common password, not the person's own email or name."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 1024  # long passphrases are welcome; this only stops absurd request bodies


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("portal.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Return what is wrong with a new password, in words a person can act on."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. A short sentence works well."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) < 3:
        return ["That password is too common and easy to guess. Try a short sentence instead."]
    local_part = email.split("@", 1)[0].lower()
    if folded in {email.lower(), local_part, name.strip().lower()}:
        return ["Your password should not be your email address or your name."]
    return []


def hash_password(password: str) -> str:
    # The cost is a setting so the test suite can use a cheaper (still scrypt) hash.
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def dummy_hash() -> str:
    """Checked against when the email is unknown, so both answers take the same time."""
    if "dummy_password_hash" not in current_app.extensions:
        current_app.extensions["dummy_password_hash"] = hash_password("not-a-real-password")
    return str(current_app.extensions["dummy_password_hash"])
