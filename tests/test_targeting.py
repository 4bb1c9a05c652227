"""Targeting errors, the unregistered and SDG-style coverage by group, worked by hand.

Fixture: tests/needs_fixture.py, 30 June 2024. Programme P is for IDPoor levels 1-2,
D for persons with a disability, O for people aged 60 and over.
  P: 01 eligible c, d, e1, e2 = 40; receiving a, c, e1, e2 = 60; both c, e1, e2 = 30
     02 eligible h = 20, receiving 0; 03 eligible k = 15, receiving 0
     national: eligible 75, receiving 60, both 30: exclusion 45/75, inclusion 30/60
  D: eligible d (01) 10 and k (03) 15, nobody receiving: exclusion 100%
  O: eligible e1, e2 (born 1950: 74) = 20, receiving e1 = 10: exclusion 50%, inclusion 0
"""

import datetime as dt

import pandas as pd
import pytest

from data_access import reads
from indicators import targeting

CUT = reads.CoverageFilter(as_of=dt.date(2024, 6, 30))


def rows(frame, service):
    return frame[frame["service_code"] == service].set_index("province_code")


def test_eligible_receiving_and_errors_by_province(needs_con):
    table = reads.load_targeting(needs_con, CUT, 10)
    p = rows(table, "P")
    assert p.loc[
        "01", ["eligible_count", "receiving_count", "eligible_receiving_count"]
    ].tolist() == [40, 60, 30]
    assert p.loc["01", "exclusion_error"] == pytest.approx(10 / 40)
    assert p.loc["01", "inclusion_error"] == pytest.approx(30 / 60)
    assert p.loc["02", "exclusion_error"] == 1.0
    assert pd.isna(p.loc["02", "inclusion_error"])  # nobody receiving: no rate, not 0
    assert p.loc["KH", "exclusion_error"] == pytest.approx(45 / 75)
    assert p.loc["KH", "inclusion_error"] == pytest.approx(30 / 60)
    d = rows(table, "D")
    assert d.loc["KH", ["eligible_count", "eligible_not_receiving_count"]].tolist() == [25, 25]
    o = rows(table, "O")
    assert o.loc["01", "eligible_count"] == 20
    assert o.loc["01", "exclusion_error"] == pytest.approx(0.5)
    assert o.loc["01", "inclusion_error"] == 0
    assert set(table["service_code"]) == {"P", "D", "O"}  # A has no rule


def test_receiving_is_the_coverage_of_that_programme_alone(needs_con):
    table = rows(reads.load_targeting(needs_con, CUT, 10), "P")
    only_p = reads.load_coverage(
        needs_con, reads.CoverageFilter(as_of=CUT.as_of, services=("P",)), 10
    ).set_index("province_code")
    assert table["receiving_count"].tolist() == only_p["covered_count"].tolist()


def test_small_targeting_counts_and_their_rates_are_hidden(needs_con):
    # threshold 11: O's 10 receiving in 01 (e1) and its 10 eligible not receiving (e2) are
    # hidden, and so are both error rates; its 20 eligible (e1, e2) stay shown
    o = rows(reads.load_targeting(needs_con, CUT, 11), "O")
    assert o.loc["01", "receiving_count_suppressed"]
    assert pd.isna(o.loc["01", "receiving_count"])
    assert pd.isna(o.loc["01", "eligible_not_receiving_count"])
    assert pd.isna(o.loc["01", "inclusion_error"])
    assert pd.isna(o.loc["01", "exclusion_error"])
    assert o.loc["01", "eligible_count"] == 20
    assert not o.loc["01", "eligible_count_suppressed"]


def test_unregistered_is_estimate_minus_registered(needs_con):
    reach = targeting.unregistered(reads.load_coverage(needs_con, CUT, 10))
    reach = reach.set_index("province_code")["unregistered_est"]
    assert reach.to_dict() == {"01": 120, "02": 400, "03": 123, "KH": 643}


