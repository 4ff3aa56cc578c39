"""What a URL or a query string may carry: ids the database can hold, and page numbers in range.

A huge number in a URL (``/goals/99999999999999999999``) used to reach the database and fail
there with a 500; an id beyond any row's is simply not found.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite holds more, no row ever gets near it
LAST_PAGE = 10_000


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number too large for an id does not match (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def page_arg() -> int:
    """``?page=`` as a page number from 1 to LAST_PAGE; anything else is the first page."""
    page = request.args.get("page", 1, type=int)
    return page if page is not None and 1 <= page <= LAST_PAGE else 1


def id_from_form(name: str) -> int | None:
    """A form field holding an id, or None when it is missing or could not be one."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 < value <= LARGEST_ID else None
