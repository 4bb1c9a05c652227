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
import errno
import fcntl
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import settings
import sql
from store import aggregates, at_rest, faults

KEEP_VERSIONS = 5  # versions kept when the store says nothing (meta versions_kept)
VERSIONS_KEPT_RANGE = (1, 100)
# Write sessions (by connection id) that changed no data: a rejected or duplicate import,
# a setting. The store they replace is not kept as a version (`unchanged`).
_UNCHANGED: set[int] = set()
# Writers stay within a bounded memory (spilling to disk beyond it), whatever the store's size.
WRITER_CONFIG = {"memory_limit": "4GB", "preserve_insertion_order": False}


class StoreMissing(FileNotFoundError):
    """The store file does not exist yet."""


class StoreDamaged(RuntimeError):
    """The store file cannot be read: truncated, overwritten or otherwise corrupt."""


class DiskFull(OSError):
    """No room to write a new version of the store; the store itself is unchanged."""


class StoreOutdated(RuntimeError):
    """The store was built by an older version of the code: its tables do not fit the queries."""


class VersionGone(RuntimeError):
    """The store version asked for has been replaced and can no longer be opened."""


# What DuckDB says about a damaged file, and what the system says about a full disk.
DAMAGE_SIGNS = ("Corrupt database file", "not a valid DuckDB database", "Could not read enough")
NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
NO_SPACE_SIGNS = ("No space left", "File too large", "Disk quota exceeded")


def version(path: Path) -> str:
    """Identity of the store file now: changes whenever a new version is swapped in."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise StoreMissing(f"no store at {path}: run `python -m dashboard demo`") from exc
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def open_read(path: Path, expected: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the current version of the store read-only; take a cursor() per thread.

    DuckDB caches open databases by path within a process, so reopening the store's own
    path after a swap would return the old version. Each version is therefore opened
    through a hard link named after it under .snapshots/ (no copy); links of earlier
    versions are removed, while connections that still hold them keep their snapshot.

    Args:
        path: the store.
        expected: a version (from `version`) that must be the one opened; VersionGone
            if it has been replaced in the meantime.
    """
    path = Path(path)
    snapshots = path.parent / ".snapshots"
    snapshots.mkdir(mode=at_rest.folder_mode(), exist_ok=True)  # links: the store's own mode
    for _ in range(20):
        link = _snapshot_link(path, snapshots, expected)
        for old in snapshots.glob(f"{path.stem}-*.duckdb"):
            if old != link:
                old.unlink(missing_ok=True)
        try:
            con = duckdb.connect(str(link), read_only=True)
        except duckdb.Error as exc:
            if is_damage(exc):
                raise damaged(path, exc) from exc
            # another process pruned this link after a newer swap: take the newer version
            if not isinstance(exc, duckdb.IOException) or link.exists():
                raise
            if expected:
                raise VersionGone(f"store version {expected} was replaced") from exc
        else:
            # month x province x service groups (16 bits) by perfect hashing: the monthly
            # series (aggregates/series_cubes) twice as fast; every cursor shares the setting
            con.execute("set global perfect_ht_threshold = 16")
            return con
    raise StoreMissing(f"the store at {path} kept changing while being opened")


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says that the store file is damaged."""
    return any(sign in str(exc) for sign in DAMAGE_SIGNS)


def damaged(path: Path, exc: BaseException) -> StoreDamaged:
    """The error to raise for a damaged store, in words a reader can act on."""
    return StoreDamaged(
        f"the store at {path} is damaged and cannot be read ({str(exc).splitlines()[0]}). "
        f"Nothing was changed. Put back the last good version (kept under "
        f"{path.parent / 'versions'}) or rebuild the store, then restart the app."
    )


def _snapshot_link(path: Path, snapshots: Path, expected: str | None = None) -> Path:
    """A hard link to the store's current file (or to version `expected`), named after it."""
    while True:
        current = version(path)
        link = snapshots / f"{path.stem}-{expected or current}.duckdb"
        if expected and link.exists():
            return link
        if expected and expected != current:
            raise VersionGone(f"store version {expected} was replaced by {current}")
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
    """Create every table that does not exist yet; drop person_ids' old key index."""
    con.execute(sql.load_query("schema/store"))
    if con.execute(sql.load_query("store/person_ids_keyed")).fetchall()[0][0]:
        con.execute(sql.load_query("schema/person_ids_unkeyed"))


