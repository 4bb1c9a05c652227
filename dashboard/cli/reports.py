"""Figures out of the store: demo, table, brief, export-parquet, bench; reference and p-table."""

import argparse
import datetime as dt
import math
import sys
import time
from pathlib import Path

import settings
from appdb import app_settings
from cli.options import data_date, iso_date, last_month_end, listed, non_negative, positive
from cli.users import account_scope
from exports import files


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the synthetic demo store."""
    from demo import builder

    path = settings.store_path()
    if args.check_calibration:
        return _check_calibration(path)
    if args.if_missing and path.exists():
        from store import storage

        upgraded = storage.upgrade_schema(path)
        print(f"Store exists at {path}; {'schema upgraded' if upgraded else 'left as it is'}.")
        return 0
    started = time.perf_counter()
    counts = builder.build(args.people, args.seed, args.as_of or last_month_end(dt.date.today()))
    print(
        f"Demo store built at {path} in {time.perf_counter() - started:.1f} s: "
        f"{counts['informal_workers']:,} informal workers drawn; {counts['persons']:,} "
        f"registered persons, {counts['registrations']:,} registrations, "
        f"{counts['uptake']:,} uptake episodes."
    )
    return 0


def _check_calibration(path: Path) -> int:
    """Print the demo store's figures beside the published ones; 1 if one is outside +-20%."""
    from demo import calibration

    if not path.exists():
        print(f"No store at {path}: build one with `python -m dashboard demo`.", file=sys.stderr)
        return 2
    try:
        lines, within = calibration.check(path)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if within else 1


def cmd_reference(args: argparse.Namespace) -> int:
    """Regenerate data/reference from its sources."""
    from ingest import reference_build

    reference_build.main()
    return 0


