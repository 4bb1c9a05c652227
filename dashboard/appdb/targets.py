"""Coverage targets per province and programme, kept in the app database.

Analysts set them in the planning page or import a CSV (`python -m dashboard targets import
FILE`) with columns province_code ('KH' for the country), service_code (empty or '*' for
any programme), target_rate (a share such as 0.4, or a percentage such as 40%),
target_date (ISO) and an optional note. An import is all or nothing: every row is checked
before any is written, and each import or change is written to the audit log.
"""

import datetime as dt
from pathlib import Path

import pandas as pd

import settings
import sql
from appdb import audit, database

ANY = "*"
COLUMNS = ("province_code", "service_code", "target_rate", "target_date")


class TargetError(ValueError):
    """A target that cannot be saved."""


def parse_rate(text) -> float:
    """A target rate from 0.4, '0.4', '40%' or '40' (read as a percentage above 1)."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%"))
    except ValueError as exc:
        raise TargetError(f"not a rate: {raw!r}") from exc
    value = value / 100 if raw.endswith("%") or value > 1 else value
    if not 0 < value <= 1:
        raise TargetError(f"a target rate must be above 0% and at most 100%: {raw!r}")
    return value


def check(row: dict, provinces: set[str], services: set[str]) -> dict:
    """One target checked and normalised; raises TargetError naming the problem."""
    province = str(row.get("province_code", "")).strip().zfill(2)
    service = str(row.get("service_code") or ANY).strip() or ANY
    if province not in provinces | {settings.NATIONAL}:
        raise TargetError(f"unknown province {province!r}")
    if service not in services | {ANY}:
        raise TargetError(f"unknown programme {service!r}")
    try:
        date = dt.date.fromisoformat(str(row.get("target_date", "")).strip())
    except ValueError as exc:
        raise TargetError(f"not an ISO date: {row.get('target_date')!r}") from exc
    note = row.get("note")
    return {
        "province_code": province, "service_code": service,
        "target_rate": parse_rate(row.get("target_rate")), "target_date": date.isoformat(),
        "note": None if note is None or pd.isna(note) else str(note),
    }  # fmt: skip


def save(target: dict, user: str, path: Path | None = None) -> None:
    """Write one checked target and audit it."""
    database.execute("target_upsert", {**target, "set_by": user}, path)
    audit.record(user, "target_set", target, path)


def import_csv(
    file: Path, provinces: set[str], services: set[str], user: str, path: Path | None = None,
    *, as_account: str | None = None,
) -> int:  # fmt: skip
    """Check every row of a targets CSV, then save them all; return the number saved.

    `user` sets them; `as_account`, an account the command line names, is audited too.
    """
    frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    missing = [c for c in ("province_code", "target_rate", "target_date") if c not in frame]
    if missing:
        raise TargetError(f"missing columns: {', '.join(missing)}")
    checked = []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        try:
            checked.append(check(row, provinces, services))
        except TargetError as exc:
            raise TargetError(f"line {number}: {exc}") from exc
    _save_all(checked, user, Path(file).name, path, as_account)
    return len(checked)


def _save_all(
    checked: list[dict], user: str, file_name: str, path: Path | None, as_account: str | None
) -> None:
    """Write checked targets and their audit entry in one transaction: all or none."""
    con = database.connect(path)
    try:
        con.execute("begin")
        for target in checked:
            con.execute(sql.load_query("app/target_upsert"), {**target, "set_by": user})
        detail = {"file": file_name, "rows": len(checked)}
        audit.record_in(con, user, "targets_import", detail, as_account=as_account)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()


def all_targets(path: Path | None = None) -> pd.DataFrame:
    """Every target: province, programme, rate, date, note, who set it and when."""
    rows = database.execute("target_list", None, path)
    columns = [*COLUMNS, "note", "set_by", "set_at"]
    return pd.DataFrame(rows, columns=columns)


def find(table: pd.DataFrame, province: str, service: str) -> tuple[float, dt.date] | None:
    """The (rate, date) target of a province and programme in `table`, if one is set."""
    row = table[(table["province_code"] == province) & (table["service_code"] == service)]
    if row.empty:
        return None
    return float(row["target_rate"].iloc[0]), dt.date.fromisoformat(row["target_date"].iloc[0])
