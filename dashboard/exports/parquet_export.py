"""`python -m dashboard export-parquet DIR`: the store's aggregates as Hive-partitioned Parquet.

An export holds aggregates and reference data only (an allow-list: AGGREGATES and
REFERENCE). Nothing record-level leaves the server this way: not the registrations, the
episodes or the persons, not the linkage features (name encodings, birth-date hashes) nor
the national-ID hashes. An administrator may ask for a full backup by name
(`--full-backup --user NAME`, NAME an admin account of the app database): every table but
the persons' record keys, which are never exported. Every export, every full backup and
every refused one is in the audit log.

Layout of DIR:
    <table>/province_code=<code>/year=<yyyy>/*.parquet   coverage_cube (and, in a full
                                                        backup, registrations, uptake,
                                                        persons; queries/export/)
    <table>.parquet                                     every other table exported
    spark/<query>.sql                                   in Spark SQL (spark_sql.py), every
                                                        query the exported tables answer
    export.json                                         tables, columns, partitions, rows,
                                                        queries, the store version exported

`storage.open_parquet(DIR)` opens DuckDB views over the files under the tables' own names,
so every query the export answers runs on it unchanged. Every unsigned column is written
as a signed type (`_signed`), since Spark reads no unsigned integers.
"""

import datetime as dt
import json
from pathlib import Path

import sqlglot
from sqlglot import exp

import settings
import sql
from appdb import accounts, audit
from exports import spark_sql
from store import storage

PARTITION_BY = ["province_code", "year"]
PARTITIONED = ("registrations", "uptake", "persons", "coverage_cube")
# What an export holds: tables of counts (every count a sum over persons, published only
# through disclosure control) and reference data (catalogues, places, estimates, the batch
# log and the store's own settings). A table in neither list stays on the server.
AGGREGATES = frozenset(
    {"coverage_cube", "area_cube", "series_cube", "series_service_cube", "series_totals",
     "series_service_totals", "coverage_months", "source_quality", "lineage_rows"}
)  # fmt: skip
REFERENCE = frozenset(
    {"provinces", "districts", "communes", "sources", "services", "occupations", "age_bands",
     "eligibility_rules", "population_estimates", "import_batches", "store_meta"}
)  # fmt: skip
# Record-level: a row per registration, episode, person, linkage record or ID hash. Only in
# an administrator's full backup; record_keys not even there (export/table_list).
RECORD_LEVEL = frozenset(
    {"registrations", "uptake", "persons", "linkage_features", "person_ids", "review_decisions"}
)
MANIFEST = "export.json"
BACKUP_FOLDER_MODE = 0o700


class BackupRefused(PermissionError):
    """A full backup asked for by someone who is not an administrator."""


