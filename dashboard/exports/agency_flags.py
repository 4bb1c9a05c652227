"""Back to the agencies: an agency's own record_ids with what the other registries know.

For each current record of one source: the names of the other registries the person was
found in (never their identifiers) and whether the person was covered on the as-of
month. Every export is written to the audit log.
"""

import datetime as dt

import pandas as pd

from appdb import audit
from data_access import reads
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
    audit.record(user or "cli", "agency_flags_export", detail)
    return frame
