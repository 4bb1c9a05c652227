"""`python -m dashboard bench`: national-scale figures against the targets (bench/report.py).

The bench builds (or reuses) a demo store of the requested size, then measures, in one run:
- every page query (each queries/*.sql but bench_*), run as a page runs it, unfiltered and
  filtered: p50 and p95 in ms over REPEATS runs (uncached: the cache would hide the SQL);
- coverage by province against the usual Streamlit-with-pandas way (tables loaded into
  pandas once, untimed; then filter, merge and nunique per province, timed), with the
  ratio, after checking that both give the same numbers;
- an import's throughput and linkage time (bench/bench_import.py; needs the importer) and the
  store's own share of any write (private copy, aggregates, checkpoint, swap);
- in a browser (bench/bench_browser.py): the coverage page against the floor page, and the
  app's peak memory with 20 sessions.
It prints them as lines beside their targets (bench/report.py) and, with `--json`, as one
JSON object on the last line.
"""

import datetime as dt
import json
import os
import re
import resource
import statistics
import time
from pathlib import Path

import pandas as pd

import settings
import sql
from bench import report
from data_access import reads
from demo import builder
from store import storage

REPEATS = 30


def typical_params(con, as_of: dt.date) -> dict[str, dict[str, object]]:
    """Values a page sends for each parameter a query may take: plain and filtered.

    Queries are matched to these by the `$name`s they use, so queries added by later
    pages are timed without changing the bench; a parameter missing here is reported.
    """
    services = reads.run(con, "service_catalogue")["service_code"].tolist()[:2]
    plain = {
        "as_of": as_of, "services": [], "occupation": None, "sex": None, "age_band": None,
        "source": None, "older_min_age": 60, "group_by": "sex", "province": "12",
    }  # fmt: skip
    filtered = plain | {"services": services, "sex": "F", "age_band": "25-34"}
    return {"": plain, "[filtered]": filtered}


def page_queries(con, as_of: dt.date) -> tuple[dict[str, dict], list[str]]:
    """Each page query (label -> parameters), and the queries with an unknown parameter."""
    variants, runs, skipped = typical_params(con, as_of), {}, []
    for name in sql.query_names():
        wanted = set(re.findall(r"\$(\w+)", sql.load_query(name)))
        if wanted - set(variants[""]):
            skipped.append(name)
            continue
        for suffix, values in variants.items():
            params = {k: values[k] for k in wanted}
            if suffix and params == {k: variants[""][k] for k in wanted}:
                continue  # no filter parameter: the filtered run would repeat the plain one
            runs[name + suffix] = params
    return runs, skipped


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


def query_timings(con, as_of: dt.date) -> tuple[dict[str, dict], list[str]]:
    """p50/p95 of every page query, run as the pages run them; and those skipped."""
    runs, skipped = page_queries(con, as_of)
    results = {}
    for label, params in runs.items():
        name = label.split("[")[0]
        results[label] = time_ms(lambda n=name, p=params: reads.run(con, n, **p))
    return results, skipped


