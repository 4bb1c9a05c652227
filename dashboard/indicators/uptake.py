"""Service uptake: monthly series and breakdowns by group, suppressed like the coverage table.

A service's receiving count in a province and month is the covered count the coverage
page shows for that month with that programme alone chosen. Each month and service is
therefore suppressed with the very relations and values of that coverage table (covered,
registered not covered, registered; the national row the sum of the provinces), so the
series hides exactly what the coverage page hides. A breakdown by group then starts from
those decisions: each province's receiving total is the sum of its group cells.
"""

import pandas as pd

import settings
from indicators import protection, suppression

GROUP_BY = ("sex", "age_band", "occupation", "disability", "poverty")
TOTAL = "__total__"


def _coverage_values(codes: list, got: list, registered: list) -> dict:
    """The coverage table's cells for one month and service."""
    values = {}
    for code, covered, total in zip(codes, got, registered, strict=True):
        values[(code, "covered_count")] = int(covered)
        values[(code, "registered_count")] = int(total)
        values[(code, "registered_not_covered_count")] = int(total) - int(covered)
    return values


def series_flags(frame: pd.DataFrame, by: list[str], covered: str, threshold: int) -> pd.DataFrame:
    """Suppress a series of coverage tables: one table per value of `by` (e.g. each month).

    Args:
        frame: rows with province_code (provinces and KH), `covered` and registered_count.
        by: the columns that identify one coverage table.
        covered: the covered count column.
        threshold: the suppression threshold.

    Returns:
        The frame sorted by `by` then province code (the coverage table's order), with
        `hidden_covered` and `hidden_registered` flags.
    """
    frame = frame.sort_values([*by, "province_code"], ignore_index=True)
    codes = frame["province_code"].tolist()
    got, registered = frame[covered].tolist(), frame["registered_count"].tolist()
    keys = list(zip(*[frame[c] for c in by], strict=True))
    flags, start = [], 0
    while start < len(keys):
        end = start
        while end < len(keys) and keys[end] == keys[start]:
            end += 1
        block = codes[start:end]
        values = _coverage_values(block, got[start:end], registered[start:end])
        hidden = suppression.suppress(values, protection.coverage_relations(block), threshold)
        flags += [
            ((c, "covered_count") in hidden, (c, "registered_count") in hidden) for c in block
        ]
        start = end
    frame["hidden_covered"] = [f[0] for f in flags]
    frame["hidden_registered"] = [f[1] for f in flags]
    return frame


def suppress_monthly(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide receiving counts as each month's single-programme coverage table does.

    Args:
        frame: the uptake_monthly query's rows.
        threshold: the suppression threshold.

    Returns:
        month_end, province_code, service_code, receiving_count (missing where hidden),
        receiving_count_suppressed; the registered count is dropped.
    """
    out = series_flags(frame, ["month_end", "service_code"], "receiving_count", threshold)
    out["receiving_count_suppressed"] = out.pop("hidden_covered")
    out["receiving_count"] = (
        out["receiving_count"].astype("Int64").mask(out["receiving_count_suppressed"])
    )
    return out.drop(columns=["registered_count", "hidden_registered"])


def relations(keys: list[tuple[str, str, str]]) -> list[suppression.Relation]:
    """Group cells add up to each province's total; provinces add up to the national row."""
    rels: list[suppression.Relation] = []
    by_total: dict[tuple[str, str], list] = {}
    by_column: dict[tuple[str, str], list] = {}
    for code, service, value in keys:
        by_total.setdefault((code, service), []).append((code, service, value))
        if code != settings.NATIONAL:
            by_column.setdefault((service, value), []).append((code, service, value))
    rels += [((code, s, TOTAL), parts) for (code, s), parts in by_total.items()]
    rels += [((settings.NATIONAL, s, v), parts) for (s, v), parts in by_column.items()]
    provinces = sorted({c for c, _, _ in keys if c != settings.NATIONAL})
    for service in {s for _, s, _ in keys}:
        rels.append(((settings.NATIONAL, service, TOTAL), [(p, service, TOTAL) for p in provinces]))
    return rels


def suppress_by_group(frame: pd.DataFrame, month: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide small group cells and complements, starting from the month's receiving totals.

    Args:
        frame: the uptake_by_group query's rows.
        month: suppress_monthly rows of the same month (the totals' hidden/shown state).
        threshold: the suppression threshold.
    """
    keys = list(
        zip(frame["province_code"], frame["service_code"], frame["group_value"], strict=True)
    )
    values = {key: int(v) for key, v in zip(keys, frame["receiving_count"], strict=True)}
    totals = frame.groupby(["province_code", "service_code"])["receiving_count"].sum()
    values |= {(code, s, TOTAL): int(v) for (code, s), v in totals.items()}
    hidden, shown = set(), set()
    for code, s, flag in zip(
        month["province_code"],
        month["service_code"],
        month["receiving_count_suppressed"],
        strict=True,
    ):
        (hidden if flag else shown).add((code, s, TOTAL))
    hide = suppression.suppress(values, relations(keys), threshold, hidden=hidden, fixed=shown)
    out = frame.copy()
    flags = pd.Series([key in hide for key in keys], index=out.index)
    out["receiving_count"] = out["receiving_count"].astype("Int64").mask(flags)
    out["receiving_count_suppressed"] = flags
    return out


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
