"""Read side: one function per named query, run on a read-only snapshot of the store.

Every public function is cached by the store's version, so a new store swapped in by an
import is read on the next call, and caches are bounded. Every public function that returns
province rows returns only those the signed-in user may see (data_access/scope.py: their
provinces and the national row), and every one that takes a province refuses another;
cached results hold every province, and the scope is applied to each call's copy. `run`
and the `load_*` functions are the uncached, unscoped helpers that the command line,
exports (which apply a scope they are given) and tests call directly.
"""

import dataclasses
import datetime as dt
import threading
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

import settings
import sql
from appdb import app_settings, targets
from data_access import scope
from indicators import (
    coverage_table,
    disclosure,
    drilldown,
    groups,
    needs,
    planning,
    targeting,
    uptake,
)
from store import storage

TTL = dt.timedelta(hours=1)
SEXES = ("F", "M")
# Older persons: the age bands that start at this age or later (the estimates' bands).
OLDER_MIN_AGE = 60


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
    return storage.open_read(Path(path), expected=version)


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
        _pinned.version = storage.version(path)
        try:
            _pinned.connection = _snapshot(str(path), _pinned.version)
            return _pinned.version
        except storage.VersionGone:  # replaced between reading its version and opening it
            continue
    raise storage.VersionGone(f"the store at {path} kept changing while being opened")


def connection() -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the pinned (else the current) store version."""
    if getattr(_pinned, "connection", None) is not None:
        return _pinned.connection
    path = settings.store_path()
    return _snapshot(str(path), storage.version(path))


def store_version() -> str:
    """Identity of the store version read: the pinned one, else the current file's."""
    return getattr(_pinned, "version", None) or storage.version(settings.store_path())


