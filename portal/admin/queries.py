"""Lists for the admin pages, with what each row shows loaded in the same query."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db

PAGE_SIZE = 50


def audit_events(*, person: str = "", action: str = "", page: int = 1) -> Pagination:
    statement: Select[AuditEvent] = select(AuditEvent).order_by(
        AuditEvent.created_at.desc(), AuditEvent.id.desc()
    )
    if action:
        statement = statement.where(AuditEvent.action == action)
    if person:
        term = f"%{person.strip().lower()}%"
        people = select(User.id).where(or_(User.email.like(term), User.display_name.ilike(term)))
        statement = statement.where(
            or_(
                AuditEvent.actor_id.in_(people),
                (AuditEvent.target_type == "user") & AuditEvent.target_id.in_(people),
            )
        )
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)


def people_by_id(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def people(*, search: str = "", page: int = 1) -> Pagination:
    statement = select(User).order_by(User.display_name, User.id)
    if search:
        term = f"%{search.strip().lower()}%"
        statement = statement.where(or_(User.email.like(term), User.display_name.ilike(term)))
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)


def person_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)
