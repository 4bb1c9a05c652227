"""The audit log: who did what, with which filters, when (in the app database).

Call `record(user, action, detail)` for every sign-in, import, export and briefing pack.
`detail` holds what identifies the action (filters, file name, row counts), never a
password, key or personal record: it is stored as JSON and shown to administrators.
A command-line action names the operating-system login (`os_user()`) as its actor; an
app account it acts as (`--user`) is the detail `as_account`, never the actor.
"""

import getpass
import json
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import sql
from appdb import database

COLUMNS = ["id", "at", "user_name", "action", "detail"]


def os_user() -> str:
    """The operating-system login running this process: a command-line action's actor.

    Read from the password database for the process's real uid, not from $USER or
    $LOGNAME (which getpass.getuser() reads first): whoever runs a command can set those,
    as they could name themselves with `--user`. "uid N" for a uid with no entry (as in
    some containers); getpass's answer where there is no password database (Windows).
    """
    try:
        import pwd
    except ImportError:
        return getpass.getuser()
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _entry(
    user: str | None, action: str, detail: Mapping | None, as_account: str | None = None
) -> dict:
    if as_account:
        detail = {**(detail or {}), "as_account": as_account}
    text = json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True) if detail else None
    return {"user_name": user, "action": action, "detail": text}


def record(
    user: str | None,
    action: str,
    detail: Mapping | None = None,
    path: Path | None = None,
    *,
    as_account: str | None = None,
) -> None:
    """Append one entry; `user` is the account or identity name (None when unknown).

    `as_account`: the app account a command-line actor (`user`, the login) acted as.
    """
    database.execute("audit_insert", _entry(user, action, detail, as_account), path)


def record_in(
    con: sqlite3.Connection,
    user: str | None,
    action: str,
    detail: Mapping,
    *,
    as_account: str | None = None,
) -> None:
    """Append one entry inside the caller's transaction on the app database (all or none)."""
    con.execute(sql.load_query("app/audit_insert"), _entry(user, action, detail, as_account))


def recent(action: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The latest `limit` entries (of one action, or all), newest first."""
    rows = database.execute("audit_list", {"action": action, "row_limit": limit})
    return pd.DataFrame(rows, columns=COLUMNS)


def actions() -> list[str]:
    """The distinct actions recorded so far, by name."""
    return [row["action"] for row in database.execute("audit_actions")]