def run(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """Run queries/<name>.sql with bound named parameters on a cursor of its own.

    Raises:
        storage.StoreDamaged: DuckDB found the store file corrupt while reading it.
        storage.StoreOutdated: the store lacks a table or column the query reads (built by an
            older version; `storage.upgrade_schema` brings it up to date).
    """
    cursor = con.cursor()
    try:
        return cursor.execute(sql.load_query(name), params or None).df()
    except duckdb.Error as exc:
        if storage.is_damage(exc):
            raise storage.damaged(settings.store_path(), exc) from exc
        if isinstance(exc, duckdb.BinderException | duckdb.CatalogException):
            raise storage.StoreOutdated(f"{name}: {str(exc).splitlines()[0]}") from exc
        raise
    finally:
        cursor.close()


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def cached_query(version: str, name: str) -> pd.DataFrame:
    """The rows of a query without parameters on store `version` (cached, unscoped)."""
    return run(connection(), name)


def report_months() -> list[dt.date]:
    """Month ends with coverage figures, latest first."""
    return [
        d.date()
        for d in pd.to_datetime(cached_query(store_version(), "report_months")["month_end"])
    ]


def service_catalogue() -> pd.DataFrame:
    """One row per service: code, names, ministry, pillar, sector, dates."""
    return cached_query(store_version(), "service_catalogue")


def source_registries() -> pd.DataFrame:
    """One row per source registry with its latest import time."""
    return cached_query(store_version(), "source_registries")


def informal_occupations() -> pd.DataFrame:
    """One row per informal occupation with its share of informal employment."""
    return cached_query(store_version(), "informal_occupations")


def age_band_list() -> pd.DataFrame:
    """One row per working-age band."""
    return cached_query(store_version(), "age_band_list")


def load_store_summary(con: duckdb.DuckDBPyConnection, threshold: int) -> dict[str, object]:
    """Demo flag, data date, build time, the persons (published) and row counts of the store."""
    frame = disclosure.publish(run(con, "store_summary"), ["person_count"], threshold)
    return frame.iloc[0].to_dict()


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def _summary(version: str, threshold: int) -> dict[str, object]:
    return load_store_summary(connection(), threshold)


def store_summary() -> dict[str, object]:
    """Cached `load_store_summary` at the configured threshold."""
    return _summary(store_version(), app_settings.min_count())


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
    """Coverage by province plus the national row, published (uncached).

    Grain: one row per province (25) and a national row `KH`. Counts are perturbed by the
    cell-key method; those below the threshold and the figures derived from them are
    missing, with flag columns (indicators/coverage_table.py).
    """
    validate(con, f)
    frame = run(con, "coverage_by_province", **f.params())
    return coverage_table.publish(frame, threshold)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _coverage(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_coverage(connection(), f, threshold)


def coverage_by_province(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_coverage` on the current store at the configured threshold (scoped)."""
    return scope.visible(_coverage(store_version(), f, app_settings.min_count()))


def load_groups(con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    """Coverage by province and vulnerable group, published like the coverage table (uncached).

    Grain: one row per province and the national row x group (all, and the four splits of
    queries/coverage_by_group.sql).
    """
    validate(con, f)
    frame = run(con, "coverage_by_group", **f.params(), older_min_age=OLDER_MIN_AGE)
    return groups.publish_groups(frame, threshold)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _groups(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_groups(connection(), f, threshold)


def coverage_by_group(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_groups` on the current store at the configured threshold (scoped)."""
    return scope.visible(_groups(store_version(), f, app_settings.min_count()))


def load_needs(con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    """The needs index inputs, one row per province, suppressed (uncached; see needs.inputs)."""
    return needs.inputs(load_groups(con, f, threshold))


def needs_inputs(f: CoverageFilter) -> pd.DataFrame:
    """Cached needs index inputs, one row per province the user may see (see needs.inputs).

    A scoped user's index compares only their provinces: the min-max normalisation of
    every province would carry the other provinces' values into theirs.
    """
    return needs.inputs(coverage_by_group(f))


def load_targeting(
    con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int
) -> pd.DataFrame:
    """Targeting errors by province x programme with a rule, suppressed (uncached).

    Grain: one row per province and the national row x service with an eligibility rule.
    The sidebar's programme choice does not apply (each row is one programme).
    """
    validate(con, f)
    params = f.params()
    params.pop("services")
    frame = run(con, "targeting_by_province", **params)
    return targeting.publish_targeting(frame, threshold)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _targeting(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_targeting(connection(), f, threshold)


def targeting_by_province(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_targeting` on the current store at the configured threshold (scoped)."""
    return scope.visible(_targeting(store_version(), f, app_settings.min_count()))


def eligibility_rule_list() -> pd.DataFrame:
    """One row per programme x criterion of the eligibility rules."""
    return cached_query(store_version(), "eligibility_rule_list")


def _series_params(f: CoverageFilter) -> dict[str, object]:
    """The filters of a monthly series: every month, whatever the as-of month or programmes."""
    params = f.params()
    del params["as_of"], params["services"]
    return params


def load_uptake_monthly(
    con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int
) -> pd.DataFrame:
    """Persons receiving each service on every month end, by province, suppressed (uncached).

    Grain: one row per month end x province and the national row x service. The as-of
    month and the programme choice of the filter do not apply.
    """
    validate(con, f)
    return uptake.publish_monthly(run(con, "uptake_monthly", **_series_params(f)), threshold)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _uptake_monthly(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_uptake_monthly(connection(), f, threshold)


def uptake_monthly(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_uptake_monthly` (keyed without the as-of month and programmes)."""
    key = dataclasses.replace(f, as_of=settings.SERIES_START, services=())
    return scope.visible(_uptake_monthly(store_version(), key, app_settings.min_count()))


def load_uptake_by_group(
    con: duckdb.DuckDBPyConnection, f: CoverageFilter, group_by: str, threshold: int
) -> pd.DataFrame:
    """Uptake by province x service x group value on the as-of month, suppressed (uncached).

    Args:
        con: a store connection.
        f: the filters (the programme choice does not apply: every service has its rows).
        group_by: one of uptake.GROUP_BY.
        threshold: the suppression threshold.
    """
    if group_by not in uptake.GROUP_BY:
        raise InvalidFilter(
            f"unknown group {group_by!r}; choose from: {', '.join(uptake.GROUP_BY)}"
        )
    params = _series_params(f) | {"as_of": f.as_of, "group_by": group_by}
    return uptake.publish_by_group(run(con, "uptake_by_group", **params), threshold)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _uptake_by_group(version: str, f: CoverageFilter, group_by: str, threshold: int):
    return load_uptake_by_group(connection(), f, group_by, threshold)


def uptake_by_group(f: CoverageFilter, group_by: str) -> pd.DataFrame:
    """Cached `load_uptake_by_group` at the configured threshold (scoped)."""
    return scope.visible(_uptake_by_group(store_version(), f, group_by, app_settings.min_count()))


def load_areas(
    con: duckdb.DuckDBPyConnection, f: CoverageFilter, province: str, threshold: int
) -> pd.DataFrame:
    """One province with its districts and communes, suppressed (uncached).

    Only the as-of month and programmes of the filter apply (see queries/area_coverage.sql).
    """
    cut = CoverageFilter(as_of=f.as_of, services=f.services)
    validate(con, cut)
    if province not in set(run(con, "province_list")["province_code"]):
        raise InvalidFilter(f"unknown province {province!r}")
    frame = run(con, "area_coverage", as_of=f.as_of, services=list(f.services), province=province)
    return drilldown.publish_areas(frame, threshold)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _areas(version: str, f: CoverageFilter, province: str, threshold: int) -> pd.DataFrame:
    return load_areas(connection(), f, province, threshold)


def area_coverage(f: CoverageFilter, province: str) -> pd.DataFrame:
    """Cached `load_areas` at the configured threshold, for a province the user may see."""
    scope.check(province)
    cut = CoverageFilter(as_of=f.as_of, services=f.services)
    return _areas(store_version(), cut, province, app_settings.min_count())


def province_list() -> pd.DataFrame:
    """One row per province the user may see: code and names (every selector's choices)."""
    return scope.visible(cached_query(store_version(), "province_list"))


def load_trend(con: duckdb.DuckDBPyConnection, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    """Coverage on every month end by province, suppressed month by month (uncached).

    Grain: one row per month end x province and the national row. The as-of month of the
    filter does not apply (every month is returned).
    """
    validate(con, f)
    params = f.params()
    del params["as_of"]
    return planning.publish_trend(run(con, "coverage_trend", **params), threshold)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _trend(version: str, f: CoverageFilter, threshold: int) -> pd.DataFrame:
    return load_trend(connection(), f, threshold)


def coverage_trend(f: CoverageFilter) -> pd.DataFrame:
    """Cached `load_trend` (keyed without the as-of month)."""
    key = dataclasses.replace(f, as_of=settings.SERIES_START)
    return scope.visible(_trend(store_version(), key, app_settings.min_count()))


def coverage_targets() -> pd.DataFrame:
    """The coverage targets (app database) of the nation and the provinces the user may see."""
    return scope.visible(targets.all_targets())
