"""Read side of registry synchronisation and imports: overlap, quality, history, lineage.

The registries' overlap and data quality, the import history and rollback candidates, and
the import batches behind a figure (its lineage).

As in data_access/reads.py: every public function is cached by the store's version and
returns only the provinces the signed-in user may see; `load_*` are the uncached helpers.
"""

import datetime as dt

import duckdb
import pandas as pd
import streamlit as st

from appdb import app_settings
from data_access import reads, scope
from indicators import overlap


def load_overlap(con: duckdb.DuckDBPyConnection, as_of: dt.date, threshold: int):
    """(intersections, registry sizes) of the registries on a month end, published."""
    return overlap.publish_overlap(reads.run(con, "registry_overlap", as_of=as_of), threshold)


@st.cache_data(ttl=reads.TTL, max_entries=16, show_spinner=False)
def _overlap(version: str, as_of: dt.date, threshold: int):
    return load_overlap(reads.connection(), as_of, threshold)


def registry_overlap(f: reads.CoverageFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cached `load_overlap` on the filter's as-of month (one row per combination; sizes)."""
    return _overlap(reads.store_version(), f.as_of, app_settings.min_count())


def load_quality(con: duckdb.DuckDBPyConnection, threshold: int):
    """(per source and province, per source) quality counts, published (uncached).

    Counts: records, filled fields, unlinked, duplicates (overlap.publish_quality).
    """
    frame = reads.run(con, "source_quality_by_province")
    by_province = overlap.publish_quality(frame, threshold)
    return by_province, overlap.publish_quality(overlap.source_totals(frame), threshold)


@st.cache_data(ttl=reads.TTL, max_entries=8, show_spinner=False)
def _quality(version: str, threshold: int):
    return load_quality(reads.connection(), threshold)


def source_quality_by_province() -> pd.DataFrame:
    """One row per source and province with records: quality counts, published (scoped)."""
    return scope.visible(_quality(reads.store_version(), app_settings.min_count())[0])


def source_quality_totals() -> pd.DataFrame:
    """One row per source: quality counts over every province, each published as a cell."""
    return _quality(reads.store_version(), app_settings.min_count())[1]


def import_history() -> pd.DataFrame:
    """One row per import attempt, latest first."""
    return reads.cached_query(reads.store_version(), "import_history")


def source_import_status() -> pd.DataFrame:
    """One row per source: last accepted import, days since, last attempt's result."""
    return reads.cached_query(reads.store_version(), "source_import_status")


def rollback_candidates() -> pd.DataFrame:
    """One row per source whose latest accepted batch can be rolled back."""
    return reads.cached_query(reads.store_version(), "rollback_candidates")


def rollback_effects() -> pd.DataFrame:
    """What rolling back each batch that can be rolled back would undo (cached).

    Grain: one row per rollback candidate (queries/imports/batch_with_later.sql): batch_id,
    kind, source, file_name, rows_loaded, and reopened_count (the records it had ended).
    """
    return _rollback_effects(reads.store_version())


@st.cache_data(ttl=reads.TTL, max_entries=4, show_spinner=False)
def _rollback_effects(version: str) -> pd.DataFrame:
    con = reads.connection()
    found = [
        reads.run(con, "imports/batch_with_later", batch_id=int(batch))
        for batch in reads.cached_query(version, "rollback_candidates")["batch_id"]
    ]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["batch_id"])


def lineage_batches(f: reads.CoverageFilter, province: str | None) -> pd.DataFrame:
    """The import batches feeding a figure of one province (or KH) and cut (cached).

    Grain: one row per batch and use (registrations, uptake, population). A province
    outside the user's scope is refused.
    """
    scope.check(province)
    return _lineage(reads.store_version(), f.as_of, province, f.source)


@st.cache_data(ttl=reads.TTL, max_entries=128, show_spinner=False)
def _lineage(version: str, as_of: dt.date, province: str | None, source: str | None):
    return reads.run(
        reads.connection(), "lineage_batches", as_of=as_of, province=province, source=source
    )
