"""The outreach read: one agency's own records that need action (record-level, never cached).

Unlike the page reads in `reads`, its rows name records, so it is not cached and no page
shows it: exports/outreach.py writes it to the agency's outbox. It calls the macro
service_eligibility, which a cursor must define first, so it runs on a cursor of its own.
"""

import datetime as dt

import duckdb
import pandas as pd

import sql
from store import macros

QUERY = "export/agency_outreach"
COLUMNS = ("record_id", "as_of_month", "eligible_programmes")


def agency_outreach(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> pd.DataFrame:
    """queries/export/agency_outreach.sql: one row per record of `source` needing action.

    Args:
        con: a (read-only) connection to the store.
        source: the agency's registry code.
        as_of: any day of the month (its last day is used).
    """
    cursor = con.cursor()
    try:
        macros.define(cursor)
        return cursor.execute(sql.load_query(QUERY), {"source": source, "as_of": as_of}).df()
    finally:
        cursor.close()
