"""Service uptake: monthly series and breakdowns by group, published by the cell-key method.

A service's receiving count in a province and month is the very cell the coverage page
shows for that month with that programme alone chosen: the same persons, so the same
cell key and the same published value. Every count, each month and each group value, is
perturbed on its own (indicators/disclosure.py): a province's total need not equal the
sum of its published group cells, and subtracting them recovers noise, not people.
"""

import pandas as pd

from indicators import disclosure

GROUP_BY = ("sex", "age_band", "occupation", "disability", "poverty")
COUNTS = ("receiving_count",)


def publish_monthly(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The uptake_monthly rows with published receiving counts and their flags.

    Returns:
        month_end, province_code, service_code, receiving_count (missing where suppressed),
        receiving_count_suppressed.
    """
    return disclosure.publish(frame, COUNTS, threshold)


def publish_by_group(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The uptake_by_group rows with published receiving counts and their flags."""
    return disclosure.publish(frame, COUNTS, threshold)


def pivot_display(frame: pd.DataFrame, service: str, marker: str) -> pd.DataFrame:
    """One service's breakdown as text: a row per province (national last), a column per value."""
    rows = frame[frame["service_code"] == service]
    text = [
        marker if hidden else f"{int(v):,}"
        for v, hidden in zip(
            rows["receiving_count"], rows["receiving_count_suppressed"], strict=True
        )
    ]
    table = rows.assign(text=text).pivot(
        index=["province_code", "province_name_en"], columns="group_value", values="text"
    )
    return table.reset_index(level=1).reset_index(drop=True)


def series(monthly: pd.DataFrame, province: str, services: list[str]) -> pd.DataFrame:
    """The monthly series of one province (or KH) for the chosen services; hidden points missing."""
    rows = monthly[(monthly["province_code"] == province) & monthly["service_code"].isin(services)]
    return rows[["month_end", "service_code", "receiving_count", "receiving_count_suppressed"]]