def cmd_ptable(args: argparse.Namespace) -> int:
    """Regenerate the cell-key method's perturbation table in data/ptable."""
    from ingest import ptable_build

    print(f"wrote {ptable_build.write()}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    """Print a table exactly as the page shows it (same query, same published counts)."""
    from data_access import reads
    from store import storage

    con = storage.open_read(settings.store_path())
    as_of = args.as_of or reads.run(con, "report_months")["month_end"].iloc[0].date()
    cut = reads.CoverageFilter(
        as_of=as_of,
        services=tuple(listed(args.service)),
        occupation=args.occupation,
        sex=args.sex,
        age_band=args.age_band,
        source=args.source,
    )
    if args.indicator == "needs":
        table = _needs_table(con, cut, listed(args.weight))
    else:
        table = reads.load_coverage(con, cut, app_settings.min_count())
    if args.format == "json":
        sys.stdout.write(files.to_json(table) + "\n")
    else:
        sys.stdout.write(files.to_csv(table).decode("utf-8-sig"))
    return 0


def _needs_table(con, cut, weight_args: list[str]):
    """The needs ranking the needs page shows, with the given weights (default otherwise)."""
    from data_access import reads
    from indicators import needs

    weights = needs.default_weights()
    for item in weight_args:
        key, _, value = item.partition("=")
        if key not in weights:
            raise ValueError(f"unknown needs input {key!r}; choose from: {', '.join(weights)}")
        try:
            weight = float(value)
        except ValueError as exc:
            raise ValueError(f"not a number: --weight {item!r}") from exc
        if not math.isfinite(weight) or not 0 <= weight <= needs.MAX_WEIGHT:
            raise ValueError(
                f"a weight is a number from 0 to {needs.MAX_WEIGHT}, as on the needs page: "
                f"--weight {item!r}"
            )
        weights[key] = weight
    inputs = reads.load_needs(con, cut, app_settings.min_count())
    return needs.export_table(needs.rank(inputs, weights), weights, cut.as_of)


def cmd_export_parquet(args: argparse.Namespace) -> int:
    """Write the store's aggregates (an admin's full backup) as partitioned Parquet."""
    from exports import parquet_export

    if args.full_backup and not args.user:
        raise ValueError("a full backup needs --user NAME, an administrator's account")
    by = args.user if args.full_backup else None
    manifest = parquet_export.export(args.folder, full_backup_by=by, as_account=args.user)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    kind = "full backup: every table but the record keys" if args.full_backup else "aggregates"
    print(
        f"Exported {len(manifest['tables'])} tables ({rows:,} rows; {kind}) to {args.folder}, "
        f"partitioned by province and year; Spark SQL of the {len(manifest['queries'])} queries "
        f"they answer in {args.folder / 'spark'}."
    )
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """Write a briefing pack for a province or the nation as PDF or PowerPoint."""
    from data_access import reads
    from exports import brief, brief_files
    from store import storage

    con = storage.open_read(settings.store_path())
    as_of = args.as_of or reads.run(con, "report_months")["month_end"].iloc[0].date()
    cut = reads.CoverageFilter(as_of=as_of)
    area = None if args.national else args.province
    provinces = account_scope(args.user)[1] or None
    if provinces is not None and area not in provinces:
        from appdb import audit, scopes

        detail = {"action": "briefing_pack", "province": area, "scope_provinces": provinces}
        audit.record(audit.os_user(), scopes.REFUSED, detail, as_account=args.user)
        raise PermissionError(f"{args.user} sees provinces {','.join(provinces)} only: refused")
    content = brief.build(con, cut, area, args.lang, app_settings.min_count(), provinces=provinces)
    data = brief_files.document(content, args.format)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    from appdb import audit

    detail = {"area": content.area, "lang": args.lang, "format": args.format, "as_of": str(as_of)}
    audit.record(audit.os_user(), "briefing_pack", detail, as_account=args.user)
    print(f"Briefing pack for {content.area} written to {args.out} ({len(data):,} bytes).")
    return 0


def _brief_parser(sub) -> None:
    brief = sub.add_parser("brief", help="write a briefing pack (PDF or PowerPoint)")
    area = brief.add_mutually_exclusive_group(required=True)
    area.add_argument("--province", metavar="CODE", help="NIS province code, for example 12")
    area.add_argument("--national", action="store_true", help="the whole country")
    brief.add_argument("--lang", choices=["en", "km"], default="en")
    brief.add_argument("--format", choices=["pdf", "pptx"], default="pdf")
    brief.add_argument("--as-of", type=iso_date, help="any day of the month (default: latest)")
    brief.add_argument("--out", type=Path, required=True, metavar="PATH")
    brief.add_argument("--user", help="who asks: an account's provinces limit the pack")
    brief.set_defaults(func=cmd_brief)


def cmd_bench(args: argparse.Namespace) -> int:
    """Time the page queries (default), or score linkage (`bench linkage`)."""
    if args.what == "linkage":
        from bench import bench_linkage

        for line in bench_linkage.linkage_lines(args.people or 4000, args.seed, as_json=args.json):
            print(line)
        return 0
    from bench import runner

    runner.run(args.people or 7_000_000, as_json=args.json, browser=not args.no_browser,
              imports=not args.no_import)  # fmt: skip
    return 0


def add_parsers(sub) -> None:
    """The commands that build, print, write or time figures."""
    demo = sub.add_parser("demo", help="build a synthetic demo store")
    demo.add_argument(
        "--people", type=positive, default=100_000,
        help="informal workers to draw (7000000: national scale); registries reach a minority",
    )  # fmt: skip
    demo.add_argument("--seed", type=non_negative, default=20190101)
    demo.add_argument("--as-of", type=data_date, help="data date (default: last month end)")
    demo.add_argument("--if-missing", action="store_true", help="only if no store exists")
    demo.add_argument(
        "--check-calibration", action="store_true",
        help="build nothing: print the store's figures beside the published ones (exit 1 if "
        "one is outside +-20%%)",
    )  # fmt: skip
    demo.set_defaults(func=cmd_demo)
    table = sub.add_parser("table", help="print an indicator table as CSV or JSON")
    table.add_argument("indicator", choices=["coverage", "needs"])
    table.add_argument("--by", choices=["province"], default="province")
    table.add_argument("--as-of", type=iso_date, help="any day of the month (default: latest)")
    table.add_argument(
        "--service", nargs="+", action="extend", metavar="CODE",
        help="covered by any of these (repeat, or separate with commas)",
    )  # fmt: skip
    table.add_argument("--occupation", help="an informal occupation code")
    table.add_argument("--sex", choices=["F", "M"])
    table.add_argument("--age-band", help="for example 25-34")
    table.add_argument("--source", help="a source registry, for example NSSF")
    table.add_argument(
        "--weight", nargs="+", action="extend", metavar="INPUT=W",
        help="needs only: weight of an input, e.g. gap_count=50 (others keep their default)",
    )  # fmt: skip
    table.add_argument("--format", choices=["csv", "json"], default="csv")
    table.set_defaults(func=cmd_table)
    bench = sub.add_parser("bench", help="national-scale figures, or `bench linkage`")
    bench.add_argument("what", choices=["pages", "linkage"], nargs="?", default="pages")
    bench.add_argument("--people", type=positive, help="7,000,000 (pages) or 4,000 (linkage)")
    bench.add_argument("--seed", type=int, default=11, help="linkage only")
    bench.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    bench.add_argument("--no-browser", action="store_true", help="skip the browser timings")
    bench.add_argument("--no-import", action="store_true", help="skip the write and import")
    bench.set_defaults(func=cmd_bench)
    export = sub.add_parser("export-parquet", help="write the aggregates as partitioned Parquet")
    export.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    export.add_argument(
        "--full-backup", action="store_true",
        help="every table, record-level ones included (an administrator's, with --user)",
    )  # fmt: skip
    export.add_argument("--user", help="the account acted as, recorded in the audit log")
    export.set_defaults(func=cmd_export_parquet)
    ref = sub.add_parser("reference", help="regenerate data/reference from its sources")
    ref.set_defaults(func=cmd_reference)
    ptable = sub.add_parser("ptable", help="regenerate the disclosure-control p-table")
    ptable.set_defaults(func=cmd_ptable)
    _brief_parser(sub)
