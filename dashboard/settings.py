"""Configuration read from the environment, with the defaults a fresh clone runs on."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
QUERIES_DIR = REPO_ROOT / "queries"

DEFAULT_MIN_COUNT = 10
FIRST_MONTH = "2019-01-01"


def store_path() -> Path:
    """Path of the DuckDB store: `$COVERAGE_DB`, else data/coverage.duckdb."""
    return Path(os.environ.get("COVERAGE_DB") or DATA_DIR / "coverage.duckdb")


def app_db_path() -> Path:
    """Path of the app's own small SQLite database (targets, plans, accounts, audit)."""
    default = store_path().with_name("app.sqlite")
    return Path(os.environ.get("COVERAGE_APP_DB") or default)


MIN_COUNT_SETTING = "min_count"
MIN_COUNT_RANGE = (2, 1000)


def default_min_count() -> int:
    """The threshold when no administrator has set one: `$COVERAGE_MIN_COUNT`, else 10."""
    raw = os.environ.get("COVERAGE_MIN_COUNT", "")
    if not raw:
        return DEFAULT_MIN_COUNT
    value = int(raw)
    if value < MIN_COUNT_RANGE[0]:
        raise ValueError("COVERAGE_MIN_COUNT must be 2 or more")
    return value


def stored_min_count() -> int | None:
    """The threshold an administrator set in the app database, if any."""
    path = app_db_path()
    if not path.exists():  # reading a setting never creates the database
        return None
    import appdb  # appdb imports this module

    rows = appdb.execute("setting_value", {"name": MIN_COUNT_SETTING}, path)
    return int(rows[0]["value"]) if rows else None


def min_count() -> int:
    """The suppression threshold: counts from 1 to this minus one are never shown.

    An administrator's setting (Admin page) wins over the default, so that the app,
    the command line and exports all suppress alike.
    """
    stored = stored_min_count()
    return default_min_count() if stored is None else stored


def set_min_count(value: int | None, updated_by: str | None) -> None:
    """Store the threshold (None: back to the default); ValueError outside MIN_COUNT_RANGE."""
    import appdb

    if value is None:
        appdb.execute("setting_delete", {"name": MIN_COUNT_SETTING})
        return
    low, high = MIN_COUNT_RANGE
    if not low <= int(value) <= high:
        raise ValueError(f"the threshold must be from {low} to {high}")
    params = {"name": MIN_COUNT_SETTING, "value": str(int(value)), "updated_by": updated_by}
    appdb.execute("setting_put", params)
