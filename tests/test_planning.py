"""Targets, projections at the current pace, the what-if planner and change, worked by hand."""

import datetime as dt
import sqlite3

import pandas as pd
import pytest

import cli
from appdb import targets
from data_access import reads
from indicators import planning

D = dt.date


JANUARY = D(2024, 1, 31)


def rates(*values):
    months = [planning.month_end(JANUARY, i) for i in range(len(values))]
    return pd.DataFrame(
        {"month_end": pd.to_datetime(months), "coverage_rate": pd.array(values, dtype="Float64")}
    )


def test_projection_at_the_current_pace():
    # +2 points a month from 16% in April: 14 points more take 7 months -> November 2024
    series = rates(0.10, 0.12, 0.14, 0.16)
    on_time = planning.project(series, 0.30, D(2024, 12, 31))
    assert on_time.status == "on_track"
    assert on_time.pace_per_month == pytest.approx(0.02)
    assert on_time.met_on == D(2024, 11, 30)
    assert on_time.latest_month == D(2024, 4, 30)
    assert planning.project(series, 0.30, D(2024, 10, 31)).status == "late"


def test_projection_skips_hidden_months_and_uses_the_latest_window():
    # February hidden: the pace comes from January, March and April (still +2 points)
    assert planning.project(rates(0.10, None, 0.14, 0.16), 0.2, D(2030, 1, 1)).met_on == D(
        2024, 6, 30
    )
    # an old fall outside the 12-month window does not count
    series = rates(0.9, *[0.10 + 0.01 * i for i in range(12)])
    assert planning.project(series, 0.5, D(2030, 1, 1)).pace_per_month == pytest.approx(0.01)


def test_projection_statuses():
    assert planning.project(rates(0.2, 0.2, 0.2), 0.3, D(2030, 1, 1)).status == "not_at_this_pace"
    assert planning.project(rates(0.2, 0.3), 0.3, D(2030, 1, 1)).status == "met"
    assert planning.project(rates(0.2, None), 0.3, D(2030, 1, 1)).status == "no_data"
    assert planning.project(rates(0.2, 0.25), None, None).status == "no_target"


def test_allocation_by_gap_equal_and_capped():
    gaps = pd.Series({"02": 470, "03": 138})
    # 100 x 470/608 = 77.3 and 22.7: floors 77 + 22, the last person to the larger remainder
    assert planning.allocate(gaps, 100, "gap").to_dict() == {"02": 77, "03": 23}
    assert planning.allocate(gaps, 101, "equal").to_dict() == {"02": 51, "03": 50}
    small = pd.Series({"a": 5, "b": 100})
    assert planning.allocate(small, 50, "equal").to_dict() == {"a": 5, "b": 25}  # capped at 5


CUT = reads.CoverageFilter(as_of=D(2024, 6, 30))


def test_coverage_trend_month_by_month(needs_con):
    trend = reads.load_trend(needs_con, CUT, 10)
    p01 = planning.series(trend, "01").set_index("month_end")["coverage_rate"]
    # episodes start on 1 May 2024: 01 has 60 of 200 covered from May
    assert p01[pd.Timestamp("2024-04-30")] == 0
    assert p01[pd.Timestamp("2024-05-31")] == pytest.approx(0.3)
    assert p01[pd.Timestamp("2024-06-30")] == pytest.approx(0.3)


def test_trend_hides_what_each_month_coverage_table_hides(needs_con):
    trend = reads.load_trend(needs_con, CUT, 13)
    june = trend[trend["month_end"] == "2024-06-30"]
    table = reads.load_coverage(needs_con, CUT, 13)
    assert june["covered_count_suppressed"].tolist() == table["covered_count_suppressed"].tolist()
    assert june["coverage_rate"].isna().tolist() == table["coverage_rate"].isna().tolist()


