"""`python -m dashboard export-parquet DIR`: the store as Hive-partitioned Parquet, for a cluster.

Layout of DIR:
    <table>/province_code=<code>/year=<yyyy>/*.parquet   registrations, uptake, persons,
                                                        coverage_cube (queries/export/)
    <table>.parquet                                     each reference table
    spark/<query>.sql                                   every query in Spark SQL (spark_sql.py)
    export.json                                         tables, columns, partitions, rows,
                                                        and the store version exported

Only the tables the queries read are exported (an allow-list: nothing the importer keeps
for linkage). `storage.open_parquet(DIR)` opens DuckDB views over the files under the
tables' own names, so every queries/*.sql runs on the export unchanged. Every unsigned
column is written as a signed type (`_signed`), since Spark reads no unsigned integers.
"""

import datetime as dt
import json
from pathlib import Path

import settings
import sql
from exports import spark_sql
from store import storage

PARTITION_BY = ["province_code", "year"]
PARTITIONED = ("registrations", "uptake", "persons", "coverage_cube")
# Every other table of the store (reference data, catalogues, linkage features, the small
# aggregates) is exported whole, one Parquet file each.
MANIFEST = "export.json"


def export(folder: Path, path: Path | None = None) -> dict:
    """Write the store at `path` (default: the configured store) to an empty `folder`.

    Returns:
        The manifest written to folder/export.json.
    """
    path, folder = Path(path or settings.store_path()), Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty: export into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    con = storage.open_read(path)
    try:
        names = con.execute(sql.load_query("export/table_list")).df()["table_name"]
        reference = [n for n in names if n not in PARTITIONED]
        tables = {name: _reference(con, name, folder) for name in reference}
        tables |= {name: _partitioned(con, name, folder) for name in PARTITIONED}
    finally:
        con.close()
    _spark_queries(folder / "spark")
    manifest = {
        "store": str(path),
        "store_version": storage.version(path),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


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


def _spark_queries(folder: Path) -> None:
    folder.mkdir()
    for name in sql.query_names():
        (folder / f"{name}.sql").write_text(spark_sql.transpile(name) + ";\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict:
    """The export's manifest, with its tables checked against the exported ones."""
    manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    missing = set(PARTITIONED) - set(manifest["tables"])
    if missing:
        raise ValueError(f"not an export of this dashboard: no {', '.join(sorted(missing))}")
    return manifest
