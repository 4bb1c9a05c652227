"""The store's SQL macros (queries/macros/), defined on the connection that calls them.

A macro is temporary (the connection's own catalogue), so defining one writes nothing to
the store and works on a read-only snapshot too. DuckDB keeps temporary objects per
connection: define them on the very cursor that runs the query calling them.
"""

import duckdb

import sql

MACROS = ("macros/service_eligibility",)


def define(con: duckdb.DuckDBPyConnection) -> None:
    """Define every macro on `con` (a connection or cursor); safe to call again."""
    for name in MACROS:
        con.execute(sql.load_query(name))
