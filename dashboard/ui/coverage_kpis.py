"""The coverage page's headline: one metric per key national figure."""

import pandas as pd
import streamlit as st

import i18n
from indicators import formatting

# Column of the national row and how its value is written.
KPIS = [
    ("coverage_rate", "rate"),
    ("covered_count", "count"),
    ("informal_workers_est", "count"),
    ("registration_rate", "rate"),
    ("registered_not_covered_count", "count"),
]


def render(national: pd.Series, threshold: int, lang: str) -> None:
    """A row of metrics, one per KPI, suppressed as the disclosure threshold requires.

    A metric showing a marker (⚑, the small-count or the no-estimate marker) explains it
    in its help.

    Args:
        national: the national row of the coverage table.
        threshold: the disclosure threshold.
        lang: the UI language.
    """
    for col, (name, kind) in zip(st.columns(len(KPIS)), KPIS, strict=True):
        text = formatting.kpi_text(national, name, kind, threshold, lang)
        col.metric(
            i18n.t(f"column.{name}", lang), text, help=formatting.explain(text, threshold, lang)
        )
