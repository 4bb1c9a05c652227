"""Applies suppression to indicator tables and hides every figure derived from a hidden count."""

import pandas as pd

import settings
from indicators import suppression

COUNTS = ("covered_count", "registered_not_covered_count", "registered_count")
# Each derived column is hidden when any of the counts it is computed from is hidden.
DERIVED = {
    "coverage_rate": ("covered_count",),
    "coverage_gap_count": ("covered_count",),
    "registration_rate": ("registered_count",),
    "covered_share_of_registered": ("covered_count", "registered_count"),
}


def coverage_relations(codes: list[str]) -> list[suppression.Relation]:
    """Additive relations of the coverage table: within rows and down columns."""
    provinces = [c for c in codes if c != settings.NATIONAL]
    rows = [
        (
            (code, "registered_count"),
            [(code, "covered_count"), (code, "registered_not_covered_count")],
        )
        for code in codes
    ]
    columns = [((settings.NATIONAL, col), [(code, col) for code in provinces]) for col in COUNTS]
    return rows + columns if settings.NATIONAL in codes else rows


def suppress_coverage(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide small counts, their complements and their derived figures; add flag columns.

    The frame is one row per province plus the national row, as returned by the
    coverage_by_province query. Hidden values become missing (never 0); for each count
    a `<count>_suppressed` flag is added, and `suppressed` is true where any count is.
    """
    codes = frame["province_code"].tolist()
    values = {
        (code, col): int(v) for col in COUNTS for code, v in zip(codes, frame[col], strict=True)
    }
    hidden = suppression.suppress(values, coverage_relations(codes), threshold)
    out = frame.copy()
    for col in COUNTS:
        flags = pd.Series([(code, col) in hidden for code in codes], index=out.index)
        out[col] = out[col].astype("Int64").mask(flags)
        out[f"{col}_suppressed"] = flags
    for col, sources in DERIVED.items():
        hide = out[[f"{s}_suppressed" for s in sources]].any(axis=1)
        out[col] = out[col].astype("Float64" if "rate" in col or "share" in col else "Int64")
        out[col] = out[col].mask(hide)
    out["suppressed"] = out[[f"{c}_suppressed" for c in COUNTS]].any(axis=1)
    over = out["coverage_rate"].gt(1).fillna(False) | out["registration_rate"].gt(1).fillna(False)
    out["over_100_flag"] = over.astype(bool)
    return out


def suppress_breakdown(parts: pd.DataFrame, total_hidden: bool) -> pd.DataFrame:
    """Hide one more part of a breakdown whose parts add up to a total shown elsewhere.

    `parts` holds the covered counts of groups (occupations) that add up to the area's
    covered total, each already suppressed in its own table. If exactly one cell of
    total = sum(parts) is hidden (one part, or the total alone), it could be worked out
    by subtraction, so the smallest shown part (positive first) is hidden as well, with
    its rate and gap.

    Args:
        parts: one row per group with covered_count, coverage_rate, coverage_gap_count.
        total_hidden: whether the area's total covered count is hidden.
    """
    out = parts.copy()
    hidden = out["covered_count"].isna()
    shown = out.loc[~hidden, "covered_count"]
    if int(hidden.sum()) + int(total_hidden) != 1 or shown.empty:
        return out
    positive = shown[shown > 0]
    pick = (positive if len(positive) else shown).astype(int).idxmin()
    for column in ("covered_count", *(c for c, s in DERIVED.items() if "covered_count" in s)):
        if column in out:
            out.loc[pick, column] = pd.NA
    return out