def pandas_tables(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a typical Streamlit app would hold in memory: persons and episodes."""
    persons = reads.run(con, "bench/persons")
    uptake = reads.run(con, "bench/uptake")
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
    """Time the store's coverage query against the pandas way; check they agree.

    Also where the query's time goes (query_phases), and the ratio it could reach at best:
    parsing, planning and building the DataFrame of its 26 rows do not depend on how much
    the store holds, so the pandas time over theirs bounds the ratio even if reading and
    summing took no time at all.
    """
    persons, uptake = pandas_tables(con)
    params = reads.CoverageFilter(as_of=as_of).params()
    ours = time_ms(lambda: reads.run(con, "coverage_by_province", **params), 10)
    theirs = time_ms(lambda: pandas_coverage(persons, uptake, as_of), 3)
    frame = reads.run(con, "coverage_by_province", **params).set_index("province_code")
    expected = pandas_coverage(persons, uptake, as_of)
    agree = all(frame.loc[code, "covered_count"] == n for code, n in expected.items())
    phases = query_phases(con, "coverage_by_province", params)
    fixed = sum(phases[k] for k in FIXED_PHASES)
    return {
        "store_p50_ms": ours["p50_ms"],
        "pandas_p50_ms": theirs["p50_ms"],
        "ratio": round(theirs["p50_ms"] / max(ours["p50_ms"], 1e-6), 1),
        "same_numbers": agree,
        "phases_ms": phases,
        "fixed_ms": round(fixed, 2),
        "ratio_bound": round(theirs["p50_ms"] / max(fixed, 1e-6), 1),
    }


# The phases of a query that cost the same whatever the store holds (query_phases): the
# text and the plan, and the DataFrame of a result whose rows do not grow with the store.
FIXED_PHASES = ("parse", "bind", "optimise", "physical_plan", "dataframe")


def query_phases(con, name: str, params: dict, runs: int = 10) -> dict[str, float]:
    """Median ms of each phase of one query run as reads.run runs it, over `runs` runs.

    parse: DuckDB reading the text (timed alone); bind, optimise, physical_plan: from
    DuckDB's profiler; run: the rest of the statement (executing the plan); dataframe:
    turning the result into the DataFrame a page gets.
    """
    text = sql.load_query(name)
    cursor = con.cursor()
    samples: dict[str, list[float]] = {}
    try:
        cursor.execute(sql.load_query("bench/profiling_on"))
        for _ in range(runs + 1):  # the first run warms the caches and is not counted
            started = time.perf_counter()
            cursor.extract_statements(text)
            parsed = time.perf_counter()
            result = cursor.execute(text, params)
            executed = time.perf_counter()
            result.df()
            done = time.perf_counter()
            info = json.loads(cursor.get_profiling_information(format="json"))
            phase = {
                "parse": parsed - started,
                "bind": info["planner"]["total_time"],
                "optimise": info["optimizer"]["total_time"],
                "physical_plan": info["physical_planner"]["total_time"],
            }
            phase["run"] = executed - parsed - sum(phase.values())
            phase["dataframe"] = done - executed
            for key, seconds in phase.items():
                samples.setdefault(key, []).append(seconds * 1000)
    finally:
        cursor.close()
    return {key: round(statistics.median(values[1:]), 2) for key, values in samples.items()}


def _demo_people(path: Path) -> int:
    con = storage.open_read(path)
    try:
        return int(reads.run(con, "store_summary")["person_count"].iloc[0])
    finally:
        con.close()


def bench_store(people: int) -> Path:
    """A demo store of `people` persons, reused when there is one.

    bench/coverage-<people>.duckdb if it exists (whatever its data date; its schema and
    aggregates brought up to date), else the configured store if it holds that many
    persons, else one built under bench/ (about 4.5 minutes and 5.2 GB of memory at 7
    million).
    """
    path = settings.REPO_ROOT / "bench" / f"coverage-{people}.duckdb"
    if path.exists():
        started = time.perf_counter()
        if storage.upgrade_schema(path):  # aggregates of an older version: rebuilt first
            print(f"brought {path.name} up to date in {time.perf_counter() - started:.0f} s")  # noqa: T201
        return path
    configured = settings.store_path()
    if configured.exists() and _demo_people(configured) == people:
        return configured
    started = time.perf_counter()
    # it takes raw files too: the bench times the raw path and the encoded one
    builder.build(people, seed=1, as_of=dt.date(2026, 10, 31), path=path, encoded_only=False)
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s")  # noqa: T201
    return path


def machine_load() -> dict:
    """The machine's load averages (1, 5, 15 min) and cores: a busy machine's timings say so."""
    one, five, fifteen = (round(v, 2) for v in os.getloadavg())
    return {"load_1m": one, "load_5m": five, "load_15m": fifteen, "cores": os.cpu_count()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _store_figures(people: int) -> tuple[Path, dict]:
    """The bench store and its query figures (page queries, coverage against pandas)."""
    path = bench_store(people)
    con = storage.open_read(path)
    try:
        as_of = reads.run(con, "report_months")["month_end"].iloc[0].date()
        queries, skipped = query_timings(con, as_of)
        versus = coverage_vs_pandas(con, as_of)
    finally:
        con.close()
    return path, {"queries": queries, "skipped_queries": skipped, "coverage_detail": versus}


def run(
    people: int, as_json: bool = False, browser: bool = True, imports: bool = True,
    write_rows: int = 100_000, import_rows: int = 1_000_000,
) -> dict:  # fmt: skip
    """Run the bench and print its figures (and, with as_json, them as JSON last); return them.

    Args:
        people: persons in the bench store.
        as_json: also print the figures as one JSON object on the last line.
        browser: time the coverage page against the floor page, and the app's memory.
        imports: time a store write of `write_rows` rows, and the importer if merged.
        write_rows: registrations appended by the store-write measurement.
        import_rows: rows of each CSV and Parquet file imported (XLSX: a tenth).
    """
    from bench import bench_browser, bench_import

    load_before = machine_load()
    path, figures = _store_figures(people)
    figures = {
        "people": people,
        "load_before": load_before,
        "load_after_queries": machine_load(),
    } | figures
    figures["coverage_vs_pandas"] = figures["coverage_detail"]["ratio"]
    figures |= {"import_rows_per_s": None, "linkage_s_per_100k": None, "peak_rss_mb": None}
    if imports:
        figures["store_write"] = bench_import.store_write(path, write_rows)
        imported = bench_import.importer_figures(path, import_rows)
        figures["import"] = imported
        figures["import_rows_per_s"] = imported.get("csv_rows_per_s")
        figures["linkage_s_per_100k"] = imported.get("linkage_s_per_100k")
    if browser:
        figures["browser"] = _part(bench_browser.compare, path)
        figures["app_memory"] = _part(bench_browser.app_memory, path)
        figures["peak_rss_mb"] = figures["app_memory"].get("peak_rss_mb")
    figures["bench_peak_rss_mb"] = peak_rss_mb()
    figures["load_after"] = machine_load()
    for line in report.lines_of(figures):
        print(line)  # noqa: T201
    if as_json:
        print(json.dumps(figures))  # noqa: T201
    return figures


def _part(measure, path: Path) -> dict:
    """One browser measurement; a failure is recorded in its place, the others still print."""
    try:
        return measure(path)
    except Exception as exc:  # noqa: BLE001 - a bench part that fails must not lose the run
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
