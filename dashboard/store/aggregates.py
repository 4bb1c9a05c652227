"""Keeps the derived tables fresh: persons, coverage_months, the cubes, quality and lineage.

A full rebuild reads every person and expands each into one row per month (at national
scale, 7 million persons and some 300 million person-months: about 70 s). An import of
registrations or uptake changes only the persons whose rows it adds or ends, and every
cube count is a sum over persons, so such an import refreshes incrementally: the touched
persons' cube rows are computed on the store as it was (their rows of batches up to the
last one the cubes include, their old `persons` row) and taken away, then computed on the
store as it is and added. The result is the full rebuild's, row for row (a test checks it
on random imports). A full rebuild runs instead when the writer does not ask for an
incremental one, when the months or reference tables the cubes depend on have changed
(aggregates/aggregate_inputs), or when the import touches over a quarter of the persons
already stored (those it adds have no old rows to take out).
"""

import contextlib
from collections.abc import Iterator

import duckdb

import settings
import sql
from store import faults, macros

AFTER_EVERY_BATCH = 2**62  # a `$before` above every batch: the store as it is
# Bump when the derived tables' definitions change: a store whose aggregates were built by
# another version is rebuilt in full (by its next write, or `store.upgrade_schema`).
VERSION = "9"
# The largest share of the stored persons an import may touch for an incremental refresh,
# which takes their old rows out and puts their new ones in (persons it adds only go in).
INCREMENTAL_SHARE = 0.25
# Month index 0 of the cubes (the steps that turn dates into month indexes bind it).
SERIES = {"series_start": settings.SERIES_START}


def refresh(
    con: duckdb.DuckDBPyConnection,
    meta: dict[str, str],
    *,
    incremental: bool = False,
) -> tuple[str, str]:
    """Bring the derived tables up to date.

    Args:
        con: the write session's connection.
        meta: store_meta as the session found it (what the aggregates were built from).
        incremental: the writer allows a refresh of the touched persons only.

    Returns:
        "full" or "incremental", and the fingerprint of the inputs the aggregates now hold
        (store_meta.aggregates_inputs).
    """
    macros.define(con)  # the cube's eligibility rules
    con.execute(sql.load_query("aggregates/coverage_months"), SERIES)
    ((fingerprint,),) = con.execute(sql.load_query("aggregates/aggregate_inputs")).fetchall()
    inputs = f"{VERSION}:{fingerprint}"
    if incremental and meta.get("aggregates_inputs") == inputs and "aggregates_batch" in meta:
        since = int(meta["aggregates_batch"])
        con.execute(sql.load_query("aggregates/touched_persons"), {"since": since})
        ((touched, everyone),) = con.execute(sql.load_query("aggregates/touched_count")).fetchall()
        if touched <= INCREMENTAL_SHARE * everyone:
            _incremental(con, since)
            return "incremental", inputs
    _full(con)
    return "full", inputs


def is_current(meta: dict[str, str]) -> bool:
    """Whether store_meta says the aggregates were built by this version's definitions."""
    return meta.get("aggregates_inputs", "").startswith(f"{VERSION}:")