def test_sdg_coverage_by_group(needs_con):
    sdg = targeting.sdg_by_group(reads.load_groups(needs_con, CUT, 10))
    kh = sdg[sdg["province_code"] == "KH"].set_index("group_code")
    assert kh.loc["all", "coverage_rate"] == pytest.approx(202 / 950)
    assert kh.loc["women", "coverage_rate"] == pytest.approx(40 / 380)  # c, i over 80+250+50
    assert kh.loc["older", "coverage_rate"] == pytest.approx(20 / 140)  # e1, e2 over 40+100
    assert kh.loc["poor", "coverage_rate"] == pytest.approx(30 / 75)  # over registered poor
    assert kh.loc["poor", "denominator_kind"] == "registered"
    assert kh.loc["disability", "coverage_rate"] == 0


def test_eligibility_follows_age_on_the_month_end_and_keeps_unknown_attributes(tmp_path):
    import needs_fixture
    from conftest import AGE_BANDS, OCCUPATIONS, SOURCES
    from ingest import reference
    from store import storage

    person = {
        "source": "S1", "occupation": "market_vendor", "province_code": "01",
        "registered_on": dt.date(2023, 1, 1), "batch_id": 1,
    }  # fmt: skip
    regs = pd.DataFrame(
        [
            {**person, "person_key": 1, "record_id": "1", "sex": "F", "birth_year": 1964},
            # nothing known but the province: still counted once, never eligible
            {**person, "person_key": 2, "record_id": "2", "sex": None, "birth_year": None},
        ]
    )
    path = tmp_path / "age.duckdb"
    with storage.write_session(path, fresh=True) as con:
        storage.replace(con, "provinces", reference.read_csv("provinces"))
        storage.replace(con, "sources", SOURCES)
        storage.replace(con, "services", needs_fixture.SERVICES)
        storage.replace(con, "eligibility_rules", needs_fixture.RULES)
        storage.replace(con, "occupations", OCCUPATIONS)
        storage.replace(con, "age_bands", AGE_BANDS)
        storage.append(con, "registrations", regs)
        storage.set_meta(con, data_as_of="2024-01-31")
    con = storage.open_read(path)
    params = {"occupation": None, "sex": None, "age_band": None, "source": None}

    def eligible(as_of):
        frame = reads.run(con, "targeting_by_province", as_of=as_of, **params)
        return rows(frame, "O").loc["KH", ["eligible_count", "receiving_count"]].tolist()

    assert eligible(dt.date(2023, 12, 31)) == [0, 0]  # 59 in 2023
    assert eligible(dt.date(2024, 1, 31)) == [1, 0]  # 60 in 2024
    assert (
        con.execute(
            "select sum(persons) from coverage_cube where month_end = '2024-01-31'"
        ).fetchone()[0]
        == 2
    )
    con.close()


def test_the_briefs_programme_gaps_compare_each_with_whom_it_is_meant_for(needs_con):
    from exports import brief

    frame = brief.by_service(needs_con, CUT, "KH", 10, "en")
    assert frame.attrs["meant_for"]
    # P (IDPoor 1-2): eligible 75, of whom 30 receive it: a gap of 45, not "all workers - 60"
    p = frame.loc["P"]
    assert (p["informal_workers_est"], p["covered_count"], p["coverage_gap_count"]) == (75, 30, 45)
    assert p["coverage_rate"] == pytest.approx(30 / 75)
    d = frame.loc["D"]  # 25 eligible with a disability, none receiving it
    assert (d["informal_workers_est"], d["covered_count"], d["coverage_gap_count"]) == (25, 0, 25)
    # A has no rule: it is meant for every informal worker, as the coverage page says
    whole = reads.load_coverage(needs_con, reads.CoverageFilter(CUT.as_of, ("A",)), 10)
    national = whole.set_index("province_code").loc["KH"]
    assert frame.loc["A", "informal_workers_est"] == national["informal_workers_est"]
    assert frame.loc["A", "coverage_gap_count"] == national["coverage_gap_count"]
    assert brief.gap_header(frame, "en")[2] == "Meant for"
