import datetime as dt

import pandas as pd
import pytest

from data_access import reads, scope

JUNE = dt.date(2024, 6, 30)


def test_an_injection_looking_value_is_data_not_sql(tiny_con):
    hostile = "S1' or 1=1 --"
    frame = reads.run(
        tiny_con, "coverage_by_province", as_of=JUNE, services=[], occupation=None,
        sex=hostile, age_band=None, source=None,
    )  # fmt: skip
    assert frame["registered_count"].sum() == 0  # matched no one, broke nothing
    assert len(frame) == 26


@pytest.mark.parametrize(
    ("field", "value"),
    [("source", "S9"), ("occupation", "formal_employee"), ("sex", "X"), ("age_band", "1-2")],
)
def test_unknown_filter_values_are_rejected_by_name(tiny_con, field, value):
    cut = reads.CoverageFilter(as_of=JUNE, **{field: value})
    with pytest.raises(reads.InvalidFilter, match=field):
        reads.load_coverage(tiny_con, cut, 10)


def test_unknown_service_is_rejected(tiny_con):
    cut = reads.CoverageFilter(as_of=JUNE, services=("A", "Z"))
    with pytest.raises(reads.InvalidFilter, match="'Z'"):
        reads.load_coverage(tiny_con, cut, 10)


def test_parameters_reach_the_sql_and_suppression_applies(tiny_con):
    cut = reads.CoverageFilter(as_of=JUNE)
    table = reads.load_coverage(tiny_con, cut, 10).set_index("province_code")
    # True: 12 = (covered 13, not covered 2, registered 15); 01 = (0, 1, 1); KH = (13, 3, 16).
    # Every record key of the tiny store is 0, so every cell key is 0 and no count moves
    # (the p-table gives 0 there). Below 10: 12 not covered (2), 01 not covered and
    # registered (1), KH not covered (3); nothing else is hidden (no complements).
    hidden = {
        "12": ["registered_not_covered_count"],
        "01": ["registered_not_covered_count", "registered_count"],
        "KH": ["registered_not_covered_count"],
    }
    for code, columns in hidden.items():
        for column in columns:
            assert pd.isna(table.loc[code, column]), (code, column)
            assert table.loc[code, f"{column}_suppressed"]
    assert table.loc["01", "covered_count"] == 0
    assert table.loc["KH", "registered_count"] == 16
    assert [table.loc["12", "covered_count"], table.loc["KH", "covered_count"]] == [13, 13]
    assert not table.loc["12", "covered_count_suppressed"]
    assert table.loc["12", "coverage_rate"] == pytest.approx(13 / 1000)
    assert table.loc["02", "coverage_rate"] == 0
    women = reads.load_coverage(tiny_con, reads.CoverageFilter(JUNE, sex="F"), 10)
    assert women.set_index("province_code").loc["KH", "registered_count_suppressed"]


def test_cached_reader_follows_the_store_path(tiny_store):
    scope.pin("test", None)  # as auth.gate() does for a user who sees every province
    table = reads.coverage_by_province(reads.CoverageFilter(as_of=JUNE))
    assert table.set_index("province_code").loc["KH", "registered_count"] == 16
    assert reads.report_months()[0] == JUNE
    assert reads.report_months()[-1] == dt.date(2019, 1, 31)
