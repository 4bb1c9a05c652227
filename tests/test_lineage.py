"""'Explain this number' on the three-province fixture (tests/needs_fixture.py).

Batches: 1 = S1 registrations (s1_people.csv), 2 = S1 episodes (s1_episodes.csv, every
episode from 1 May 2024), 3 = population estimates; each with a made-up SHA-256.
"""

import datetime as dt

import pandas as pd
import pytest

from data_access import reads
from indicators import lineage, needs
from test_app_needs import open_page


@pytest.fixture(autouse=True)
def _signed_in_analyst(signed_in):
    signed_in("analyst")  # these pages are tested as an analyst sees them


JUNE = reads.CoverageFilter(as_of=dt.date(2024, 6, 30))


def batches(con, f, province):
    return reads.run(con, "lineage_batches", as_of=f.as_of, province=province, source=f.source)


def test_batches_that_fed_a_figure(needs_con):
    june = batches(needs_con, JUNE, "01")
    assert june[["used_for", "batch_id", "file_name"]].values.tolist() == [
        ["population", 3, "population.csv"],
        ["registrations", 1, "s1_people.csv"],
        ["uptake", 2, "s1_episodes.csv"],
    ]
    assert june["sha256"].tolist() == ["c" * 64, "a" * 64, "b" * 64]
    # in April no episode had begun: the uptake file did not feed April's figures
    april = batches(needs_con, reads.CoverageFilter(as_of=dt.date(2024, 4, 30)), "KH")
    assert "uptake" not in set(april["used_for"])


def facts(item):
    return dict(item.facts)


def test_coverage_lineage_names_numerator_estimate_filters_and_query(needs_con):
    table = reads.load_coverage(needs_con, JUNE, 10)
    row = table.set_index("province_code").loc["01"].copy()
    row["province_code"] = "01"
    item = lineage.coverage(row, table, JUNE, batches(needs_con, JUNE, "01"), 10)
    assert item.value == "30.0%"
    assert facts(item)["numerator"] == "60"
    assert facts(item)["denominator"] == "200"
    assert facts(item)["denominator_source"] == "Needs test estimate"
    assert facts(item)["denominator_date"] == "2024-07-01"
    assert facts(item)["month"] == "2024-06-30"
    assert facts(item)["sex"] == "all"
    assert item.queries[0] == "queries/coverage_by_province.sql"
    assert item.suppression == ["threshold:10", "figure:shown", "table_hidden:0"]
    assert len(item.batches) == 3


def test_lineage_says_when_suppression_acted(needs_con):
    table = reads.load_coverage(needs_con, JUNE, 13)
    row = table.set_index("province_code").loc["03"]
    item = lineage.coverage(row, table, JUNE, batches(needs_con, JUNE, "03"), 13)
    assert item.value == "hidden"
    assert "figure:hidden" in item.suppression
    assert "hidden_count:covered_count" in item.suppression
    assert facts(item)["numerator"] == "hidden"


def test_needs_rank_lineage_lists_inputs_weights_and_contributions(needs_con):
    values = reads.load_needs(needs_con, JUNE, 10)
    weights = needs.default_weights()
    ranked = needs.rank(values, weights)
    row = ranked[ranked["province_code"] == "03"].iloc[0]
    item = lineage.needs_rank(row, weights, needs.status(values), JUNE, pd.DataFrame(), 10)
    assert item.value == "#1 (55.0)"
    # 03's gap rate 0.92 is the highest: score 1 x 25 points
    assert facts(item)["input:gap_rate"] == ("0.92", "25", "varies", "25.0")
    assert "queries/coverage_by_group.sql" in item.queries


def test_explain_popovers_on_the_pages(needs_store):
    at = open_page("app_pages/coverage.py")
    # Built only once opened: a closed popover holds no selector and runs no lineage query.
    assert "coverage_explain_province" not in {s.key for s in at.selectbox}
    at.session_state["coverage_explain"] = True
    at.run()
    at.selectbox(key="coverage_explain_province").set_value("01").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Banteay Meanchey: 30.0%" in text
    assert "Needs test estimate" in text
    shown = next(d.value for d in at.dataframe if "Checksum (SHA-256)" in d.value)
    assert shown["File"].tolist() == ["population.csv", "s1_people.csv", "s1_episodes.csv"]
    assert shown["Used for"].tolist() == ["Population estimate", "Registrations",
                                          "Programme uptake"]  # fmt: skip
    assert "As-of date (last day of the month): 30 June 2024" in text
    assert "Estimated informal workers (denominator): 200" in text
    assert "Population estimate: reference date: 1 July 2024" in text
    assert ".sql" not in text
    assert ".py" not in text
    at = open_page("app_pages/needs.py")
    at.session_state["needs_explain"] = True
    at.run()
    at.selectbox(key="needs_explain_province").set_value("02").run()
    assert any("Battambang: #2" in m.value for m in at.markdown)
    text = " ".join(m.value for m in at.markdown)
    assert "weight 25 · varies across provinces" in text


def test_explain_popover_in_khmer(needs_store):
    at = open_page("app_pages/coverage.py")
    at.radio(key="lang").set_value("km").run()
    at.session_state["coverage_explain"] = True
    at.run()
    at.selectbox(key="coverage_explain_province").set_value("01").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "៣០ ខែមិថុនា ២០២៤" in text or "ថ្ងៃទី៣០ ខែមិថុនា ឆ្នាំ២០២៤" in text
    assert "June" not in text