def assign_record_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Give every person without one a record key (cell-key method); return how many.

    A key is a uniform integer 0-255 from the operating system's cryptographic generator
    (secrets), drawn once when the person is first stored and never changed: the surviving
    person_key of a link keeps its key. Every writer passes here before the aggregates.
    """
    new = con.execute(sql.load_query("store/persons_without_record_key")).fetchnumpy()
    keys = np.frombuffer(secrets.token_bytes(len(new["person_key"])), dtype=np.uint8)
    if len(keys):
        append(
            con, "record_keys", pd.DataFrame({"person_key": new["person_key"], "record_key": keys})
        )
    return len(keys)


def refresh_aggregates(con: duckdb.DuckDBPyConnection, *, incremental: bool = False) -> str:
    """Bring the derived tables up to date (store/aggregates.py); returns "full" or "incremental".

    store_meta records what they now hold: the last batch, the inputs' fingerprint, the mode.
    """
    last_batch = next_batch_id(con) - 1
    mode, inputs = aggregates.refresh(con, meta_values(con), incremental=incremental)
    set_meta(con, aggregates_batch=str(last_batch), aggregates_inputs=inputs, aggregates_mode=mode)
    return mode


def meta_values(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The store_meta entries as a dict."""
    return dict(con.execute(sql.load_query("imports/meta_values")).fetchall())


def set_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    """Upsert key/value pairs into store_meta."""
    for key, value in values.items():
        con.execute(sql.load_query("store/upsert_meta"), {"key": key, "value": value})


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
def write_session(path: Path | None = None, *, fresh: bool = False, incremental: bool = False):
    """Yield a writable connection to a private copy of the store, then swap it in.

    On a normal exit the aggregates are rebuilt, the copy is checkpointed and atomically
    renamed over the store; on an exception the copy is deleted and the store is untouched.
    A writer killed part-way leaves only its copy behind, which the next writer removes.

    Args:
        path: the store; defaults to settings.store_path().
        fresh: start from an empty store instead of a copy of the current one.
        incremental: the writer only adds or ends rows of registrations and uptake under
            new batch ids, so the aggregates may be refreshed for the touched persons only.

    Raises:
        DiskFull: no room for the copy or for what the writer added (store unchanged).
    """
    path = Path(path or settings.store_path())
    path.parent.mkdir(mode=at_rest.folder_mode(), parents=True, exist_ok=True)
    with at_rest.private_umask(), _writer_lock(path):  # the copy and its WAL: never readable
        faults.point("store.locked")
        _remove_leftovers(path)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with no_space_is_clear(path):
                new = fresh or not path.exists()
                if not new:
                    _check_room(path)
                    shutil.copyfile(path, tmp)
                    faults.point("store.copied")
                con = duckdb.connect(str(tmp), config=WRITER_CONFIG)
                try:
                    create_schema(con)
                    if new:
                        set_meta(con, encoded_only=_on_off(settings.new_stores_encoded_only()))
                    yield con
                    faults.point("store.written")
                    assign_record_keys(con)
                    refresh_aggregates(con, incremental=incremental and not fresh)
                    con.execute("checkpoint")
                finally:
                    keep = id(con) not in _UNCHANGED
                    _UNCHANGED.discard(id(con))
                    con.close()
                _fsync(tmp)
            faults.point("store.checkpointed")
            _swap(tmp, path, keep)
            faults.point("store.swapped")
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty store in memory, for work that needs the schema but no store (`encode`)."""
    con = duckdb.connect(":memory:")
    try:
        create_schema(con)
        yield con
    finally:
        con.close()


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def encoded_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store refuses raw registration files (only `encode`d files are imported).

    Stores made before the setting existed hold no entry: off.
    """
    return meta_values(con).get("encoded_only") == "on"


def unchanged(con: duckdb.DuckDBPyConnection) -> None:
    """Say that this write session changes no data: the store it replaces is not kept.

    A rejected or duplicate import records only its batch; keeping a version for it
    pushed the good versions out (eight bad files in a row once left none).
    """
    _UNCHANGED.add(id(con))


