"""Pages of results that do not count every match: for searches, a count costs as much as the
search itself, and "next" is all a reader needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam

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


class Paged:
    """A statement built once (building costs more than running it), read a page at a time."""

    def __init__(self, statement: Select[*tuple[Any, ...]], *, per_page: int) -> None:
        self.per_page = per_page
        self.statement = statement.offset(bindparam("page_offset")).limit(bindparam("page_limit"))
        self.entity = len(statement.column_descriptions) == 1

    def page(self, number: int, **params: Any) -> Slice[Any]:
        """Rows for page ``number`` (from 1), reading one extra row to learn whether more follow."""
        number = max(1, number)
        window = {"page_offset": (number - 1) * self.per_page, "page_limit": self.per_page + 1}
        result = db.session.execute(self.statement, {**params, **window})
        return _slice(
            list(result.scalars() if self.entity else result.all()), number, self.per_page
        )


def slice_of(statement: Select[Any], *, page: int, per_page: int) -> Slice[Any]:
    """Rows for ``page`` (from 1) of a statement built for this request (a search)."""
    page = max(1, page)
    rows = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return _slice(rows, page, per_page)


def _slice(rows: list[Any], page: int, per_page: int) -> Slice[Any]:
    """The page's rows; the one extra row read tells whether another page follows."""
    return Slice(rows[:per_page], page, len(rows) > per_page)
