"""Backups of the SQLite database with SQLite's online backup API (safe while the portal runs).

PostgreSQL deployments use ``pg_dump``/``pg_restore`` instead (see README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError("The backup command is for SQLite; use pg_dump for PostgreSQL.")
    return Path(url.database)


def backup(database_url: str, target: Path) -> Path:
    """Copy a consistent snapshot of the live database to ``target`` (a new file)."""
    source = sqlite_path(database_url)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    return target


def restore(backup_file: Path, database_url: str) -> None:
    """Copy a backup into an empty database file (refuses to overwrite one with data)."""
    target = sqlite_path(database_url)
    if target.exists() and target.stat().st_size > 0:
        with sqlite3.connect(target) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
            if tables.fetchone()[0]:
                raise FileExistsError(f"{target} already holds data; restore into an empty file.")
    with sqlite3.connect(backup_file) as saved, sqlite3.connect(target) as fresh:
        saved.backup(fresh)
