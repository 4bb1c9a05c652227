"""The lineage of a figure on a page: what makes it defensible in a ministry briefing.

For a province's coverage rate, a KPI of the national row or a needs rank: the query file
that computed it, the filters, the numerator and its date, the population estimate with
its source and reference date, whether disclosure control hid it (and how many cells of its
table), and
the import batches that fed it (file, registry, import time, SHA-256 checksum).
"""

import dataclasses

import pandas as pd

from indicators import coverage_table, needs

COVERAGE_SOURCES = (
    "queries/coverage_by_province.sql",
    "dashboard/indicators/disclosure.py (cell-key perturbation)",
)
NEEDS_SOURCES = (
    "queries/coverage_by_group.sql",
    "dashboard/indicators/groups.py (counts published by the cell-key method)",
    "dashboard/indicators/needs.py (normalisation, weights, rank)",
)
BATCH_COLUMNS = ("used_for", "batch_id", "kind", "source", "file_name", "imported_at", "sha256")


@dataclasses.dataclass
class Lineage:
    """Everything a figure's explanation shows; `facts` are (label key, value) pairs.

    Values are plain (ISO dates, codes, digits) and worded by ui/explain.py; a needs
    input's value is (value, weight, status, contribution).
    """

    figure: str
    value: str
    queries: tuple[str, ...]
    facts: list[tuple[str, str]]
    suppression: list[str]
    batches: pd.DataFrame


def filters(f) -> list[tuple[str, str]]:
    """The filters of a cut as (label key, value) pairs; "all" where a filter is not set."""
    month_end = pd.Timestamp(f.as_of) + pd.offsets.MonthEnd(0)
    return [
        ("month", f"{month_end:%Y-%m-%d}"),
        ("services", ", ".join(f.services) or "all"),
        ("occupation", f.occupation or "all"),
        ("sex", f.sex or "all"),
        ("age_band", f.age_band or "all"),
        ("source", f.source or "all"),
    ]


def _batches(batches: pd.DataFrame) -> pd.DataFrame:
    out = batches[[c for c in BATCH_COLUMNS if c in batches]].copy()
    if "imported_at" in out:
        out["imported_at"] = pd.to_datetime(out["imported_at"]).dt.strftime("%Y-%m-%d %H:%M")
    return out.reset_index(drop=True)


def _text(value) -> str:
    """A text field, or 'none' when missing (a store without population estimates)."""
    return "none" if value is None or pd.isna(value) or not value else str(value)


def _flag(value) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def _table_hidden(table: pd.DataFrame) -> int:
    return int(sum(table[f"{c}_suppressed"].sum() for c in coverage_table.COUNTS))


def coverage(row: pd.Series, table: pd.DataFrame, f, batches: pd.DataFrame, threshold: int):
    """Lineage of a coverage rate (a province's, or the national KPI).

    Args:
        row: the figure's row of the published coverage table.
        table: the whole published table (to say how many cells are below the threshold).
        f: the CoverageFilter.
        batches: the lineage_batches query's rows for this place and cut.
        threshold: the disclosure threshold.
    """
    hidden = [c for c in coverage_table.COUNTS if row[f"{c}_suppressed"]]
    rate = row["coverage_rate"]
    est = row["informal_workers_est"]
    facts = filters(f) + [
        ("numerator", "hidden" if "covered_count" in hidden else f"{int(row['covered_count']):,}"),
        ("numerator_date", f"{pd.Timestamp(row['numerator_reference_date']):%Y-%m-%d}"),
        ("denominator", "none" if pd.isna(est) else f"{int(est):,}"),
        ("denominator_source", _text(row["denominator_source"])),
        ("denominator_date", _date(row["denominator_reference_date"])),
        ("modelled", "yes" if _flag(row["denominator_is_modelled"]) else "no"),
    ]
    notes = [f"threshold:{threshold}", f"figure:{'hidden' if hidden else 'shown'}"]
    notes += [f"hidden_count:{c}" for c in hidden]
    notes.append(f"table_hidden:{_table_hidden(table)}")
    value = "hidden" if pd.isna(rate) else f"{rate:.1%}"
    return Lineage(
        row["province_name_en"], value, COVERAGE_SOURCES, facts, notes, _batches(batches)
    )


def needs_rank(
    row: pd.Series, weights: dict, status: dict, f, batches: pd.DataFrame, threshold: int
):
    """Lineage of a province's needs rank: its inputs, weights and contributions too."""
    facts = filters(f)
    for key in needs.KEYS:
        value = row[key]
        shown = "hidden" if row[f"{key}_suppressed"] else "–" if pd.isna(value) else f"{value:.4g}"
        contribution = row[f"{key}_contribution"]
        share = "–" if pd.isna(contribution) else f"{contribution:.1f}"
        facts.append((f"input:{key}", (shown, f"{weights[key]:g}", status[key], share)))
    hidden = [k for k in needs.KEYS if row[f"{k}_suppressed"]]
    notes = [f"threshold:{threshold}", f"figure:{'hidden' if hidden else 'shown'}"]
    notes += [f"hidden_input:{k}" for k in hidden]
    rank = row["needs_rank"]
    index = row["needs_index"]
    value = "–" if pd.isna(rank) else f"#{rank} ({index:.1f})"
    return Lineage(row["province_name_en"], value, NEEDS_SOURCES, facts, notes, _batches(batches))


def _date(value) -> str:
    return "none" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"
