"""The audit log: who did what, with which filters, when (in the app database).

Call `record(user, action, detail)` for every sign-in, import, export and briefing pack.
`detail` holds what identifies the action (filters, file name, row counts), never a
password, key or personal record: it is stored as JSON and shown to administrators.
"""

import json
from collections.abc import Mapping

import pandas as pd

from appdb import database
from indicators import formatting

COLUMNS = ["id", "at", "user_name", "action", "detail"]


def record(user: str | None, action: str, detail: Mapping | None = None) -> None:
    """Append one entry; `user` is the account or identity name (None when unknown)."""
    text = json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True) if detail else None
    database.execute("audit_insert", {"user_name": user, "action": action, "detail": text})


def recent(action: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The latest `limit` entries (of one action, or all), newest first."""
    rows = database.execute("audit_list", {"action": action, "row_limit": limit})
    return pd.DataFrame(rows, columns=COLUMNS)


def actions() -> list[str]:
    """The distinct actions recorded so far, by name."""
    return [row["action"] for row in database.execute("audit_actions")]


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM) of audit entries, text a spreadsheet would run neutralised."""
    out = frame.astype(object).map(formatting.neutralise)
    return out.to_csv(index=False).encode("utf-8-sig")
