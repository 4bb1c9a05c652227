"""`python -m dashboard bench`: times every page query, and the pandas way, on a store.

Speed is measured here, not in tests. The bench builds (or reuses) a demo store of the
requested size, then prints per-query p50/p95, the coverage query against the usual
Streamlit-with-pandas approach (tables loaded once, untimed; filter, merge and nunique
per province, timed) with the ratio, and the process's peak memory.
"""

import datetime as dt
import json
import resource
import statistics
import time
from pathlib import Path

import pandas as pd

import data_access
import demo
import settings
import store

REPEATS = 30


def page_queries(con, as_of: dt.date) -> dict[str, dict]:
    """Each page query with the parameters a page sends (typical and filtered)."""
    base = data_access.CoverageFilter(as_of=as_of)
    return {
        "coverage_by_province": base.params(),
        "coverage_by_province[filtered]": data_access.CoverageFilter(
            as_of=as_of, services=("NSSF_HEALTH", "HEF"), sex="F", age_band="25-34"
        ).params(),
        "report_months": {},
        "service_catalogue": {},
        "source_registries": {},
        "informal_occupations": {},
        "age_band_list": {},
        "store_summary": {},
    }


def time_ms(fn, repeats: int = REPEATS) -> dict[str, float]:
    """p50 and p95 of `fn()` in milliseconds over `repeats` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2)}


def query_timings(con, as_of: dt.date) -> dict[str, dict]:
    """p50/p95 of every page query, run as the pages run them."""
    results = {}
    for label, params in page_queries(con, as_of).items():
        name = label.split("[")[0]
        results[label] = time_ms(lambda n=name, p=params: data_access.run(con, n, **p))
    return results


def pandas_tables(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a typical Streamlit app would hold in memory: persons and episodes."""
    persons = data_access.run(con, "bench_persons")
    uptake = data_access.run(con, "bench_uptake")
    return persons, uptake


def pandas_coverage(persons: pd.DataFrame, uptake: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Covered informal persons by province, the pandas way."""
    day = pd.Timestamp(as_of)
    active = uptake[
        (uptake["started_on"] <= day) & (uptake["ended_on"].isna() | (uptake["ended_on"] >= day))
    ]
    merged = active.merge(persons[persons["is_informal"]], on="person_key")
    return merged.groupby("province_code")["person_key"].nunique()


def coverage_vs_pandas(con, as_of: dt.date) -> dict[str, float]:
    """Time the store's coverage query against the pandas way; check they agree."""
    persons, uptake = pandas_tables(con)
    params = data_access.CoverageFilter(as_of=as_of).params()
    ours = time_ms(lambda: data_access.run(con, "coverage_by_province", **params), 10)
    theirs = time_ms(lambda: pandas_coverage(persons, uptake, as_of), 3)
    frame = data_access.run(con, "coverage_by_province", **params).set_index("province_code")
    expected = pandas_coverage(persons, uptake, as_of)
    agree = all(frame.loc[code, "covered_count"] == n for code, n in expected.items())
    return {
        "store_p50_ms": ours["p50_ms"],
        "pandas_p50_ms": theirs["p50_ms"],
        "ratio": round(theirs["p50_ms"] / max(ours["p50_ms"], 1e-6), 1),
        "same_numbers": agree,
    }


def bench_store(people: int) -> Path:
    """The bench store for `people` persons under bench/, built if missing."""
    path = settings.REPO_ROOT / "bench" / f"coverage-{people}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        demo.build(people, seed=1, as_of=dt.date(2026, 10, 31), path=path)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s")  # noqa: T201
    return path


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(people: int, as_json: bool = False) -> dict:
    """Run the bench and print its figures; return them."""
    con = store.open_read(bench_store(people))
    as_of = data_access.run(con, "report_months")["month_end"].iloc[0].date()
    queries = query_timings(con, as_of)
    versus = coverage_vs_pandas(con, as_of)
    figures = {
        "people": people,
        "queries": queries,
        "coverage_vs_pandas": versus["ratio"],
        "coverage_detail": versus,
        "peak_rss_mb": peak_rss_mb(),
    }
    for name, t in queries.items():
        print(f"{name:36s} p50 {t['p50_ms']:8.2f} ms   p95 {t['p95_ms']:8.2f} ms")  # noqa: T201
    print(  # noqa: T201
        f"coverage by province: store {versus['store_p50_ms']} ms, pandas "
        f"{versus['pandas_p50_ms']} ms, ratio {versus['ratio']}x, same numbers: "
        f"{versus['same_numbers']}; peak RSS {figures['peak_rss_mb']} MB"
    )
    if as_json:
        print(json.dumps(figures))  # noqa: T201
    return figures
