"""The app's own small SQLite database (WAL): what the app writes, apart from the store.

Targets, plans, accounts, audit and saved import mappings live here, so swapping in a
new store never touches them. Each feature keeps its DDL in queries/app/schema_*.sql
(idempotent `create table if not exists`), applied on connect; its statements are
queries/app/<name>.sql with SQLite :named parameters.
"""

import sqlite3
from pathlib import Path

import settings
import sql


def schema_names() -> list[str]:
    """Names of the app schema files, e.g. 'app/schema_audit', in a stable order."""
    files = sorted((settings.QUERIES_DIR / "app").glob("schema_*.sql"))
    return [f"app/{f.stem}" for f in files]


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (and if needed create) the app database; one connection per thread."""
    path = Path(path or settings.app_db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("pragma journal_mode = wal")
    con.execute("pragma foreign_keys = on")
    for name in schema_names():
        con.executescript(sql.load_query(name))
    return con


def execute(name: str, params: dict | None = None, path: Path | None = None) -> list[dict]:
    """Run queries/app/<name>.sql (:named params) on the app database; rows as dicts."""
    con = connect(path)
    try:
        with con:
            rows = con.execute(sql.load_query(f"app/{name}"), params or {}).fetchall()
        return [dict(r) for r in rows]
    finally:
        con.close()
