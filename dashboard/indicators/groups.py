"""Suppresses coverage by vulnerable group consistently with the coverage table beside it.

The coverage_by_group query gives, per province and the national row, counts for `all`
and for four splits of it (women / not women, older / not older, poor / not poor,
disability / no disability). Every split adds up to `all`, every group's registered count
is covered + not covered, and the national row is the sum of the provinces: all of these
are additive relations. The `all` cells are the very counts the coverage page shows for the
same filters, so they start hidden or shown exactly as there (`fixed`), and complements
are found among the group cells: the two pages together never reveal a hidden count.
"""

import pandas as pd

import settings
from indicators import protection, suppression

COUNTS = protection.COUNTS
SPLITS = {
    "women": "not_women",
    "older": "not_older",
    "poor": "not_poor",
    "disability": "no_disability",
}
GROUPS = ("all", *[g for pair in SPLITS.items() for g in pair])


def relations(codes: list[str]) -> list[suppression.Relation]:
    """Additive relations of the group table: rows, splits and the national column."""
    provinces = [c for c in codes if c != settings.NATIONAL]
    rels: list[suppression.Relation] = []
    for code in codes:
        for group in GROUPS:
            rels.append(
                (
                    (code, group, "registered_count"),
                    [(code, group, "covered_count"), (code, group, "registered_not_covered_count")],
                )
            )
        for group, other in SPLITS.items():
            for col in COUNTS:
                rels.append(((code, "all", col), [(code, group, col), (code, other, col)]))
    if settings.NATIONAL in codes:
        for group in GROUPS:
            for col in COUNTS:
                rels.append(((settings.NATIONAL, group, col), [(p, group, col) for p in provinces]))
    return rels


def seeds(coverage: pd.DataFrame) -> tuple[set, set]:
    """Cells of group `all` hidden and shown by the (suppressed) coverage table."""
    hidden, shown = set(), set()
    for row in coverage.itertuples(index=False):
        for col in COUNTS:
            cell = (row.province_code, "all", col)
            (hidden if getattr(row, f"{col}_suppressed") else shown).add(cell)
    return hidden, shown


def suppress_groups(frame: pd.DataFrame, coverage: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide small group counts and their complements; add `<count>_suppressed` flags.

    Args:
        frame: the coverage_by_group query's rows.
        coverage: the suppressed coverage table for the same filters (seeds the `all` cells).
        threshold: the suppression threshold.
    """
    keys = list(zip(frame["province_code"], frame["group_code"], strict=True))
    values = {
        (code, group, col): int(v)
        for col in COUNTS
        for (code, group), v in zip(keys, frame[col], strict=True)
    }
    hidden, shown = seeds(coverage)
    codes = list(dict.fromkeys(frame["province_code"]))
    hide = suppression.suppress(values, relations(codes), threshold, hidden=hidden, fixed=shown)
    out = frame.copy()
    for col in COUNTS:
        flags = pd.Series([(*k, col) in hide for k in keys], index=out.index)
        out[col] = out[col].astype("Int64").mask(flags)
        out[f"{col}_suppressed"] = flags
    return out


def wide(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per province, one column per group, from a column of the group table."""
    return groups.pivot(index="province_code", columns="group_code", values=column)
