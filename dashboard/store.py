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
    """Open the current version of the store read-only; take a cursor() per thread.

    DuckDB caches open databases by path within a process, so reopening the store's own
    path after a swap would return the old version. Each version is therefore opened
    through a hard link named after it under .snapshots/ (no copy); links of earlier
    versions are removed, while connections that still hold them keep their snapshot.
    """
    path = Path(path)
    snapshots = path.parent / ".snapshots"
    snapshots.mkdir(exist_ok=True)
    for _ in range(20):
        link = _snapshot_link(path, snapshots)
        for old in snapshots.glob(f"{path.stem}-*.duckdb"):
            if old != link:
                old.unlink(missing_ok=True)
        try:
            return duckdb.connect(str(link), read_only=True)
        except duckdb.IOException:
            # another process pruned this link after a newer swap: take the newer version
            if link.exists():
                raise
    raise StoreMissing(f"the store at {path} kept changing while being opened")


def _snapshot_link(path: Path, snapshots: Path) -> Path:
    """A hard link to the store's current file, named after its version."""
    while True:
        link = snapshots / f"{path.stem}-{version(path)}.duckdb"
        with contextlib.suppress(FileExistsError):
            os.link(path, link)
        if _same_file(link, path):
            return link
        link.unlink(missing_ok=True)  # swapped between stat and link: try again


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except FileNotFoundError:
        return False


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet."""
    con.execute(sql.load_query("schema/store"))


def refresh_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables (persons, coverage_cube) from the base tables."""
    con.execute(sql.load_query("schema/aggregates"))


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
            con = duckdb.connect(str(tmp))
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


def execute_with(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Run queries/<name>.sql with the frame visible to it as the table `incoming`."""
    con.register("incoming", frame)
    try:
        con.execute(sql.load_query(name))
    finally:
        con.unregister("incoming")


def next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next free import batch id."""
    return con.execute(sql.load_query("schema/next_batch_id")).fetchone()[0]
