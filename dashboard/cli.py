"""The command line: `python -m dashboard demo|table|reference|import|key|rollback|bench ...`."""

import argparse
import datetime as dt
import sys
import time

import streamlit.logger

import settings


def _last_month_end(today: dt.date) -> dt.date:
    """The last day of the latest complete month on or before today."""
    next_day = today + dt.timedelta(days=1)
    return today if next_day.month != today.month else today.replace(day=1) - dt.timedelta(days=1)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the synthetic demo store."""
    import demo

    path = settings.store_path()
    if args.if_missing and path.exists():
        import store

        upgraded = store.upgrade_schema(path)
        print(f"Store exists at {path}; {'schema upgraded' if upgraded else 'left as it is'}.")
        return 0
    started = time.perf_counter()
    counts = demo.build(args.people, args.seed, args.as_of or _last_month_end(dt.date.today()))
    print(
        f"Demo store built at {path} in {time.perf_counter() - started:.1f} s: "
        f"{counts['persons']:,} persons, {counts['registrations']:,} registrations, "
        f"{counts['uptake']:,} uptake episodes."
    )
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    """Regenerate data/reference from its sources."""
    import reference_build

    reference_build.main()
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    """Print a table exactly as the page shows it (same query, same suppression)."""
    import data_access
    import formatting
    import store

    con = store.open_read(settings.store_path())
    as_of = args.as_of or data_access.run(con, "report_months")["month_end"].iloc[0].date()
    cut = data_access.CoverageFilter(
        as_of=as_of,
        services=tuple(args.service or ()),
        occupation=args.occupation,
        sex=args.sex,
        age_band=args.age_band,
        source=args.source,
    )
    table = data_access.load_coverage(con, cut, settings.min_count())
    if args.format == "json":
        sys.stdout.write(formatting.to_json(table) + "\n")
    else:
        sys.stdout.write(formatting.to_csv(table).decode("utf-8-sig"))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import one agency file; exit 1 with the report if it has any problem."""
    from pathlib import Path

    import importer

    path = Path(args.file)
    request = importer.Request(
        data=path.read_bytes(), file_name=path.name, kind=args.kind, source=args.source,
        append=args.append, dry_run=args.dry_run,
    )  # fmt: skip
    outcome = importer.run(request)
    for line in outcome.report.lines():
        print(line, file=sys.stderr if outcome.report.problems else sys.stdout)
    verb = "would be" if outcome.dry_run else "was"
    loaded = outcome.stats.get("rows_loaded")
    links = ", ".join(f"{n:,} {m}" for m, n in outcome.stats.get("link_methods", {}).items())
    detail = f": {loaded:,} rows" if loaded is not None else ""
    detail += f" (linked: {links})" if links else ""
    print(f"Batch {outcome.batch_id} {verb} {outcome.result}{detail}.")
    return 0 if outcome.result in {"accepted", "duplicate"} else 1


def cmd_key(args: argparse.Namespace) -> int:
    """Create the pseudonymisation key (once) and print its fingerprint."""
    import pseudonym

    path = pseudonym.init_key()
    print(f"Key written to {path} (fingerprint {pseudonym.fingerprint(pseudonym.load_key())}).")
    print("Back it up now and escrow a copy (README, Registry synchronisation).")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Undo an accepted registrations or uptake batch."""
    import batches

    print(batches.rollback(args.batch))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """List the kept store versions, or make one of them the store again."""
    import batches
    import store

    kept = batches.versions()
    if args.number is None:
        for number, version in enumerate(kept, start=1):
            print(f"{number}: {version.name}")
        return 0
    if not 1 <= args.number <= len(kept):
        raise ValueError(f"choose a version from 1 to {len(kept)}")
    store.restore(kept[args.number - 1])
    print(f"Restored {kept[args.number - 1].name}; the replaced store was kept as a version.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure linkage precision, recall and time at two dirt rates."""
    import bench

    for line in bench.linkage_lines(args.people, args.seed):
        print(line)
    return 0


def cmd_agency_flags(args: argparse.Namespace) -> int:
    """Write one agency's record_ids with their flags as CSV (no other agency's identifiers)."""
    import agency_flags

    frame = agency_flags.flags(args.source, args.as_of, user=args.user)
    sys.stdout.write(agency_flags.to_csv(frame).decode("utf-8-sig"))
    return 0


def _add_import_commands(sub) -> None:
    imp = sub.add_parser("import", help="import an agency file (CSV, XLSX or Parquet)")
    imp.add_argument("file")
    imp.add_argument("--kind", required=True,
                     choices=["registrations", "uptake", "population", "services"])  # fmt: skip
    imp.add_argument("--source", help="the registry, e.g. NSSF (registrations and uptake)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    imp.add_argument(
        "--append", action="store_true", help="an incremental file (default: a full extract)"
    )
    imp.set_defaults(func=cmd_import)
    key = sub.add_parser("key", help="pseudonymisation key")
    key.add_argument("action", choices=["init"])
    key.set_defaults(func=cmd_key)
    back = sub.add_parser("rollback", help="undo an accepted registrations or uptake batch")
    back.add_argument("batch", type=_positive)
    back.set_defaults(func=cmd_rollback)
    restore = sub.add_parser("restore", help="list kept store versions or restore one")
    restore.add_argument("number", type=_positive, nargs="?", help="1 = the newest kept")
    restore.set_defaults(func=cmd_restore)
    bench = sub.add_parser("bench", help="benchmarks")
    bench.add_argument("what", choices=["linkage"], nargs="?", default="linkage")
    bench.add_argument("--people", type=_positive, default=4000)
    bench.add_argument("--seed", type=int, default=11)
    bench.set_defaults(func=cmd_bench)
    flags = sub.add_parser("agency-flags", help="an agency's record_ids with coverage flags")
    flags.add_argument("source")
    flags.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    flags.add_argument("--user", default=None, help="recorded in the audit log")
    flags.set_defaults(func=cmd_agency_flags)


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    top = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a synthetic demo store")
    demo.add_argument("--people", type=_positive, default=200_000, help="registered persons")
    demo.add_argument("--seed", type=int, default=20190101)
    demo.add_argument("--as-of", type=_date, help="data date (default: last month end)")
    demo.add_argument("--if-missing", action="store_true", help="only if no store exists")
    demo.set_defaults(func=cmd_demo)
    table = sub.add_parser("table", help="print an indicator table as CSV or JSON")
    table.add_argument("indicator", choices=["coverage"])
    table.add_argument("--by", choices=["province"], default="province")
    table.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    table.add_argument("--service", nargs="+", metavar="CODE", help="covered by any of these")
    table.add_argument("--occupation", help="an informal occupation code")
    table.add_argument("--sex", choices=["F", "M"])
    table.add_argument("--age-band", help="for example 25-34")
    table.add_argument("--source", help="a source registry, for example NSSF")
    table.add_argument("--format", choices=["csv", "json"], default="csv")
    table.set_defaults(func=cmd_table)
    ref = sub.add_parser("reference", help="regenerate data/reference from its sources")
    ref.set_defaults(func=cmd_reference)
    _add_import_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are reported in one plain line, never as a traceback."""
    args = parser().parse_args(argv)
    streamlit.logger.set_log_level("error")  # no "no runtime" warnings on the command line
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the user sees one clear line
        print(f"error: {exc}", file=sys.stderr)
        return 1