def _full(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild everything, the cube a province at a time.

    The cube's groups include the province, so the parts are disjoint and each pass holds
    only one province's person-months in memory.
    """
    con.execute(sql.load_query("aggregates/aggregates"))
    con.execute(sql.load_query("aggregates/persons_rows"), {"everyone": True})
    faults.point("store.aggregates")
    con.execute(sql.load_query("aggregates/cube_scan_parts"))
    provinces = con.execute(sql.load_query("aggregates/person_provinces")).fetchall()
    for i, (province,) in enumerate(provinces):
        _cube_pass(con, province, before=AFTER_EVERY_BATCH, sign=1)
        if i == len(provinces) // 2:
            faults.point("store.cube")
    con.execute(sql.load_query("aggregates/coverage_cube_final"))
    con.execute(sql.load_query("aggregates/series_cubes"))
    con.execute(sql.load_query("aggregates/source_quality_parts"))
    _pass(con, "source_quality", everyone=True, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/source_quality_final"))
    con.execute(sql.load_query("aggregates/lineage_parts"))
    _pass(con, "lineage", everyone=True, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/lineage_final"))


def _incremental(con: duckdb.DuckDBPyConnection, since: int) -> None:
    """Replace the touched persons' rows: old ones out (as of batch `since`), new ones in."""
    con.execute(sql.load_query("aggregates/cube_scan_parts"))
    con.execute(sql.load_query("aggregates/lineage_parts"))
    _pass(con, "lineage", everyone=False, before=since + 1, sign=-1)  # persons: old rows
    con.execute(sql.load_query("aggregates/touched_before"))
    faults.point("store.aggregates")
    con.execute(sql.load_query("aggregates/persons_forget_touched"))
    con.execute(sql.load_query("aggregates/persons_rows"), {"everyone": False})
    con.execute(sql.load_query("aggregates/touched_floor"), {"since": since, **SERIES})
    faults.point("store.cube")
    _cube_pass(con, None, before=since + 1, sign=-1)  # the old rows, from each floor month
    _cube_pass(con, None, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/cube_apply_delta"))
    con.execute(sql.load_query("aggregates/series_apply_delta"))
    con.execute(sql.load_query("aggregates/source_quality_parts"))
    _pass(con, "source_quality", everyone=False, before=since + 1, sign=-1)
    _pass(con, "source_quality", everyone=False, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/source_quality_apply_delta"))
    _pass(con, "lineage", everyone=False, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/lineage_apply_delta"))


@contextlib.contextmanager
def persons_changing(
    con: duckdb.DuckDBPyConnection, meta: dict[str, str], persons: list[int]
) -> Iterator[None]:
    """Refresh the aggregates of persons whose rows the caller changes in place, no new batch.

    A review decision gives records another person (store rows keep their batches), so the
    persons touched cannot be told from batches as after an import: the caller names them,
    new persons included. Their rows are taken away before the change (the store as it is),
    and added back after it, from their first month; the caller gives new persons their
    record keys before leaving. The writer then asks for an incremental refresh, which
    finds no new batch. Nothing is done here when no person changes, nor when the
    aggregates were built by other definitions (the session's refresh rebuilds them then).

    Args:
        con: the write session's connection.
        meta: store_meta as the session found it.
        persons: every person whose rows change.
    """
    if not persons or not is_current(meta):
        yield
        return
    macros.define(con)
    con.execute(sql.load_query("review/touched_given"), {"persons": persons})
    con.execute(sql.load_query("review/touched_floor_all"))
    for parts in ("cube_scan_parts", "lineage_parts", "source_quality_parts"):
        con.execute(sql.load_query(f"aggregates/{parts}"))
    for table in ("lineage", "source_quality"):
        _pass(con, table, everyone=False, before=AFTER_EVERY_BATCH, sign=-1)
    con.execute(sql.load_query("aggregates/touched_before"))
    _cube_pass(con, None, before=AFTER_EVERY_BATCH, sign=-1)
    yield
    con.execute(sql.load_query("aggregates/persons_forget_touched"))
    con.execute(sql.load_query("aggregates/persons_rows"), {"everyone": False})
    _cube_pass(con, None, before=AFTER_EVERY_BATCH, sign=1)
    con.execute(sql.load_query("aggregates/cube_apply_delta"))
    con.execute(sql.load_query("aggregates/series_apply_delta"))
    for table in ("source_quality", "lineage"):
        _pass(con, table, everyone=False, before=AFTER_EVERY_BATCH, sign=1)
        con.execute(sql.load_query(f"aggregates/{table}_apply_delta"))


def _cube_pass(con, province: str | None, *, before: int, sign: int) -> None:
    """Add the cube rows of one province's persons (None: the touched ones), times sign.

    The touched persons are counted from their floor month (aggregates/touched_floor): with
    their old attributes when taking rows away, their new ones when adding.
    """
    if province is None:
        con.execute(sql.load_query("aggregates/cube_persons_touched"), {"old": sign < 0})
    else:
        con.execute(sql.load_query("aggregates/cube_persons"), {"province": province})
    con.execute(
        sql.load_query("aggregates/coverage_cube_part"), {"before": before, "sign": sign, **SERIES}
    )


def _pass(con, table: str, *, everyone: bool, before: int, sign: int) -> None:
    """Add a table's rows (aggregates/<table>_part) for everyone or the touched, times sign."""
    params = {"everyone": everyone, "before": before, "sign": sign}
    con.execute(sql.load_query(f"aggregates/{table}_part"), params)
