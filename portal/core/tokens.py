"""Digests for secrets kept server-side: tokens are stored hashed, never as typed or sent."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy random token (no key needed: the token cannot be guessed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC of a low-entropy value (an email address) under the app's secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