def test_what_if_drive_changes_coverage_gap_and_rank(needs_con):
    coverage = reads.load_coverage(needs_con, CUT, 10)
    plan = planning.what_if(coverage, ["03"], 100, "gap").set_index("province_code")
    # before: 03 8% (rank 1), 02 21.7% (2), 01 30% (3); 03 reaches 112 of 150 = 74.7%
    assert plan.loc["03", "reached_count"] == 100
    assert plan.loc["03", "projected_coverage_rate"] == pytest.approx(112 / 150)
    assert plan.loc["03", "projected_gap_count"] == 38
    assert (plan.loc["03", "rank_before"], plan.loc["03", "rank_after"]) == (1, 3)
    assert (plan.loc["02", "rank_before"], plan.loc["02", "rank_after"]) == (2, 1)
    exported = planning.plan_export(
        planning.what_if(coverage, ["03"], 100, "gap"), 100, "gap", CUT.as_of
    )
    assert exported["province_code"].tolist() == ["03"]
    assert exported["as_of"].iloc[0] == "2024-06-30"


def test_change_between_two_months(needs_con):
    april = reads.load_coverage(needs_con, reads.CoverageFilter(D(2024, 4, 30)), 10)
    june = reads.load_coverage(needs_con, CUT, 10)
    moved = planning.change(april, june).set_index("province_code")
    assert moved.loc["01", "rate_change"] == pytest.approx(0.3)
    assert moved.loc["KH", "covered_change"] == 202
    # 03 covered 12 in June: shown at threshold 10; hidden at 13, and so is its change
    hidden = planning.change(
        reads.load_coverage(needs_con, reads.CoverageFilter(D(2024, 4, 30)), 13),
        reads.load_coverage(needs_con, CUT, 13),
    ).set_index("province_code")
    assert pd.isna(hidden.loc["03", "rate_change"])
    assert hidden.loc["03", "covered_change_suppressed"]


def write_csv(path, text):
    path.write_text(text)
    return path


def test_targets_import_checks_every_row_then_saves_all(tmp_path):
    db = tmp_path / "app.sqlite"
    good = write_csv(
        tmp_path / "t.csv",
        "province_code,service_code,target_rate,target_date,note\n"
        "KH,,40%,2026-12-31,NSPPF\n1,HEF,0.5,2027-06-30,\n",
    )
    assert targets.import_csv(good, {"01", "02"}, {"HEF"}, "tester", db) == 2
    table = targets.all_targets(db)
    assert table[["province_code", "service_code", "target_rate"]].values.tolist() == [
        ["KH", "*", 0.4], ["01", "HEF", 0.5],
    ]  # fmt: skip
    assert targets.find(table, "01", "HEF") == (0.5, D(2027, 6, 30))
    bad = write_csv(
        tmp_path / "b.csv",
        "province_code,target_rate,target_date\n02,30%,2026-12-31\n99,30%,2026-12-31\n",
    )
    with pytest.raises(targets.TargetError, match="line 3: unknown province '99'"):
        targets.import_csv(bad, {"01", "02"}, {"HEF"}, "tester", db)
    assert len(targets.all_targets(db)) == 2  # nothing of the bad file was written
    audit = sqlite3.connect(db).execute("select action, user_name from audit_log").fetchall()
    assert audit == [("targets_import", "tester")]


@pytest.mark.parametrize(("text", "rate"), [("0.4", 0.4), ("40%", 0.4), ("40", 0.4), ("100%", 1.0)])
def test_target_rates_as_shares_or_percentages(text, rate):
    assert targets.parse_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("text", ["0", "120%", "abc"])
def test_impossible_target_rates_are_rejected(text):
    with pytest.raises(targets.TargetError):
        targets.parse_rate(text)


def test_targets_command(needs_store, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COVERAGE_APP_DB", str(tmp_path / "app.sqlite"))
    file = write_csv(
        tmp_path / "t.csv",
        "province_code,service_code,target_rate,target_date\n03,A,25%,2025-12-31\n",
    )
    assert cli.main(["targets", "import", str(file)]) == 0
    assert "Imported 1 targets" in capsys.readouterr().out
    assert targets.find(targets.all_targets(), "03", "A") == (0.25, D(2025, 12, 31))
    bad = write_csv(
        tmp_path / "b.csv",
        "province_code,service_code,target_rate,target_date\n03,ZZ,25%,2025-12-31\n",
    )
    assert cli.main(["targets", "import", str(bad)]) == 1
    assert "unknown programme 'ZZ'" in capsys.readouterr().err