def versions_kept(con: duckdb.DuckDBPyConnection) -> int:
    """How many earlier versions the store keeps (an administrator's setting, default 5)."""
    return int(meta_values(con).get("versions_kept", KEEP_VERSIONS))


def check_versions_kept(count: int) -> int:
    """The count itself, if within VERSIONS_KEPT_RANGE; ValueError otherwise."""
    low, high = VERSIONS_KEPT_RANGE
    if not low <= count <= high:
        raise ValueError(f"the store keeps from {low} to {high} earlier versions, not {count}")
    return count


def _swap(tmp: Path, path: Path, keep: bool = True) -> None:
    """Keep the outgoing store under versions/ (if `keep`), then rename the new one over it."""
    at_rest.protect(tmp)
    pending = _archive_pending(path) if keep else None
    faults.point("store.swapping")
    os.replace(tmp, path)
    _fsync(path.parent)
    if pending is not None:
        _keep_version(path, pending)


def _remove_leftovers(path: Path) -> None:
    """Delete what a killed writer left: its private copy and an unfinished version link.

    Called with the writer lock held, so no live writer owns any of these files.
    """
    for leftover in path.parent.glob(f".{path.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
    for pending in (path.parent / "versions").glob(f".{path.stem}-*.pending"):
        if _same_file(pending, path):  # killed before its swap: the store is this file
            pending.unlink(missing_ok=True)
        else:  # killed after its swap: keep the outgoing version as the swap would have
            _keep_version(path, pending)


def _check_room(path: Path) -> None:
    """Refuse before copying when the disk cannot hold a second copy of the store."""
    free = shutil.disk_usage(path.parent).free
    needed = path.stat().st_size + ROOM_MARGIN
    if free < needed:
        raise DiskFull(_no_space_text(path, needed))


ROOM_MARGIN = 64 * 1024 * 1024  # beyond the copy: what the writer adds, and the WAL


def _no_space_text(path: Path, needed: int | None = None) -> str:
    free = shutil.disk_usage(path.parent).free // 2**20
    want = f"; about {needed // 2**20:,} MB are needed" if needed else ""
    return (
        f"not enough disk space to write a new version of the store at {path} "
        f"({free:,} MB free{want}). The store is unchanged. Free some space (older "
        f"versions are kept under {path.parent / 'versions'}) and try again."
    )


@contextlib.contextmanager
def no_space_is_clear(path: Path) -> Iterator[None]:
    """Turn 'no space left' from the system or DuckDB into DiskFull with a clear message."""
    try:
        yield
    except DiskFull:
        raise
    except (OSError, duckdb.Error) as exc:
        full = getattr(exc, "errno", None) in NO_SPACE_ERRNOS
        if full or any(sign in str(exc) for sign in NO_SPACE_SIGNS):
            raise DiskFull(_no_space_text(path)) from exc
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _archive(path: Path) -> Path | None:
    """Keep the current store under versions/ (a hard link: no copy), pruning old ones.

    Returns the kept version (None when there was no store).
    """
    pending = _archive_pending(path)
    return _keep_version(path, pending) if pending is not None else None


def _archive_pending(path: Path) -> Path | None:
    """Hard-link the outgoing store (no copy) under versions/ with a pending name."""
    if not path.exists():
        return None
    versions = at_rest.private_folder(path.parent / "versions")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    pending = versions / f".{path.stem}-{stamp}.pending"
    try:
        os.link(path, pending)
    except OSError:
        shutil.copyfile(path, pending)
    return pending


def _keep_version(path: Path, pending: Path) -> Path:
    """Give a swapped-out store its version name and prune the oldest kept versions."""
    kept_as = pending.with_name(pending.name[1:].replace(".pending", ".duckdb"))
    pending.rename(kept_as)
    at_rest.protect(kept_as)  # a store written before files were protected, too
    kept = sorted((path.parent / "versions").glob(f"{path.stem}-*.duckdb"))
    for old in kept[: -_count_of(path)]:
        old.unlink(missing_ok=True)
    return kept_as


def _count_of(path: Path) -> int:
    """versions_kept of the store at `path` (the default when it cannot be read)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return KEEP_VERSIONS
    try:
        return versions_kept(con)
    except duckdb.Error:
        return KEEP_VERSIONS
    finally:
        con.close()


def open_parquet(tables: dict[str, dict], folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per exported table over its Parquet files.

    Args:
        tables: the export manifest's tables (parquet_export.read_manifest): for each,
            its columns and its partition columns (None: one file, folder/<table>.parquet
            or folder/<table>/empty.parquet).
        folder: the export folder.
    """
    con = duckdb.connect()
    for table, info in tables.items():
        if info["partitioned_by"]:
            files = str(folder / table / "**" / "*.parquet")
            relation = con.sql(sql.load_query("export/read_partitioned"), params={"files": files})
        else:
            single = folder / f"{table}.parquet"
            relation = con.read_parquet(str(single if single.exists() else folder / table / "*"))
        columns = [duckdb.ColumnExpression(c) for c in info["columns"]]
        relation.select(*columns).create_view(table)
    return con


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
        "record_keys",
    }
)


