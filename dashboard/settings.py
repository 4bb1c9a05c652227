"""Configuration read from the environment, with the defaults a fresh clone runs on."""

import datetime as dt
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
QUERIES_DIR = REPO_ROOT / "queries"

DEFAULT_MIN_COUNT = 10
# The country's code where a province code stands for the whole (ISO 3166-1 alpha-2).
NATIONAL = "KH"
# The first month of every series: the cubes, the trends and the demo's registries.
SERIES_START = dt.date(2019, 1, 1)


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
