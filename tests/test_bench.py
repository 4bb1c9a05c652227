import datetime as dt
import hashlib
import json
import os

import pytest

import sql
from bench import runner
from data_access import reads
from store import storage

JUNE = dt.date(2024, 6, 30)


def test_store_and_pandas_agree_on_covered_persons(demo_store_file):
    """An independent count (pandas over raw episodes) matches the cube-based query."""
    con = storage.open_read(demo_store_file)
    persons, uptake = runner.pandas_tables(con)
    for as_of in (dt.date(2026, 10, 31), dt.date(2024, 3, 31), dt.date(2021, 6, 30)):
        params = reads.CoverageFilter(as_of=as_of).params()
        ours = reads.run(con, "coverage_by_province", **params).set_index("province_code")
        theirs = runner.pandas_coverage(persons, uptake, as_of)
        assert theirs.sum() > 0
        for code, covered in theirs.items():
            assert ours.loc[code, "covered_count"] == covered, (as_of, code)
    con.close()


def test_percentiles():
    values = iter(range(100))
    assert set(runner.time_ms(lambda: next(values), repeats=20)) == {"p50_ms", "p95_ms"}


def test_every_page_query_is_timed_plain_and_filtered(tiny_con):
    runs, skipped = runner.page_queries(tiny_con, JUNE)
    pages = set(sql.query_names())
    assert {label.split("[")[0] for label in runs} == pages
    assert skipped == []
    assert runs["coverage_by_province"]["services"] == []
    filtered = runs["coverage_by_province[filtered]"]
    assert (filtered["services"], filtered["sex"], filtered["age_band"]) == (
        ["A", "B"],
        "F",
        "25-34",
    )
    assert "report_months[filtered]" not in runs  # no filter parameter: timed once


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bench_prints_the_issue_json_shape_last_and_leaves_its_store_as_it_was(
    demo_store_file, monkeypatch, capsys
):
    monkeypatch.setattr(runner, "bench_store", lambda people: demo_store_file)
    monkeypatch.setattr(runner, "REPEATS", 3)
    before = digest(demo_store_file)
    runner.run(20_000, as_json=True, browser=False, write_rows=2_000, import_rows=2_000)
    out = capsys.readouterr().out.strip().splitlines()
    last = out[-1]
    figures = json.loads(last)
    issue_keys = {"people", "queries", "coverage_vs_pandas", "import_rows_per_s",
                  "linkage_s_per_100k", "peak_rss_mb"}  # fmt: skip
    assert issue_keys <= set(figures)
    assert figures["people"] == 20_000
    assert set(figures["queries"]["coverage_by_province"]) == {"p50_ms", "p95_ms"}
    versus = figures["coverage_detail"]
    assert versus["same_numbers"] is True
    # issue 19: where the coverage query's time goes, and the ratio its fixed part allows
    phases = versus["phases_ms"]
    assert set(phases) == {"parse", "bind", "optimise", "physical_plan", "run", "dataframe"}
    fixed = sum(phases[k] for k in ("parse", "bind", "optimise", "physical_plan", "dataframe"))
    assert versus["fixed_ms"] == pytest.approx(fixed, abs=0.01)
    assert fixed > 0
    bound = versus["pandas_p50_ms"] / fixed
    assert versus["ratio_bound"] == pytest.approx(bound, rel=0.01, abs=0.05)
    assert any(line.startswith("  where the store's query spends its time") for line in out)
    write = figures["store_write"]
    assert write["rows"] == 2_000
    assert write["rows_per_s"] > 0
    assert write["aggregates_s"] <= write["total_s"]
    assert write["aggregates_mode"] == "incremental"  # 2,000 new of 20,000 persons
    stages = figures["import"]["csv_stages_s"]
    assert stages.pop("aggregates_mode") == "incremental"
    assert sum(v for k, v in stages.items() if k != "total_s") == pytest.approx(
        stages["total_s"], abs=0.05
    )
    # issue 19: probabilistic linkage apart from the rest of the import, and the rest's rows/s
    floor = figures["import"]["csv_floor"]
    assert floor["candidates_s"] > 0
    assert floor["splink_s"] >= 0
    assert floor["candidates_s"] + floor["splink_s"] + floor["rest_s"] == pytest.approx(
        figures["import"]["csv_stages_s"]["total_s"], abs=0.05
    )
    assert floor["rest_rows_per_s"] == pytest.approx(2_000 / floor["rest_s"], rel=0.01)
    assert floor["candidates_s"] + floor["splink_s"] <= stages["link_and_append"]
    xlsx = figures["import"]["xlsx_floor"]  # every format's, the XLSX file a tenth of the rows
    assert xlsx["rest_rows_per_s"] == pytest.approx(200 / xlsx["rest_s"], rel=0.01)
    assert sum(line.startswith("    its probabilistic linkage") for line in out) == 3
    assert any(line.startswith("  XLSX of 200 rows, seconds by stage") for line in out)
    quality = figures["import"]["linkage_quality"]  # the files route: new persons only
    assert quality["new"] == 2_000
    assert quality["to_stored"] <= 20  # false matches, if any, stay rare
    assert figures["import"]["stored_features"] > 0
    # issue 15: the agency's encode and the Board's import of its file, linked as the raw CSV
    assert figures["import"]["encode_rows_per_s"] > 0
    assert figures["import"]["encoded_import_rows_per_s"] > 0
    assert "pseudonymise" in figures["import"]["encoded_stages_s"]
    assert figures["import"]["linkage_quality_encoded"] == quality
    assert any(line.startswith("encode at the agency") for line in out)
    # issue 19: the machine's load is printed beside the timings
    assert figures["load_before"]["cores"] == os.cpu_count()
    assert any(line.startswith("machine load (1 min average") for line in out)
    assert digest(demo_store_file) == before
