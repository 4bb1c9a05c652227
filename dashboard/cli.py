"""The command line: `python -m dashboard demo|table|reference ...`."""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

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
        print(f"Store exists at {path}; leaving it as it is.")
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
    if args.indicator == "needs":
        table = _needs_table(con, cut, args.weight or [])
    else:
        table = data_access.load_coverage(con, cut, settings.min_count())
    if args.format == "json":
        sys.stdout.write(formatting.to_json(table) + "\n")
    else:
        sys.stdout.write(formatting.to_csv(table).decode("utf-8-sig"))
    return 0


def _needs_table(con, cut, weight_args: list[str]):
    """The needs ranking the needs page shows, with the given weights (default otherwise)."""
    import data_access
    import needs

    weights = needs.default_weights()
    for item in weight_args:
        key, _, value = item.partition("=")
        if key not in weights:
            raise ValueError(f"unknown needs input {key!r}; choose from: {', '.join(weights)}")
        try:
            weights[key] = float(value)
        except ValueError as exc:
            raise ValueError(f"not a number: --weight {item!r}") from exc
    inputs = data_access.load_needs(con, cut, settings.min_count())
    return needs.export_table(needs.rank(inputs, weights), weights, cut.as_of)


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    """Validate a district boundary file and store it for the drill-down map."""
    import boundaries

    count = boundaries.import_file(args.file, args.attribution)
    print(f"Imported {count} district boundaries to {boundaries.path()}.")
    return 0


def cmd_targets_import(args: argparse.Namespace) -> int:
    """Check and store coverage targets from a CSV file in the app database."""
    import data_access
    import store
    import targets

    con = store.open_read(settings.store_path())
    provinces = set(data_access.run(con, "province_list")["province_code"])
    services = set(data_access.run(con, "service_catalogue")["service_code"])
    count = targets.import_csv(args.file, provinces, services, args.user)
    print(f"Imported {count} targets into {settings.app_db_path()}.")
    return 0


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
    table.add_argument("indicator", choices=["coverage", "needs"])
    table.add_argument("--by", choices=["province"], default="province")
    table.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    table.add_argument("--service", nargs="+", metavar="CODE", help="covered by any of these")
    table.add_argument("--occupation", help="an informal occupation code")
    table.add_argument("--sex", choices=["F", "M"])
    table.add_argument("--age-band", help="for example 25-34")
    table.add_argument("--source", help="a source registry, for example NSSF")
    table.add_argument(
        "--weight", nargs="+", metavar="INPUT=W",
        help="needs only: weight of an input, e.g. gap_count=50 (others keep their default)",
    )  # fmt: skip
    table.add_argument("--format", choices=["csv", "json"], default="csv")
    table.set_defaults(func=cmd_table)
    bounds = sub.add_parser("boundaries", help="district boundaries for the drill-down map")
    bounds_sub = bounds.add_subparsers(dest="action", required=True)
    bounds_import = bounds_sub.add_parser("import", help="validate and store a boundary file")
    bounds_import.add_argument("file", type=Path, help="GeoJSON, GeoPackage or shapefile")
    bounds_import.add_argument(
        "--attribution", required=True, help="the source and licence to show under the map"
    )
    bounds_import.set_defaults(func=cmd_boundaries_import)
    goals = sub.add_parser("targets", help="coverage targets per province and programme")
    goals_sub = goals.add_subparsers(dest="action", required=True)
    goals_import = goals_sub.add_parser("import", help="check and store targets from a CSV")
    goals_import.add_argument(
        "file", type=Path,
        help="CSV: province_code, service_code (empty: any), target_rate, target_date, note",
    )  # fmt: skip
    goals_import.add_argument("--user", default="command line", help="recorded in the audit log")
    goals_import.set_defaults(func=cmd_targets_import)
    ref = sub.add_parser("reference", help="regenerate data/reference from its sources")
    ref.set_defaults(func=cmd_reference)
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
