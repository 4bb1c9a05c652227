"""`python -m dashboard bench`: national-scale figures against the targets of issue 8.

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
With `--json` the same figures are printed as one JSON object on the last line.
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
from data_access import reads
from demo import builder
from store import storage

REPEATS = 30
# Targets at national scale on this machine: issue 19's (page queries, pandas, imports with
# linkage), issue 15's (encoding at the agency), issue 8's (browser, memory).
TARGETS = {
    "query_p95_ms": 50,
    "coverage_vs_pandas": 100,
    "import_rows_per_s": 50_000,  # CSV and Parquet, with validation and linkage
    "xlsx_rows_per_s": 30_000,
    "encode_rows_per_s": 100_000,  # issue 15: `encode` at the agency
    "app_rss_mb": 1536,
    "first_render_ratio": 1.3,
    "filter_change_ratio": 1.5,
}


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
    for line in report(figures):
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


def report(figures: dict) -> list[str]:
    """The figures in lines a reader can check against the targets."""
    lines = [f"National-scale bench: {figures['people']:,} persons"]
    if "load_before" in figures:
        lines.append(_load_line(figures))
    for name, t in figures["queries"].items():
        lines.append(f"  {name:40s} p50 {t['p50_ms']:8.2f} ms   p95 {t['p95_ms']:8.2f} ms")
    if figures["skipped_queries"]:
        lines.append(
            f"  not timed (a parameter with no typical value): {figures['skipped_queries']}"
        )
    worst = max(t["p95_ms"] for t in figures["queries"].values())
    lines.append(_check("slowest page query p95", worst, "ms", TARGETS["query_p95_ms"], "max"))
    versus = figures["coverage_detail"]
    lines.append(
        f"coverage by province: store {versus['store_p50_ms']} ms, pandas "
        f"{versus['pandas_p50_ms']} ms (same numbers: {versus['same_numbers']})"
    )
    lines.append(_check("coverage vs pandas", figures["coverage_vs_pandas"], "x",
                        TARGETS["coverage_vs_pandas"], "min"))  # fmt: skip
    if "phases_ms" in versus:
        phases = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in versus["phases_ms"].items())
        lines.append(
            f"  where the store's query spends its time (ms, median of 10): {phases}; parsing, "
            f"planning and the DataFrame of its 26 rows alone, {versus['fixed_ms']} ms whatever "
            f"the store holds, bound the ratio at {versus['ratio_bound']}x"
        )
    lines += _write_lines(figures) + _browser_lines(figures)
    lines.append(f"bench process peak RSS {figures['bench_peak_rss_mb']} MB")
    return lines


def _load_line(figures: dict) -> str:
    """The load around the timings; above the cores, other work shared the machine."""
    stamps = [("before", figures["load_before"]), ("after the queries",
              figures["load_after_queries"])] + [("at the end", figures["load_after"])] * (
        "load_after" in figures)  # fmt: skip
    cores = figures["load_before"]["cores"]
    text = "; ".join(f"{when} {load['load_1m']}" for when, load in stamps)
    busy = max(load["load_1m"] for _, load in stamps) > 0.5 * cores
    note = " (other work was running: timings are pessimistic)" if busy else " (quiet)"
    return f"machine load (1 min average, {cores} cores): {text}{note}"


def _check(label: str, value, unit: str, target, kind: str) -> str:
    if value is None:
        return f"{label}: not measured (target {target} {unit})"
    met = value <= target if kind == "max" else value >= target
    sign = "<=" if kind == "max" else ">="
    return f"{label}: {value} {unit} (target {sign} {target} {unit}: {'met' if met else 'NOT met'})"


def _write_lines(figures: dict) -> list[str]:
    if "store_write" not in figures:
        return []
    w = figures["store_write"]
    lines = [
        f"store write of {w['rows']:,} rows: copy {w['copy_s']} s, append {w['append_s']} s, "
        f"aggregates ({w['aggregates_mode']}) {w['aggregates_s']} s, "
        f"checkpoint and swap {w['checkpoint_and_swap_s']} s: "
        f"{w['total_s']} s, {w['rows_per_s']:,} rows/s"
    ]
    i = figures["import"]
    lines.append(f"import CSV {i['csv_rows_per_s']:,} rows/s, Parquet {i['parquet_rows_per_s']:,} "
                 f"rows/s, XLSX {i['xlsx_rows_per_s']:,} rows/s; linkage "
                 f"{i['linkage_s_per_100k']} s per 100,000 records")  # fmt: skip
    for fmt in ("csv", "parquet", "xlsx"):
        stages = ", ".join(f"{k} {v}" for k, v in i[f"{fmt}_stages_s"].items())
        lines.append(f"  {fmt.upper()} of {i[f'{fmt}_rows']:,} rows, seconds by stage: {stages}")
    if f := i.get("csv_floor"):
        lines.append(
            f"  its probabilistic linkage: candidate query {f['candidates_s']} s, Splink "
            f"{f['splink_s']} s; the rest of the import {f['rest_s']} s, which alone allows at "
            f"most {f['rest_rows_per_s']:,} rows/s however fast linkage were"
        )
    if not i.get("stored_features"):
        lines.append(
            "  the bench store holds no linkage features (built before they were kept): "
            "the import compared nothing; delete it to have it rebuilt"
        )
    if q := i.get("linkage_quality"):
        lines.append(
            f"  linkage of that file ({i['known_share']:.0%} of its records persons already "
            f"stored): {q['found']:,} of {q['known']:,} stored persons found, "
            f"{q['elsewhere']:,} linked to another; {q['to_stored']:,} of {q['new']:,} new "
            "persons linked to a stored one"
        )
    for fmt, target in (("csv", "import_rows_per_s"), ("parquet", "import_rows_per_s"),
                        ("xlsx", "xlsx_rows_per_s")):  # fmt: skip
        lines.append(_check(f"import {fmt.upper()}", i[f"{fmt}_rows_per_s"], "rows/s",
                            TARGETS[target], "min"))  # fmt: skip
    if "encode_rows_per_s" in i:
        stages = ", ".join(f"{k} {v}" for k, v in i["encoded_stages_s"].items())
        lines.append(
            f"encode at the agency (CSV of {i['rows']:,} rows): {i['encode_rows_per_s']:,} "
            f"rows/s; the Board's import of the encoded file: "
            f"{i['encoded_import_rows_per_s']:,} rows/s ({stages})"
        )
        if i["linkage_quality_encoded"] != i.get("linkage_quality"):
            lines.append("  the encoded file linked otherwise than the raw CSV: "
                         f"{i['linkage_quality_encoded']}")  # fmt: skip
        lines.append(_check("encode", i["encode_rows_per_s"], "rows/s",
                            TARGETS["encode_rows_per_s"], "min"))  # fmt: skip
    return lines


def _browser_lines(figures: dict) -> list[str]:
    if "browser" not in figures:
        return []
    b, m = figures["browser"], figures["app_memory"]
    lines = [f"browser timing not measured: {b['error']}"] if "error" in b else [
        f"floor page: first render {b['floor_first_ms']} ms, "
        f"filter change {b['floor_rerun_ms']} ms",
        f"coverage page: first render {b['coverage_first_ms']} ms, filter change "
        f"{b['coverage_rerun_ms']} ms",
        _check("first render / floor", b["first_render_ratio"], "x",
               TARGETS["first_render_ratio"], "max"),
        _check("filter change / floor", b["filter_change_ratio"], "x",
               TARGETS["filter_change_ratio"], "max"),
    ]  # fmt: skip
    if "error" in m:
        return [*lines, f"app memory not measured: {m['error']}"]
    return [
        *lines,
        _check(f"app process peak RSS with {m['sessions']} sessions", m["peak_rss_mb"], "MB",
               TARGETS["app_rss_mb"], "max"),
    ]  # fmt: skip
