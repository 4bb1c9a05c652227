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


def key_path() -> Path:
    """Where the pseudonymisation key file is read (never in the checkout).

    `$COVERAGE_KEY_FILE`, else under the user's configuration folder (`$XDG_CONFIG_HOME`,
    else ~/.config).
    """
    if os.environ.get("COVERAGE_KEY_FILE"):
        return Path(os.environ["COVERAGE_KEY_FILE"]).expanduser()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "coverage-dashboard" / "pseudonym.key"


def new_stores_encoded_only() -> bool:
    """Whether a new store refuses raw registration files (`$COVERAGE_ENCODED_ONLY`, default on).

    Raises:
        ValueError: when the variable is set to something other than on or off.
    """
    raw = os.environ.get("COVERAGE_ENCODED_ONLY", "on").strip().lower()
    if raw not in ("on", "off"):
        raise ValueError("COVERAGE_ENCODED_ONLY must be on or off")
    return raw == "on"


def data_group() -> int | None:
    """The group that may read the store, its versions and the app database, else None.

    `$COVERAGE_DATA_GROUP` names it (a group name or number): files are then 0640 and
    folders 0750, owned by that group; without it 0600 and 0700, the owner's alone.

    Raises:
        ValueError: a group this system does not know.
    """
    import grp

    raw = os.environ.get("COVERAGE_DATA_GROUP", "").strip()
    if not raw:
        return None
    try:
        return grp.getgrgid(int(raw)).gr_gid if raw.isdigit() else grp.getgrnam(raw).gr_gid
    except KeyError:
        raise ValueError(f"COVERAGE_DATA_GROUP names no group of this system: {raw!r}") from None


def max_end_share() -> float:
    """The share of a source's current records a full extract may end without a confirmation.

    `$COVERAGE_MAX_END_SHARE` (0 to 1), default 0.10.
    """
    value = float(os.environ.get("COVERAGE_MAX_END_SHARE") or 0.10)
    if not 0 <= value <= 1:
        raise ValueError("COVERAGE_MAX_END_SHARE must be between 0 and 1")
    return value


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


DEFAULT_IDLE_MINUTES = 30


def idle_minutes() -> int:
    """Minutes without activity after which a session must sign in again.

    `$COVERAGE_IDLE_MINUTES`, else 30; measured from the session's last interaction.

    Raises:
        ValueError: when the variable is not a whole number of minutes from 1 to 1440.
    """
    raw = os.environ.get("COVERAGE_IDLE_MINUTES", "").strip()
    if not raw:
        return DEFAULT_IDLE_MINUTES
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        raise ValueError("COVERAGE_IDLE_MINUTES must be a whole number of minutes, 1 to 1440")
    return int(raw)
