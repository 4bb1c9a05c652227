"""Service uptake on the three-province fixture (tests/needs_fixture.py), worked by hand.

Every episode starts on 1 May 2024 and stays open: A is received by a, c, e1, e2 (01: 60),
f, i (02: 130) and j (03: 12); P by a, c, e1, e2 (01: 60, of whom c, 10, are women).
"""

import datetime as dt

import pandas as pd

import needs_fixture
from charts import uptake_charts
from data_access import reads
from indicators import uptake

CUT = reads.CoverageFilter(as_of=dt.date(2024, 6, 30))


def point(monthly, month, province, service):
    row = monthly[
        (monthly["month_end"] == pd.Timestamp(month))
        & (monthly["province_code"] == province)
        & (monthly["service_code"] == service)
    ]
    return row["receiving_count"].iloc[0]


def test_monthly_uptake_counts_active_episodes(needs_con):
    monthly = reads.load_uptake_monthly(needs_con, CUT, 10)
    assert point(monthly, "2024-06-30", "01", "A") == 60
    assert point(monthly, "2024-05-31", "01", "A") == 60
    assert point(monthly, "2024-04-30", "01", "A") == 0
    assert point(monthly, "2024-06-30", "KH", "A") == 60 + 130 + 12
    assert point(monthly, "2024-06-30", "01", "O") == 10


def test_monthly_uptake_hides_what_the_coverage_table_hides(needs_con):
    monthly = reads.load_uptake_monthly(needs_con, CUT, 13)
    june = monthly[(monthly["month_end"] == "2024-06-30") & (monthly["service_code"] == "A")]
    only_a = reads.CoverageFilter(as_of=CUT.as_of, services=("A",))
    coverage = reads.load_coverage(needs_con, only_a, 13)
    june = june.sort_values("province_code")
    assert (
        june["receiving_count_suppressed"].tolist() == coverage["covered_count_suppressed"].tolist()
    )
    assert pd.isna(point(monthly, "2024-06-30", "03", "A"))  # 12 < 13


def breakdown(con, threshold):
    frame = reads.load_uptake_by_group(con, CUT, "sex", threshold)
    rows = frame[frame["service_code"] == "P"]
    return rows.set_index(["province_code", "group_value"])["receiving_count"]


def test_uptake_by_sex(needs_con):
    p = breakdown(needs_con, 10)
    assert p[("01", "F")] == 10
    assert p[("01", "M")] == 50
    assert p[("KH", "F")] == 10
    assert p[("02", "F")] == 0


def test_only_small_group_cells_are_hidden(needs_con):
    # threshold 11: 01's 10 women receiving P (block c) and the national 10 are hidden;
    # with cell-key perturbation the men (50) stay, and the total 60 gives away only noise
    p = breakdown(needs_con, 11)
    hidden = set(p[p.isna()].index)
    assert hidden == {("01", "F"), ("KH", "F")}
    assert p[("01", "M")] == 50


def test_unknown_group_is_rejected(needs_con):
    import pytest

    with pytest.raises(reads.InvalidFilter, match="unknown group"):
        reads.load_uptake_by_group(needs_con, CUT, "name; drop table", 10)


def test_trend_marks_programme_starts_within_the_series(needs_con):
    monthly = reads.load_uptake_monthly(needs_con, CUT, 10)
    series = uptake.series(monthly, "KH", ["A", "P", "D", "O"])
    catalogue = needs_fixture.SERVICES.assign(ended_on=pd.NaT)
    fig = uptake_charts.trend(series, catalogue, "Trend", "Persons")
    # A started 1 Jan 2019, before the first month end: no line; P (1 Jun 2020), D (1 Oct
    # 2023) and O (1 Apr 2024): one line and one numbered mark each, named in its hover
    marked = [(a.text, a.hovertext) for a in fig.layout.annotations]
    assert marked == [
        ("<b>1</b>", "1 June 2020: For the poor starts"),
        ("<b>2</b>", "1 October 2023: Disability starts"),
        ("<b>3</b>", "1 April 2024: Older persons starts"),
    ]
    assert len(fig.layout.shapes) == 3
    assert [t.name for t in fig.data] == ["General", "For the poor", "Disability", "Older persons"]
    assert len({t.line.color for t in fig.data}) == 4
