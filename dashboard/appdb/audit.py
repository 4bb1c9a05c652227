"""The audit log: who did what, with which filters, when (in the app database).

Call `record(user, action, detail)` for every sign-in, import, export and briefing pack.
`detail` holds what identifies the action (filters, file name, row counts), never a
password, key or personal record: it is stored as JSON and shown to administrators.
"""

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import sql
from appdb import database

COLUMNS = ["id", "at", "user_name", "action", "detail"]


def _entry(user: str | None, action: str, detail: Mapping | None) -> dict:
    text = json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True) if detail else None
    return {"user_name": user, "action": action, "detail": text}


def record(
    user: str | None, action: str, detail: Mapping | None = None, path: Path | None = None
) -> None:
    """Append one entry; `user` is the account or identity name (None when unknown)."""
    database.execute("audit_insert", _entry(user, action, detail), path)


def record_in(con: sqlite3.Connection, user: str | None, action: str, detail: Mapping) -> None:
    """Append one entry inside the caller's transaction on the app database (all or none)."""
    con.execute(sql.load_query("app/audit_insert"), _entry(user, action, detail))


def recent(action: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The latest `limit` entries (of one action, or all), newest first."""
    rows = database.execute("audit_list", {"action": action, "row_limit": limit})
    return pd.DataFrame(rows, columns=COLUMNS)


def actions() -> list[str]:
    """The distinct actions recorded so far, by name."""
    return [row["action"] for row in database.execute("audit_actions")]
