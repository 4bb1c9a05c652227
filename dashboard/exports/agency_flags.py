"""Back to the agencies: an agency's own record_ids with what the other registries know.

For each current record of one source: the names of the other registries the person was
found in (never their identifiers) and whether the person was covered on the as-of
month. Every export is written to the audit log.
"""

import datetime as dt
import json

import pandas as pd

from appdb import database
from data_access import reads
from indicators import formatting
from ingest import mappings


def flags(source: str, as_of: dt.date | None, user: str | None = None) -> pd.DataFrame:
    """The agency's flag table (uncached: an export), recorded in the audit log."""
    con = reads.connection()
    mappings.check_source(source)
    if as_of is None:
        as_of = reads.run(con, "report_months")["month_end"].iloc[0].date()
    known = set(reads.run(con, "source_registries")["source"])
    if source not in known:
        raise ValueError(f"unknown source {source!r}; choose from: {', '.join(sorted(known))}")
    frame = reads.run(con, "agency_flags", source=source, as_of=as_of)
    detail = {"source": source, "as_of": as_of.isoformat(), "records": len(frame)}
    database.execute("audit_insert", {"user_name": user or "cli", "action": "agency_flags_export",
                                   "detail": json.dumps(detail)})  # fmt: skip
    return frame


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM), text neutralised against spreadsheet formulas."""
    out = frame.copy()
    out["record_id"] = out["record_id"].map(formatting.neutralise)
    out["covered_on"] = pd.to_datetime(out["covered_on"]).dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False).encode("utf-8-sig")
