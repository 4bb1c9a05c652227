import datetime as dt

import bench
import data_access
import store


def test_store_and_pandas_agree_on_covered_persons(demo_store_file):
    """An independent count (pandas over raw episodes) matches the cube-based query."""
    con = store.open_read(demo_store_file)
    persons, uptake = bench.pandas_tables(con)
    for as_of in (dt.date(2026, 10, 31), dt.date(2024, 3, 31), dt.date(2021, 6, 30)):
        params = data_access.CoverageFilter(as_of=as_of).params()
        ours = data_access.run(con, "coverage_by_province", **params).set_index("province_code")
        theirs = bench.pandas_coverage(persons, uptake, as_of)
        assert theirs.sum() > 0
        for code, covered in theirs.items():
            assert ours.loc[code, "covered_count"] == covered, (as_of, code)
    con.close()


def test_percentiles():
    values = iter(range(100))
    assert set(bench.time_ms(lambda: next(values), repeats=20)) == {"p50_ms", "p95_ms"}
