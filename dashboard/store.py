"""Owns the DuckDB store file: schema, read-only snapshots, and atomic swap-in of new versions.

Concurrency design: the app only ever opens the store read-only. A writer (demo build,
import) works on a private copy beside the store, rebuilds the aggregates there,
checkpoints and closes it, then renames it over the store with os.replace. Readers that
already hold the old file keep reading that complete snapshot; the next read opens the new
one (the app keys its connection by file identity). Readers therefore never meet a lock or
a half-written store. Writers queue on an flock so two imports never race. The replaced
file is kept under versions/ so a bad import can be undone.
"""

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

import settings
import sql

KEEP_VERSIONS = 5
# Writers stay within a bounded memory (spilling to disk beyond it), whatever the store's size.
WRITER_CONFIG = {"memory_limit": "4GB", "preserve_insertion_order": False}


class StoreMissing(FileNotFoundError):
    """The store file does not exist yet."""


def version(path: Path) -> str:
    """Identity of the store file now: changes whenever a new version is swapped in."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise StoreMissing(f"no store at {path}: run `python -m dashboard demo`") from exc
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def open_read(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the store read-only; each thread should take its own cursor().

    DuckDB shares one database instance per path within a process: while an older
    snapshot is still open, connecting to the same path would return that old instance,
    not the version just swapped in. So the file is opened through a private hard link
    (removed at once; the open file stays readable), giving each version its own instance.
    """
    version(path)
    link = path.with_name(f".{path.name}.{uuid.uuid4().hex}.read")
    try:
        os.link(path, link)
    except OSError:
        return duckdb.connect(str(path), read_only=True)
    try:
        return duckdb.connect(str(link), read_only=True)
    finally:
        link.unlink(missing_ok=True)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet."""
    con.execute(sql.load_query("schema/store"))


def refresh_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (persons, coverage_cube) from the base tables.

    The cube is built a province at a time: its groups include the province, so the
    parts are disjoint and each pass holds only one province's person-months in memory.
    """
    con.execute(sql.load_query("schema/aggregates"))
    provinces = con.execute(sql.load_query("schema/person_provinces")).fetchall()
    for (province,) in provinces:
        con.execute(sql.load_query("schema/coverage_cube_part"), {"province": province})
    con.execute(sql.load_query("schema/coverage_cube_final"))


def set_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    """Upsert key/value pairs into store_meta."""
    for key, value in values.items():
        con.execute(sql.load_query("schema/upsert_meta"), {"key": key, "value": value})


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def write_session(path: Path | None = None, *, fresh: bool = False):
    """Yield a writable connection to a private copy of the store, then swap it in.

    On a normal exit the aggregates are rebuilt, the copy is checkpointed and atomically
    renamed over the store; on an exception the copy is deleted and the store is untouched.

    Args:
        path: the store; defaults to settings.store_path().
        fresh: start from an empty store instead of a copy of the current one.
    """
    path = Path(path or settings.store_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            if path.exists() and not fresh:
                shutil.copyfile(path, tmp)
            con = duckdb.connect(str(tmp), config=WRITER_CONFIG)
            try:
                create_schema(con)
                yield con
                refresh_aggregates(con)
                con.execute("checkpoint")
            finally:
                con.close()
            _fsync(tmp)
            _archive(path)
            os.replace(tmp, path)
            _fsync(path.parent)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _archive(path: Path) -> None:
    """Keep the outgoing store under versions/ (a hard link: no copy), pruning old ones."""
    if not path.exists():
        return
    versions = path.parent / "versions"
    versions.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = versions / f"{path.stem}-{stamp}.duckdb"
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    kept = sorted(versions.glob(f"{path.stem}-*.duckdb"))
    for old in kept[:-KEEP_VERSIONS]:
        old.unlink(missing_ok=True)


def list_versions(path: Path | None = None) -> list[Path]:
    """Earlier versions of the store, oldest first."""
    path = Path(path or settings.store_path())
    return sorted((path.parent / "versions").glob(f"{path.stem}-*.duckdb"))


WRITABLE_TABLES = frozenset(
    {
        "provinces",
        "districts",
        "communes",
        "sources",
        "services",
        "occupations",
        "age_bands",
        "eligibility_rules",
        "population_estimates",
        "import_batches",
        "registrations",
        "uptake",
        "person_ids",
        "linkage_features",
    }
)


def _checked(table: str) -> str:
    if table not in WRITABLE_TABLES:
        raise ValueError(f"not a writable table: {table!r}")
    return table


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame's rows into a table, matching columns by name (extra columns ignored)."""
    columns = con.table(_checked(table)).columns
    con.register("incoming", frame[[c for c in frame.columns if c in columns]])
    try:
        con.execute(f"insert into {_checked(table)} by name select * from incoming")  # noqa: S608
    finally:
        con.unregister("incoming")


def replace(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace every row of a table with the frame's rows."""
    con.execute(f"delete from {_checked(table)}")  # noqa: S608 - allow-listed identifier
    append(con, table, frame)


def execute_with(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, **params: object
) -> None:
    """Run queries/<name>.sql with the frame visible to it as the table `incoming`."""
    con.register("incoming", frame)
    try:
        con.execute(sql.load_query(name), params or None)
    finally:
        con.unregister("incoming")


def next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next free import batch id."""
    return con.execute(sql.load_query("schema/next_batch_id")).fetchone()[0]


def query_with(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, **params: object
) -> pd.DataFrame:
    """Run the SELECT queries/<name>.sql with the frame visible as `incoming`; rows as a frame."""
    con.register("incoming", frame)
    try:
        return con.execute(sql.load_query(name), params or None).df()
    finally:
        con.unregister("incoming")


def run_statement(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """Run queries/<name>.sql (a writer's statement or SELECT) with bound parameters."""
    return con.execute(sql.load_query(name), params or None).df()


def restore(version_file: Path, path: Path | None = None) -> None:
    """Make an earlier version (from list_versions) the store again; the current one is kept."""
    path = Path(path or settings.store_path())
    version_file = Path(version_file)
    if version_file not in list_versions(path):
        raise ValueError(f"not a kept version of {path}: {version_file}")
    with _writer_lock(path):
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(version_file, tmp)
            _fsync(tmp)
            _archive(path)
            os.replace(tmp, path)
            _fsync(path.parent)
        finally:
            tmp.unlink(missing_ok=True)


# Columns added last to the schema: a store without them was built by older code.
NEWEST_COLUMNS = {("registrations", "ended_batch_id"), ("import_batches", "invalid_rows")}


def upgrade_schema(path: Path | None = None) -> bool:
    """Bring an existing store's schema up to date (new tables and columns); True if it did.

    Every write session applies the idempotent schema, so one empty session suffices; the
    data is untouched and the aggregates are rebuilt.
    """
    path = Path(path or settings.store_path())
    con = open_read(path)
    try:
        columns = con.execute(sql.load_query("schema/schema_columns")).fetchall()
    finally:
        con.close()
    if set(columns) >= NEWEST_COLUMNS:
        return False
    with write_session(path):
        pass
    return True
