"""Read side: one function per named query, run on a read-only snapshot of the store.

Every public function is cached by the store's version, so a new store swapped in by an
import is read on the next call, and caches are bounded. `run` and `load_coverage` are the
uncached helpers that the command line and tests call directly.
"""

import dataclasses
import datetime as dt
import threading
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

import indicators
import settings
import sql
import store

TTL = dt.timedelta(hours=1)
SEXES = ("F", "M")


class InvalidFilter(ValueError):
    """A filter value the store does not know."""


@dataclasses.dataclass(frozen=True)
class CoverageFilter:
    """The cut a coverage figure is for: as-of month and optional filters."""

    as_of: dt.date
    services: tuple[str, ...] = ()
    occupation: str | None = None
    sex: str | None = None
    age_band: str | None = None
    source: str | None = None

    def params(self) -> dict[str, object]:
        """Named parameters for queries/coverage_by_province.sql."""
        values = dataclasses.asdict(self)
        values["services"] = list(self.services)
        return values


@st.cache_resource(max_entries=2)
def _snapshot(path: str, version: str) -> duckdb.DuckDBPyConnection:
    return store.open_read(Path(path), expected=version)


# The store version (and its connection) that the current script run reads; see pin_version.
_pinned = threading.local()


def pin_version() -> str:
    """Pin this thread's reads to the store version current now; return that version.

    The app calls it at the start of every script run, so that every figure of a page
    comes from one version of the store even if an import swaps in a new one mid-run:
    cached results are keyed by the pinned version and queries run on its snapshot.
    """
    path = settings.store_path()
    for _ in range(10):
        _pinned.version = store.version(path)
        try:
            _pinned.connection = _snapshot(str(path), _pinned.version)
            return _pinned.version
        except store.VersionGone:  # replaced between reading its version and opening it
            continue
    raise store.VersionGone(f"the store at {path} kept changing while being opened")


def connection() -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the pinned (else the current) store version."""
    if getattr(_pinned, "connection", None) is not None:
        return _pinned.connection
    path = settings.store_path()
    return _snapshot(str(path), store.version(path))


def store_version() -> str:
    """Identity of the store version read: the pinned one, else the current file's."""
    return getattr(_pinned, "version", None) or store.version(settings.store_path())


def run(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """Run queries/<name>.sql with bound named parameters on a cursor of its own.

    Raises:
        store.StoreDamaged: DuckDB found the store file corrupt while reading it.
    """
    cursor = con.cursor()
    try:
        return cursor.execute(sql.load_query(name), params or None).df()
    except duckdb.Error as exc:
        if store.is_damage(exc):
            raise store.damaged(settings.store_path(), exc) from exc
        raise
    finally:
        cursor.close()


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _query(version: str, name: str) -> pd.DataFrame:
    return run(connection(), name)


def report_months() -> list[dt.date]:
    """Month ends with coverage figures, latest first."""
    return [d.date() for d in pd.to_datetime(_query(store_version(), "report_months")["month_end"])]


def service_catalogue() -> pd.DataFrame:
    """One row per service: code, names, ministry, pillar, sector, dates."""
    return _query(store_version(), "service_catalogue")


def source_registries() -> pd.DataFrame:
    """One row per source registry with its latest import time."""
    return _query(store_version(), "source_registries")


def informal_occupations() -> pd.DataFrame:
    """One row per informal occupation with its share of informal employment."""
    return _query(store_version(), "informal_occupations")


def age_band_list() -> pd.DataFrame:
    """One row per working-age band."""
    return _query(store_version(), "age_band_list")


def store_summary() -> dict[str, object]:
    """Demo flag, data date, build time and row counts of the store."""
    return _query(store_version(), "store_summary").iloc[0].to_dict()


def validate(con: duckdb.DuckDBPyConnection, f: CoverageFilter) -> None:
    """Raise InvalidFilter naming the first value the store does not know."""
    allowed = {
        "services": set(run(con, "service_catalogue")["service_code"]),
        "occupation": set(run(con, "informal_occupations")["occupation"]),
        "sex": set(SEXES),
        "age_band": set(run(con, "age_band_list")["age_band"]),
        "source": set(run(con, "source_registries")["source"]),
    }
    for field, known in allowed.items():
        value = getattr(f, field)
        for item in value if isinstance(value, tuple) else (value,):
            if item is not None and item not in known:
                choices = ", ".join(sorted(known))
                raise InvalidFilter(f"unknown {field} {item!r}; choose from: {choices}")


def load_coverage(
    con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int
) -> pd.DataFrame:
    """Coverage by province plus the national row, suppressed (uncached).

    Grain: one row per province (25) and a national row `KH`. Counts under the threshold,
    their complements and the rates derived from them are missing, with flag columns.
    """
    validate(con, f)
    frame = run(con, "coverage_by_province", **f.params())
    return indicators.suppress_coverage(frame, threshold)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _coverage(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_coverage(connection(), f, threshold)


def coverage_by_province(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_coverage` on the current store at the configured threshold."""
    return _coverage(store_version(), f, settings.min_count())
