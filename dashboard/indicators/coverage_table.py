"""The coverage table as published: counts perturbed by the cell-key method, figures derived.

Counts go through indicators/disclosure.py; the rates, the gap and the share of the
registered are then computed from the published counts (never from true ones) and are
missing where a count they use is suppressed. The estimate is not perturbed.
"""

import pandas as pd

from indicators import disclosure

COUNTS = ("covered_count", "registered_not_covered_count", "registered_count")
# Each derived column is missing when any of the counts it is computed from is suppressed.
DERIVED = {
    "coverage_rate": ("covered_count",),
    "coverage_gap_count": ("covered_count",),
    "registration_rate": ("registered_count",),
    "covered_share_of_registered": ("covered_count", "registered_count"),
}


def derive(out: pd.DataFrame) -> pd.DataFrame:
    """Rates, gap and share from the published counts; `suppressed` and `over_100_flag`."""
    estimate = out["informal_workers_est"].astype("Int64")
    out["coverage_rate"] = disclosure.ratio(out["covered_count"], estimate)
    out["registration_rate"] = disclosure.ratio(out["registered_count"], estimate)
    out["coverage_gap_count"] = (estimate - out["covered_count"].astype("Int64")).astype("Int64")
    if "registered_count" in out:
        share = disclosure.ratio(out["covered_count"], out["registered_count"])
        out["covered_share_of_registered"] = share
    flags = [f"{c}_suppressed" for c in COUNTS if f"{c}_suppressed" in out]
    out["suppressed"] = out[flags].any(axis=1)
    over = out["coverage_rate"].gt(1).fillna(False) | out["registration_rate"].gt(1).fillna(False)
    out["over_100_flag"] = over.astype(bool)
    return out


def publish(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The coverage_by_province (or coverage_trend) rows with published counts and figures.

    Each count becomes its published value (missing where below the threshold) with a
    `<count>_suppressed` flag; `suppressed` is true where any count is.
    """
    counts = [c for c in COUNTS if c in frame]
    return derive(disclosure.publish(frame, counts, threshold))
