"""Full-text search over published questions: SQLite FTS5 or PostgreSQL text search, one API.

SQLite keeps a separate FTS5 table, filled when a question is published or edited; PostgreSQL
uses an expression index over the title and body. Neither object is in the SQLAlchemy metadata,
so migrations create them and ``is_search_object`` keeps Alembic's comparison from seeing them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal_column, select, text
from sqlalchemy.sql import Select

from portal.extensions import db
from portal.qa.models import Question

FTS_TABLE = "questions_fts"
PG_INDEX = "ix_questions_fulltext"
PG_DOCUMENT = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))"
MAX_TERMS = 8
DELETE_ENTRY = text("DELETE FROM questions_fts WHERE question_id = :id")
INSERT_ENTRY = text("INSERT INTO questions_fts (question_id, title, body) VALUES (:id, :t, :b)")


def is_search_object(name: str | None) -> bool:
    return bool(name) and (str(name).startswith(FTS_TABLE) or name == PG_INDEX)


def install(connection: Connection) -> None:
    """Create the search structures for this database (idempotent)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "question_id UNINDEXED, title, body, tokenize='porter unicode61')"
        )
    else:
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON questions USING gin (({PG_DOCUMENT}))"
        )


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    else:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def index_question(question: Question) -> None:
    """Keep the SQLite index in step with a published question (PostgreSQL needs nothing)."""
    if not _sqlite():
        return
    db.session.execute(DELETE_ENTRY, {"id": question.id})
    if question.status in {"published", "answered"}:
        db.session.execute(
            INSERT_ENTRY, {"id": question.id, "t": question.title, "b": question.body}
        )


def terms(query: str) -> list[str]:
    """Plain words only: nothing a person types can change the shape of the search query."""
    return [w.lower() for w in re.findall(r"\w+", query or "") if len(w) > 1][:MAX_TERMS]


def matching(statement: Select[Any], query: str, *, every_word: bool = False) -> Select[Any]:
    """Restrict ``statement`` (over Question) to matches for ``query``, best first: questions
    with any of the words, or with ``every_word`` only those that have them all."""
    words = terms(query)
    if not words:
        return statement.where(literal_column("0") == literal_column("1"))
    if _sqlite():
        fts = (" AND " if every_word else " OR ").join(f'"{w}"*' for w in words)
        ranked = (
            select(
                literal_column("question_id").label("qid"),
                # FTS5's own rank column is bm25 too, computed twice as fast as bm25().
                literal_column("rank").label("rank"),
            )
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts").bindparams(fts=fts))
            .subquery()
        )
        return statement.join(ranked, ranked.c.qid == Question.id).order_by(ranked.c.rank)
    tsquery = (" & " if every_word else " | ").join(f"{w}:*" for w in words)
    document: ColumnElement[Any] = literal_column(
        PG_DOCUMENT.replace("(title", "(questions.title").replace("(body", "(questions.body")
    )
    condition: ColumnElement[bool] = document.op("@@")(func.to_tsquery("english", tsquery))
    return statement.where(condition).order_by(
        func.ts_rank(document, func.to_tsquery("english", tsquery)).desc()
    )
