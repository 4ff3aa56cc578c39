"""Endpoint access rules: every endpoint declares who may reach it, and one hook enforces it.

Default deny: an endpoint with no rule answers 500 in production and fails the URL-map test, so a
new route cannot ship without someone deciding who may open it. Object-level questions ("may this
person see this goal?") are answered by ``portal.policy`` inside the route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

View = TypeVar("View", bound=Callable[..., Any])

RULE_ATTRIBUTE = "_access_rule"


@dataclass(frozen=True)
class Rule:
    """Who may reach an endpoint: anyone, anyone signed in, or people holding one of ``roles``."""

    public: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        if self.public:
            return "public"
        return "roles: " + ", ".join(sorted(self.roles)) if self.roles else "signed in"


PUBLIC = Rule(public=True)
SIGNED_IN = Rule()


def _mark(rule: Rule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, RULE_ATTRIBUTE, rule)
        return view

    return decorate


public = _mark(PUBLIC)
signed_in = _mark(SIGNED_IN)


def roles(*names: str) -> Callable[[View], View]:
    return _mark(Rule(roles=frozenset(names)))


_blueprint_rules: dict[str, Rule] = {}


def restrict_blueprint(blueprint: Blueprint, rule: Rule) -> None:
    """Give every endpoint of ``blueprint`` the same rule (staff areas check their role once)."""
    _blueprint_rules[blueprint.name] = rule


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    own: Rule | None = getattr(view, RULE_ATTRIBUTE, None)
    if own is not None:
        return own
    blueprint = endpoint.rpartition(".")[0]
    return _blueprint_rules.get(blueprint)


def holds_any(user: Any, wanted: Iterable[str]) -> bool:
    return bool(set(wanted) & user.role_set)


def enforce_access() -> Any:
    """``before_request`` hook: refuse the request unless the endpoint's rule lets it through."""
    if request.endpoint is None:  # no route matched: let the 404 handler answer
        return None
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s has no access rule", request.endpoint)
        abort(500)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if rule.roles and not holds_any(current_user, rule.roles):
        abort(403)
    return None


def require(allowed: bool) -> None:
    """Stop with 403 when a policy said no to an action on an object the person may see."""
    if not allowed:
        abort(403)


def not_found() -> NoReturn:
    abort(404)
