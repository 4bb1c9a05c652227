"""Every query runs on the fixture store; the coverage query gives hand-worked numbers.

Fixture (tests/conftest.py), as-of 30 June 2024, Phnom Penh (12):
- persons 1-10: tuk-tuk, men born 1990, service A from 1 Jan 2024, open: covered.
- person 11: A ended 29 June 2024: not covered on 30 June (covered on 31 May).
- person 12: A ended 30 June 2024: covered (end date inclusive).
- person 13: in S1 (2022, market vendor) and S2 (Feb 2024, tuk-tuk, latest): one person;
  service B from 30 June 2024: covered on 30 June, not on 31 May.
- person 14: formal employee with A: never counted.
- person 15: registered 15 July 2024: not yet registered on 30 June.
- person 16: registered 30 June 2024, no service: registered, not covered.
- person 17: registered 10 June 2024, A since 1 April 2024: covered (also in April, May).
Banteay Meanchey (01): person 101, B in 2019-2020 only: registered, not covered.
"""

import datetime as dt

import pandas as pd
import pytest

import sql
from data_access import reads

JUNE = dt.date(2024, 6, 30)
ALL = {"services": [], "occupation": None, "sex": None, "age_band": None, "source": None}
DEFAULTS = {
    "coverage_by_province": {"as_of": JUNE, **ALL},
    "coverage_by_group": {"as_of": JUNE, **ALL, "older_min_age": 60},
    "uptake_monthly": {k: v for k, v in ALL.items() if k != "services"},
    "uptake_by_group": {
        "as_of": JUNE,
        "group_by": "sex",
        **{k: v for k, v in ALL.items() if k != "services"},
    },
    "coverage_trend": {k: v for k, v in ALL.items()},
    "lineage_batches": {"as_of": JUNE, "province": "12", "source": None},
    "area_coverage": {"as_of": JUNE, "services": [], "province": "12"},
    "targeting_by_province": {"as_of": JUNE, **{k: v for k, v in ALL.items() if k != "services"}},
    "bench/linked_records": {"source": "S1", "prefix": ""},
    "registry_overlap": {"as_of": JUNE},
}


@pytest.mark.parametrize("name", sql.query_names() + sql.query_names("bench"))
def test_every_query_runs(tiny_con, name):
    frame = reads.run(tiny_con, name, **DEFAULTS.get(name, {}))
    assert len(frame.columns) > 0


def coverage(con, **params):
    frame = reads.run(con, "coverage_by_province", **{"as_of": JUNE, **ALL, **params})
    return frame.set_index("province_code")


def counts(frame, code):
    row = frame.loc[code]
    return int(row["registered_count"]), int(row["covered_count"])


def test_one_row_per_province_and_a_national_row(tiny_con):
    frame = coverage(tiny_con)
    assert len(frame) == 26
    assert frame.index[-1] == "KH"
    assert frame.index.is_unique


def test_coverage_counts_active_episodes_on_the_month_end(tiny_con):
    frame = coverage(tiny_con)
    # registered: 1-13, 16, 17 (15 persons); covered: 1-10, 12, 13, 17 (13 persons)
    assert counts(frame, "12") == (15, 13)
    assert counts(frame, "01") == (1, 0)
    assert counts(frame, "02") == (0, 0)
    assert counts(frame, "KH") == (16, 13)
    assert frame.loc["12", "registered_not_covered_count"] == 2


def test_any_day_of_the_month_reads_its_last_day(tiny_con):
    may = coverage(tiny_con, as_of=dt.date(2024, 5, 3))
    # 31 May: 1-12 covered (11 still active, 12 active), 13 registered not covered,
    # 16 not yet registered, 17 covered before registering.
    assert counts(may, "12") == (14, 13)


def test_denominator_and_rates_for_all_informal_workers(tiny_con):
    row = coverage(tiny_con).loc["12"]
    assert row["informal_workers_est"] == 1000  # 2024 estimate, not the 2023 one
    assert row["coverage_rate"] == pytest.approx(13 / 1000)
    assert row["registration_rate"] == pytest.approx(15 / 1000)
    assert row["coverage_gap_count"] == 1000 - 13
    assert row["covered_share_of_registered"] == pytest.approx(13 / 15)
    assert row["numerator_reference_date"].date() == JUNE
    assert row["denominator_reference_date"].date() == dt.date(2024, 7, 1)
    national = coverage(tiny_con).loc["KH"]
    assert national["informal_workers_est"] == 1000 + 24 * 100


def test_programme_filter_means_covered_by_at_least_one(tiny_con):
    assert counts(coverage(tiny_con, services=["B"]), "12") == (15, 1)
    assert counts(coverage(tiny_con, services=["A", "B"]), "12") == (15, 13)


def test_sex_filter_uses_latest_attributes_and_same_cut_denominator(tiny_con):
    frame = coverage(tiny_con, sex="F")
    assert counts(frame, "12") == (2, 1)  # persons 13 and 16; 13 covered
    assert frame.loc["12", "informal_workers_est"] == 300 + 100
    # the fixture estimates no women outside Phnom Penh: no denominator, not a zero
    assert pd.isna(frame.loc["01", "informal_workers_est"])
    assert pd.isna(frame.loc["KH", "informal_workers_est"])
    assert counts(frame, "01") == (1, 0)


def test_occupation_filter_applies_its_share_of_informal_work(tiny_con):
    frame = coverage(tiny_con, occupation="tuk_tuk_driver")
    # 1-12 and 13 (latest registration says tuk-tuk); covered 1-10, 12, 13
    assert counts(frame, "12") == (13, 12)
    assert frame.loc["12", "informal_workers_est"] == 250  # 1000 x 0.25


def test_age_band_is_age_on_the_month_end(tiny_con):
    frame = coverage(tiny_con, age_band="25-34")
    assert counts(frame, "12") == (12, 11)  # born 1990: 34 in 2024; person 11 not covered
    assert frame.loc["12", "informal_workers_est"] == 400 + 300


def test_source_filter_has_no_population_denominator(tiny_con):
    frame = coverage(tiny_con, source="S2")
    assert counts(frame, "12") == (2, 1)  # 13 (S2 since Feb) and 16 (30 June)
    assert frame["informal_workers_est"].isna().all()
    assert frame["coverage_rate"].isna().all()
    assert frame.loc["12", "denominator_note"].startswith("No population estimate")
    assert frame.loc["12", "covered_share_of_registered"] == pytest.approx(1 / 2)


def test_age_band_without_estimates_says_so(tiny_con):
    frame = coverage(tiny_con, age_band="65+")
    assert frame["informal_workers_est"].isna().all()
    assert frame.loc["KH", "denominator_note"] == "No population estimate exists for this cut"
