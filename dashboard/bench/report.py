"""The bench's figures as lines a reader can check, each beside its target."""

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


def lines_of(figures: dict) -> list[str]:
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
        if f := i.get(f"{fmt}_floor"):
            lines.append(
                f"    its probabilistic linkage: candidate query {f['candidates_s']} s, Splink "
                f"{f['splink_s']} s; the rest of the import {f['rest_s']} s, which alone allows "
                f"at most {f['rest_rows_per_s']:,} rows/s however fast linkage were"
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
