"""Outreach back to one agency: its own records that need action, written to its outbox.

The file (queries/export/agency_outreach.sql) holds one row per record of the agency whose
person is registered with it but covered by no programme on the as-of month: the agency's
own record_id, the month, and the running programmes the record's own attributes make the
person appear eligible for by the catalogue's rules. It does not say which other registries
know the person, what they say of them, or any other agency's identifiers.

Only a data manager of that agency produces it (`allowed`: an account scoped to an agency
produces that agency's file only; a data manager without a scope, or an administrator,
any agency's), every production and every refusal is in the audit log, and the file is
written to the agency's outbox on the server (exports/outbox.py), never served as a
download.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd

from appdb import accounts, audit
from data_access import outreach, reads
from exports import files, outbox
from ingest import mappings

ACTION = "agency_outreach"
REFUSED = "agency_outreach_refused"
COLUMNS = outreach.COLUMNS


class Refused(PermissionError):
    """The user may not produce this agency's outreach file."""


@dataclasses.dataclass(frozen=True)
class Produced:
    """An outreach file written: for whom, for which month, where, how many records."""

    source: str
    month_end: dt.date
    path: Path
    records: int


def allowed(
    role: str | None, user_agency: str | None, source: str, provinces: tuple[str, ...] = ()
) -> bool:
    """Whether a user may produce the outreach file of `source`.

    An administrator always; a data manager (`role`) when unscoped (`user_agency` None or
    empty) or scoped to that very agency; nobody else. An account limited to provinces
    never: the file lists the agency's records of every province. Pure: the page and the
    command line pass what the signed-in user's account says.
    """
    if provinces:
        return False
    if role == "admin":
        return True
    if not accounts.allows(role, "data_manager"):
        return False
    return not user_agency or user_agency == source


def produce(
    source: str, as_of: dt.date | None, *, user: str, role: str | None,
    user_agency: str | None = None, provinces: tuple[str, ...] = (), con=None,
    out: Path | None = None, actor: str | None = None,
) -> Produced:  # fmt: skip
    """Check the user's right, build the agency's file, write it and audit it.

    Args:
        source: the agency's registry code.
        as_of: any day of the month (None: the latest month with figures).
        user: who asks: the account the audit log names.
        role: that account's role.
        user_agency: that account's agency scope (None: every agency).
        provinces: that account's province scope (empty: every province).
        con: a read-only store connection (default: the app's pinned one).
        out: a file to write instead of the agency's outbox (the command line's --out).
        actor: who the audit log names when not `user` (the command line's operating-system
            login); `user` is then recorded as the account acted as.

    Raises:
        Refused: the user may not (recorded in the audit log first).
        ValueError: an unknown agency.
    """
    if not allowed(role, user_agency, source, provinces):
        detail = {"source": source, "role": role, "agency": user_agency,
                  "provinces": list(provinces)}  # fmt: skip
        audit.record(actor or user, REFUSED, detail, as_account=actor and user)
        raise Refused(f"{user} ({role}) may not produce the outreach file of {source}")
    con = con if con is not None else reads.connection()
    month_end = _month_end(con, as_of)
    _check_known(con, source)
    frame = outreach.agency_outreach(con, source, month_end)
    data = files.to_csv(frame[list(COLUMNS)])
    stem = f"{source}_outreach_{month_end:%Y-%m}"
    path = outbox.write_file(out, data) if out else outbox.write(source, stem, data)
    detail = {"source": source, "as_of": month_end.isoformat(), "records": len(frame),
              "file": str(path)}  # fmt: skip
    try:
        audit.record(actor or user, ACTION, detail, as_account=actor and user)
    except Exception:
        path.unlink(missing_ok=True)  # no file without its audit entry
        raise
    return Produced(source, month_end, path, len(frame))


def _month_end(con, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return pd.Timestamp(reads.run(con, "report_months")["month_end"].iloc[0]).date()
    return (pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)).date()


def _check_known(con, source: str) -> None:
    mappings.check_source(source)
    known = set(reads.run(con, "source_registries")["source"])
    if source not in known:
        raise ValueError(f"unknown source {source!r}; choose from: {', '.join(sorted(known))}")
