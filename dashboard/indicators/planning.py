"""Planning: targets, a projection at the current pace, a what-if drive, change between months.

Projection: the pace is the least-squares slope of the coverage rate over the last
`window` months the series shows (suppressed months are left out), in rate per month;
from the latest shown rate at that pace, the target is reached after
ceil((target - latest) / pace) months. A pace of zero or below never reaches it.

What-if: the people a drive reaches become covered (the drive enrols them in a
programme), split between the chosen provinces in proportion to their coverage gap (or
equally), never more than a province's gap; ranks are by coverage rate, 1 being the lowest
(where to act first), among provinces whose rate is shown.
"""

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd

import i18n
import settings
from indicators import coverage_table, formatting

WINDOW = 12
TOLERANCE = 1e-9


def publish_trend(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Each month's coverage rows published as that month's coverage table is (cell key)."""
    return coverage_table.publish(frame, threshold)


def series(trend: pd.DataFrame, province: str) -> pd.DataFrame:
    """One province's (or KH's) monthly coverage rate; hidden months are missing."""
    rows = trend[trend["province_code"] == province]
    return rows[["month_end", "coverage_rate", "covered_count_suppressed"]].reset_index(drop=True)


@dataclasses.dataclass(frozen=True)
class Projection:
    """Where the current pace leads: status and the month end the target would be met."""

    status: str  # met | on_track | late | not_at_this_pace | no_data | no_target
    latest_rate: float | None = None
    latest_month: dt.date | None = None
    pace_per_month: float | None = None
    met_on: dt.date | None = None


def month_end(day: dt.date, months: int = 0) -> dt.date:
    """The last day of the month `months` after the month of `day`."""
    stamp = pd.Timestamp(day) + pd.offsets.MonthEnd(0) + pd.offsets.MonthEnd(months)
    return stamp.date()


def project(
    rates: pd.DataFrame,
    target_rate: float | None,
    target_date: dt.date | None,
    window: int = WINDOW,
) -> Projection:
    """Project a coverage series to its target at the current pace.

    Args:
        rates: month_end and coverage_rate (missing where hidden), oldest first.
        target_rate: the target share (None: only the pace, status "no_target").
        target_date: when the target should be met.
        window: how many of the latest shown months set the pace.
    """
    shown = rates.dropna(subset=["coverage_rate"]).tail(window)
    if len(shown) < 2:
        return Projection("no_data")
    months = [_month_number(d) for d in shown["month_end"]]
    pace = float(np.polyfit(months, shown["coverage_rate"].astype(float), 1)[0])
    latest = float(shown["coverage_rate"].iloc[-1])
    when = pd.Timestamp(shown["month_end"].iloc[-1]).date()
    if target_rate is None:
        return Projection("no_target", latest, when, pace)
    if latest >= target_rate - TOLERANCE:
        return Projection("met", latest, when, pace, when)
    if pace <= TOLERANCE:
        return Projection("not_at_this_pace", latest, when, pace)
    met_on = month_end(when, math.ceil((target_rate - latest) / pace - TOLERANCE))
    status = "on_track" if met_on <= target_date else "late"
    return Projection(status, latest, when, pace, met_on)


def _month_number(day) -> int:
    stamp = pd.Timestamp(day)
    return stamp.year * 12 + stamp.month


def allocate(gaps: pd.Series, people: int, split: str) -> pd.Series:
    """Split `people` between provinces (by gap or equally), whole persons, capped at each gap.

    Shares are floored and the remaining persons go to the largest remainders, so the
    allocation adds up to `people` unless the gaps together are smaller.
    """
    gaps = gaps.astype(float).clip(lower=0)
    weights = gaps if split == "gap" else pd.Series(1.0, index=gaps.index)
    if weights.sum() <= 0 or people <= 0:
        return pd.Series(0, index=gaps.index, dtype=int)
    exact = people * weights / weights.sum()
    whole = np.floor(exact).astype(int)
    order = (exact - whole).sort_values(ascending=False, kind="stable").index
    whole[order[: people - int(whole.sum())]] += 1
    return np.minimum(whole, np.floor(gaps)).astype(int)


def what_if(coverage: pd.DataFrame, provinces: list[str], people: int, split: str) -> pd.DataFrame:
    """A registration drive's effect: projected covered, rate, gap and rank per province.

    Args:
        coverage: the suppressed coverage table (provinces and KH).
        provinces: the provinces the drive covers (those with a hidden rate are ignored).
        people: how many people the drive reaches.
        split: "gap" (in proportion to the coverage gap) or "equal".
    """
    rows = coverage[coverage["province_code"] != settings.NATIONAL].set_index("province_code")
    rows = rows[rows["coverage_rate"].notna()]
    chosen = [p for p in provinces if p in rows.index]
    reached = pd.Series(0, index=rows.index, dtype=int)
    reached[chosen] = allocate(rows.loc[chosen, "coverage_gap_count"], people, split)
    plan = pd.DataFrame(
        {
            "province_name_en": rows["province_name_en"],
            "informal_workers_est": rows["informal_workers_est"].astype(int),
            "covered_count": rows["covered_count"].astype(int),
            "coverage_rate": rows["coverage_rate"].astype(float),
            "reached_count": reached,
        }
    )
    plan["projected_covered_count"] = plan["covered_count"] + plan["reached_count"]
    plan["projected_coverage_rate"] = plan["projected_covered_count"] / plan["informal_workers_est"]
    plan["projected_gap_count"] = plan["informal_workers_est"] - plan["projected_covered_count"]
    plan["rank_before"] = plan["coverage_rate"].rank(method="min").astype(int)
    plan["rank_after"] = plan["projected_coverage_rate"].rank(method="min").astype(int)
    plan["in_plan"] = plan.index.isin(chosen)
    return plan.reset_index().sort_values(["in_plan", "rank_after"], ascending=[False, True])


def plannable(coverage: pd.DataFrame) -> list[str]:
    """The provinces a drive can cover: those whose coverage rate is shown, in table order."""
    rows = coverage[coverage["province_code"] != settings.NATIONAL]
    return rows.loc[rows["coverage_rate"].notna(), "province_code"].tolist()


def change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Coverage change per province (and KH) between two suppressed coverage tables.

    A change is hidden when either of its two figures is.
    """
    left = before.set_index("province_code")
    right = after.set_index("province_code")
    out = pd.DataFrame({"province_name_en": right["province_name_en"]})
    out["rate_before"] = left["coverage_rate"]
    out["rate_after"] = right["coverage_rate"]
    out["rate_change"] = (right["coverage_rate"] - left["coverage_rate"]).astype("Float64")
    out["covered_before"] = left["covered_count"]
    out["covered_after"] = right["covered_count"]
    out["covered_change"] = (right["covered_count"] - left["covered_count"]).astype("Int64")
    out["covered_change_suppressed"] = (
        left["covered_count_suppressed"] | right["covered_count_suppressed"]
    )
    return out.reset_index()


