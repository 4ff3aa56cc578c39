"""Pages of results that do not count every match: for searches, a count costs as much as the
search itself, and "next" is all a reader needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from portal.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Slice(Generic[T]):
    items: list[T]
    page: int
    has_next: bool
    pages: None = None  # unknown on purpose; the pager shows "Page N" alone

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def slice_of(statement: Select[Any], *, page: int, per_page: int) -> Slice[Any]:
    """Rows for ``page`` (from 1), fetching one extra row to learn whether another page follows."""
    page = max(1, page)
    rows = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return Slice(rows[:per_page], page, len(rows) > per_page)
