"""Deleting an account: what the person wrote privately goes; what helps others stays, anonymous.

Most of the erasure is the database's own ON DELETE rules (sessions, memberships, progress,
notes and, for a patient, the whole circle with its board and invitations cascade; authorship
of encouragement, offers and published questions is set to NULL, shown as "a former member").
What the rules cannot reach is removed here first.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from portal.audit.log import record
from portal.auth.models import LoginThrottle, Role, User
from portal.auth.passwords import verify_password
from portal.core.tokens import keyed_digest
from portal.extensions import db
from portal.goals.models import BoardActivity
from portal.notifications.models import OutgoingEmail
from portal.qa.models import Question
from portal.qa.search import index_question


class DeletionError(ValueError):
    """The account cannot be deleted as asked; the message says why."""


def delete_account(person: User, *, password: str) -> None:
    if not verify_password(person.password_hash, password):
        raise DeletionError("That password is not right. Nothing was deleted.")
    if person.has_role(Role.ADMIN.value):
        admins = (
            db.session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.roles.contains(Role.ADMIN.value), User.active.is_(True))
            )
            or 0
        )
        if admins <= 1:
            raise DeletionError(
                "You are the only administrator. Make someone else an administrator first."
            )
    user_id = person.id
    # Unpublished questions are the person's private words: they go. Published ones stay,
    # anonymous, because their answers help other families.
    db.session.execute(
        delete(Question).where(
            Question.asker_id == user_id,
            Question.status.not_in(("published", "answered", "duplicate")),
        )
    )
    for question in db.session.scalars(select(Question).where(Question.asker_id == user_id)):
        question.asker_relationship = ""
        question.anonymous = True
        index_question(question)
    # Activity lines carry the person's name in their text.
    db.session.execute(delete(BoardActivity).where(BoardActivity.actor_id == user_id))
    db.session.execute(delete(OutgoingEmail).where(OutgoingEmail.to_address == person.email))
    db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.email_digest == keyed_digest("throttle", person.email)
        )
    )
    record("account.deleted", actor=None, target_type="user", target_id=user_id)
    db.session.delete(person)
    db.session.flush()