def change_hover(table: pd.DataFrame, labels: dict[str, str], lang: str = "en") -> pd.Series:
    """Hover text per province of the change map, in `lang`.

    Args:
        table: change() output, named (`province_name`: formatting.named).
        labels: "before", "after" and "change" captions (e.g. with the two months).
        lang: the language of the numbers.
    """

    def pair(label: str, value, kind: str) -> str:
        shown = formatting.cell(value, kind, False, "", lang)
        return i18n.t("format.pair", lang, label=label, value=shown)

    return pd.Series(
        [
            f"<b>{formatting.plain(r.province_name)}</b><br>"
            + "<br>".join(
                [
                    pair(labels["before"], r.rate_before, "rate"),
                    pair(labels["after"], r.rate_after, "rate"),
                    pair(labels["change"], r.rate_change, "points"),
                ]
            )
            for r in table.itertuples()
        ],
        index=table.index,
    )


# Display tables: column -> (i18n key relative to the planning page, kind); the frames
# shown are named first (`province_name` in the UI language: formatting.named).
PLAN_COLUMNS = {
    "province_name": ("col.province", "text"),
    "informal_workers_est": ("col.estimate", "count"),
    "covered_count": ("col.covered", "count"),
    "coverage_rate": ("col.rate", "rate"),
    "reached_count": ("col.reached", "count"),
    "projected_coverage_rate": ("col.projected_rate", "rate"),
    "projected_gap_count": ("col.projected_gap", "count"),
    "rank_before": ("col.rank_before", "count"),
    "rank_after": ("col.rank_after", "count"),
}
CHANGE_COLUMNS = {
    "province_name": ("col.province", "text"),
    "rate_before": ("col.rate_before", "rate"),
    "rate_after": ("col.rate_after", "rate"),
    "rate_change": ("col.rate_change", "points"),
    "covered_change": ("col.covered_change", "count"),
}
CHANGE_HIDDEN = {"covered_change": ["covered_change_suppressed"]}


def plan_export(plan: pd.DataFrame, people: int, split: str, as_of: dt.date) -> pd.DataFrame:
    """The plan as exported: the provinces in the drive, with the drive's parameters."""
    out = plan[plan["in_plan"]].drop(columns=["in_plan"]).copy()
    out.insert(0, "as_of", month_end(as_of).isoformat())
    out["drive_people"] = people
    out["drive_split"] = split
    return out


def status_values(goal: tuple[float, dt.date], projection: Projection) -> dict[str, str]:
    """The values a projection's status message names: target, its date, the projected date."""
    met_on = f"{projection.met_on:%B %Y}" if projection.met_on else "–"
    pace = "–" if projection.pace_per_month is None else f"{100 * projection.pace_per_month:+.2f}"
    return {"target": f"{goal[0]:.0%}", "date": f"{goal[1]:%B %Y}", "met_on": met_on, "pace": pace}