def export(
    folder: Path, path: Path | None = None, *, full_backup_by: str | None = None,
    user: str | None = None, as_account: str | None = None,
) -> dict:  # fmt: skip
    """Write the store at `path` (default: the configured store) to an empty `folder`.

    Args:
        folder: a new or empty folder.
        path: the store.
        full_backup_by: an administrator's account name: every table (but record_keys)
            instead of the aggregates and reference data. Refused, and audited, for anyone
            else.
        user: who the audit log names as the actor (default: the operating-system login).
        as_account: the app account the command line acts as (--user), recorded as a
            detail; a full backup's is `full_backup_by`.

    Returns:
        The manifest written to folder/export.json.
    """
    path, folder = Path(path or settings.store_path()), Path(folder)
    backup = full_backup_by is not None
    user = user or audit.os_user()
    if backup:
        as_account = _check_admin(full_backup_by, user)
    _empty_folder(folder, private=backup)
    con = storage.open_read(path)
    try:
        names = set(con.execute(sql.load_query("export/table_list")).df()["table_name"])
        chosen = sorted(names if backup else names & (AGGREGATES | REFERENCE))
        tables = {n: _reference(con, n, folder) for n in chosen if n not in PARTITIONED}
        tables |= {n: _partitioned(con, n, folder) for n in chosen if n in PARTITIONED}
    finally:
        con.close()
    manifest = {
        "store": str(path),
        "store_version": storage.version(path),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "full_backup": backup,
        "tables": tables,
        "queries": _spark_queries(folder / "spark", names - set(tables)),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    detail = {
        "folder": str(folder),
        "tables": sorted(tables),
        "store_version": manifest["store_version"],
    }
    action = "parquet_full_backup" if backup else "parquet_export"
    audit.record(user, action, detail, as_account=as_account)
    return manifest


def _empty_folder(folder: Path, private: bool) -> None:
    """Create `folder` (0700 when `private`); refuse one that holds anything."""
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: export into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    if private:
        folder.chmod(BACKUP_FOLDER_MODE)  # record-level files: the owner's alone


def _check_admin(name: str, user: str) -> str:
    """The account name, if it is an administrator's; else audit `user`'s refusal and raise."""
    account = accounts.get(name)
    if account is None or account["role"] != "admin":
        role = account["role"] if account else None
        audit.record(user, "parquet_full_backup_refused", {"role": role}, as_account=name)
        raise BackupRefused(
            f"a full backup holds record-level tables: only an administrator may ask for one "
            f"({name!r} is {'no account' if account is None else 'a ' + role})"
        )
    return account["name"]


def tables_read(name: str) -> set[str]:
    """The tables (not CTEs) that queries/<name>.sql reads."""
    tree = sqlglot.parse_one(sql.load_query(name), read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {table.name for table in tree.find_all(exp.Table)} - ctes


def answerable(names: list[str], withheld: set[str]) -> list[str]:
    """The queries among `names` that read none of the `withheld` tables."""
    return [name for name in names if not tables_read(name) & withheld]


def _columns(relation) -> dict[str, str]:
    return {c: str(t) for c, t in zip(relation.columns, relation.types, strict=True)}


def _signed(relation):
    """The relation with each unsigned column as the signed type the Spark SQL casts to.

    Spark has no unsigned integers: it reads Parquet's UINT64 as DECIMAL(20,0), which `&`
    refuses. A wider signed type keeps the value; UBIGINT has none, so its 64 bits are kept
    (two's complement, through DuckDB's BIT: bit 63 reads as negative), which is all the
    queries use of a mask. Names come from the store's own schema and are quoted.
    """
    columns = []
    for name, kind in zip(relation.columns, map(str, relation.types), strict=True):
        column, signed = '"' + name.replace('"', '""') + '"', spark_sql.signed_type(kind)
        if signed:
            bits = "::bit" if kind == "UBIGINT" else ""
            column = f"{column}{bits}::{signed} as {column}"
        columns.append(column)
    return relation.project(", ".join(columns))


def _reference(con, name: str, folder: Path) -> dict:
    table = _signed(con.table(name))
    table.write_parquet(str(folder / f"{name}.parquet"))
    rows = table.count("*").fetchall()[0][0]
    return {"rows": rows, "partitioned_by": None, "columns": _columns(table)}


def _partitioned(con, name: str, folder: Path) -> dict:
    """One table by province and year; an empty table is one file with no partitions."""
    rows = con.table(name).count("*").fetchall()[0][0]
    relation = _signed(con.sql(sql.load_query(f"export/{name}")))
    target = folder / name
    if rows:
        relation.write_parquet(str(target), partition_by=PARTITION_BY)
    else:
        target.mkdir()
        relation.write_parquet(str(target / "empty.parquet"))
    own = con.table(name).columns  # the table's columns, as the export holds them
    columns = {c: t for c, t in _columns(relation).items() if c in own}
    return {"rows": rows, "partitioned_by": PARTITION_BY if rows else None, "columns": columns}


def _spark_queries(folder: Path, withheld: set[str]) -> list[str]:
    """Write spark/<query>.sql for every query the exported tables answer; their names."""
    folder.mkdir()
    names = answerable(sql.query_names(), withheld)
    for name in names:
        (folder / f"{name}.sql").write_text(spark_sql.transpile(name) + ";\n", encoding="utf-8")
    return names


def read_manifest(folder: Path) -> dict:
    """The export's manifest, with its tables checked against the exported ones."""
    manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    missing = {"coverage_cube", "provinces"} - set(manifest["tables"])
    if missing:
        raise ValueError(f"not an export of this dashboard: no {', '.join(sorted(missing))}")
    return manifest
