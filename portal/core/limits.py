"""How much one account may post in an hour, in one table.

The outside test could post questions, notes to the care team, encouragement, offers and goal
suggestions as fast as it liked, and each one in crisis language alerted the moderators. These
limits are generous for a person and stop a script; past them the person gets the friendly 429
page and nothing is saved. Sign-in, password and invitation limits live with their routes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from portal.extensions import limiter

POSTING_LIMITS = {
    "qa.ask_question": "30 per hour",  # the review step and "change it" post too
    "qa.send_observation": "10 per hour",
    "goals.encourage": "30 per hour",
    "goals.offer_help": "30 per hour",
    "goals.suggest_goal": "20 per hour",
    "circles.resend_member_invitation": "5 per hour",
    "circles.resend_staff_invitation": "5 per hour",
}


def per_account() -> str:
    return f"account:{current_user.get_id()}"


def limit_for(endpoint: str, factor: int) -> str:
    """The endpoint's limit, times POSTING_LIMIT_FACTOR (1; load tests raise it)."""
    count, rest = POSTING_LIMITS[endpoint].split(" ", 1)
    return f"{int(count) * factor} {rest}"


def apply_posting_limits(app: Flask) -> None:
    """Limit each endpoint's POSTs per account (called once the blueprints are registered)."""
    factor = int(app.config["POSTING_LIMIT_FACTOR"])
    for endpoint in POSTING_LIMITS:
        view = app.view_functions[endpoint]  # a renamed endpoint fails here, at start-up
        limited: Any = limiter.limit(
            limit_for(endpoint, factor), key_func=per_account, methods=["POST"], per_method=True
        )
        app.view_functions[endpoint] = limited(view)