def _checked(table: str) -> str:
    if table not in WRITABLE_TABLES:
        raise ValueError(f"not a writable table: {table!r}")
    return table


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> None:
    """Insert a frame's rows into a table, matching columns by name (extra columns ignored).

    An Arrow table is read without conversion: at a million rows of text several times
    faster than a pandas frame, whose strings DuckDB converts one by one on every scan.
    """
    columns = con.table(_checked(table)).columns
    if isinstance(frame, pa.Table):
        con.register("incoming", frame.select([c for c in frame.column_names if c in columns]))
    else:
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
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame | pa.Table, **params: object
) -> None:
    """Run queries/<name>.sql with the frame visible to it as the table `incoming`."""
    con.register("incoming", frame)
    try:
        con.execute(sql.load_query(name), params or None)
    finally:
        con.unregister("incoming")


def next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next free import batch id."""
    return con.execute(sql.load_query("store/next_batch_id")).fetchall()[0][0]


def query_with(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame | pa.Table,
    arrow: bool = False, **params: object,
) -> pd.DataFrame | pa.Table:  # fmt: skip
    """Run the SELECT queries/<name>.sql with the frame visible as `incoming`.

    Returns the rows as a frame, or with `arrow` as an Arrow table.
    """
    con.register("incoming", frame)
    try:
        if arrow:
            return con.sql(sql.load_query(name), params=params or None).to_arrow_table()
        return con.execute(sql.load_query(name), params or None).df()
    finally:
        con.unregister("incoming")


def run_statement(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """Run queries/<name>.sql (a writer's statement or SELECT) with bound parameters."""
    return con.execute(sql.load_query(name), params or None).df()


def restore(version_file: Path, path: Path | None = None) -> Path | None:
    """Make an earlier version (from list_versions) the store again; the current one is kept.

    Returns where the replaced store is kept (None if there was none).
    """
    path = Path(path or settings.store_path())
    version_file = Path(version_file)
    if version_file not in list_versions(path):
        raise ValueError(f"not a kept version of {path}: {version_file}")
    with at_rest.private_umask(), _writer_lock(path):
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(version_file, tmp)
            at_rest.protect(tmp)
            _fsync(tmp)
            kept_as = _archive(path)
            os.replace(tmp, path)
            _fsync(path.parent)
        finally:
            tmp.unlink(missing_ok=True)
    return kept_as


# Columns added last to the schema: a store without them was built by older code.
NEWEST_COLUMNS = {
    ("registrations", "ended_batch_id"),
    ("import_batches", "invalid_rows"),
    ("linkage_features", "review_probability"),
    ("review_decisions", "decided_at"),
}


def upgrade_schema(path: Path | None = None) -> bool:
    """Bring an existing store up to date (new tables, columns, aggregates); True if it did.

    Every write session applies the idempotent schema and rebuilds aggregates of another
    version in full, so one empty session suffices; the data is untouched.
    """
    path = Path(path or settings.store_path())
    con = open_read(path)
    try:
        columns = con.execute(sql.load_query("store/schema_columns")).fetchall()
        meta = meta_values(con)
    finally:
        con.close()
    if set(columns) >= NEWEST_COLUMNS and aggregates.is_current(meta):
        return False
    with write_session(path):
        pass
    return True
