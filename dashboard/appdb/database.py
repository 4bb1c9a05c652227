"""The app's own small SQLite database (WAL): what the app writes, apart from the store.

Targets, plans, accounts, audit and saved import mappings live here, so swapping in a
new store never touches them. Each feature keeps its DDL in queries/app/schema_*.sql
(idempotent `create table if not exists`), applied on connect; its statements are
queries/app/<name>.sql with SQLite :named parameters. A column added to a table after its
first release also has a migration (MIGRATIONS), run once on a database that lacks it.
"""

import contextlib
import os
import sqlite3
from pathlib import Path

import settings
import sql
from store import at_rest


def schema_names() -> list[str]:
    """Names of the app schema files, e.g. 'app/schema_audit', in a stable order."""
    files = sorted((settings.QUERIES_DIR / "app").glob("schema_*.sql"))
    return [f"app/{f.stem}" for f in files]


# (table, column, statement adding it): an app database made before the column gains it.
MIGRATIONS = (
    ("accounts", "agency", "app/migrate_accounts_agency"),
    ("accounts", "provinces", "app/migrate_accounts_provinces"),
)


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    rows = con.execute(sql.load_query("app/table_columns"), {"table_name": table})
    return {row["name"] for row in rows}


def migrate(con: sqlite3.Connection) -> None:
    """Add the columns of MIGRATIONS that the database lacks, each once.

    The check runs again under the write lock, so two processes opening an old database
    at once add each column once.
    """
    for table, column, name in MIGRATIONS:
        if column in _columns(con, table):
            continue
        with con:
            con.execute("begin immediate")
            if column not in _columns(con, table):
                con.execute(sql.load_query(name))


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (and if needed create) the app database; one connection per thread."""
    path = Path(path or settings.app_db_path())
    path.parent.mkdir(mode=at_rest.folder_mode(), parents=True, exist_ok=True)
    _create_private(path)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("pragma journal_mode = wal")
    con.execute("pragma foreign_keys = on")
    for name in schema_names():
        con.executescript(sql.load_query(name))
    migrate(con)
    return con


def _create_private(path: Path) -> None:
    """Create the database file with the private mode, and keep it (and its WAL) so.

    SQLite creates a missing file with the umask's mode and gives its -wal and -shm files
    the database file's own; an empty file is a valid empty database. Files made before
    (or by SQLite itself) are brought to the mode too (store/at_rest.py).
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, at_rest.file_mode()))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        at_rest.protect(part)


def execute(name: str, params: dict | None = None, path: Path | None = None) -> list[dict]:
    """Run queries/app/<name>.sql (:named params) on the app database; rows as dicts."""
    con = connect(path)
    try:
        with con:
            rows = con.execute(sql.load_query(f"app/{name}"), params or {}).fetchall()
        return [dict(r) for r in rows]
    finally:
        con.close()
