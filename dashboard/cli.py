"""The command line: `python -m dashboard demo|table|import|bench|brief|user|export-parquet ...`."""

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path

import streamlit.logger

import settings
from appdb import app_settings
from exports import files

# The roles of accounts.ROLES, repeated so that `--help` needs no import of the app's modules.
ROLES = ("viewer", "analyst", "data_manager", "admin")


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


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return int(text)


def _data_date(text: str) -> dt.date:
    """A demo's data date: from the first month of figures to the end of next year."""
    value = _date(text)
    first = settings.SERIES_START
    last = dt.date(dt.date.today().year + 1, 12, 31)
    if not first <= value <= last:
        raise argparse.ArgumentTypeError(
            f"the data date must be on or after {first} and on or before {last}, got {text!r}"
        )
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the synthetic demo store."""
    from demo import builder

    path = settings.store_path()
    if args.if_missing and path.exists():
        from store import storage

        upgraded = storage.upgrade_schema(path)
        print(f"Store exists at {path}; {'schema upgraded' if upgraded else 'left as it is'}.")
        return 0
    started = time.perf_counter()
    counts = builder.build(args.people, args.seed, args.as_of or _last_month_end(dt.date.today()))
    print(
        f"Demo store built at {path} in {time.perf_counter() - started:.1f} s: "
        f"{counts['persons']:,} persons, {counts['registrations']:,} registrations, "
        f"{counts['uptake']:,} uptake episodes."
    )
    return 0


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
        services=tuple(args.service or ()),
        occupation=args.occupation,
        sex=args.sex,
        age_band=args.age_band,
        source=args.source,
    )
    if args.indicator == "needs":
        table = _needs_table(con, cut, args.weight or [])
    else:
        table = reads.load_coverage(con, cut, app_settings.min_count())
    if args.format == "json":
        sys.stdout.write(files.to_json(table) + "\n")
    else:
        sys.stdout.write(files.to_csv(table).decode("utf-8-sig"))
    return 0


def cmd_export_parquet(args: argparse.Namespace) -> int:
    """Write the store as Hive-partitioned Parquet with Spark SQL of every query."""
    from exports import parquet_export

    manifest = parquet_export.export(args.folder)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(
        f"Exported {len(manifest['tables'])} tables ({rows:,} rows) to {args.folder}, "
        f"partitioned by province and year; Spark SQL of every query in {args.folder / 'spark'}."
    )
    return 0


CLI_USER = "(command line)"  # who the audit log names for changes made here


def _read_password(confirm: bool = True) -> str:
    """A password typed twice at a terminal, else the first line of standard input."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account (an OIDC identity without password with --no-password)."""
    from appdb import accounts, audit

    password = None if args.no_password else _read_password()
    name = accounts.add(args.name, args.role, password)
    detail = {"name": name, "role": args.role, "password": password is not None}
    audit.record(CLI_USER, "user_add", detail)
    print(f"Added {name} ({args.role}).")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Set a new password for an account (and lift its lock)."""
    from appdb import accounts, audit

    name = accounts.set_password(args.name, _read_password())
    audit.record(CLI_USER, "user_password", {"name": name})
    print(f"New password set for {name}.")
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    """Give an account another role."""
    from appdb import accounts, audit

    name = accounts.set_role(args.name, args.role)
    audit.record(CLI_USER, "user_role", {"name": name, "role": args.role})
    print(f"{name} is now {args.role}.")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """Lift an account's lock after failed sign-ins."""
    from appdb import accounts, audit

    name = accounts.unlock(args.name)
    audit.record(CLI_USER, "user_unlock", {"name": name})
    print(f"Unlocked {name}.")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Delete an account."""
    from appdb import accounts, audit

    name = accounts.remove(args.name)
    audit.record(CLI_USER, "user_remove", {"name": name})
    print(f"Removed {name}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print every account with its role and lock-out state (never a hash)."""
    from appdb import accounts

    for a in accounts.list_accounts():
        login = "password" if a["has_password"] else "OIDC"
        locked = f", locked until {a['locked_until']}" if a["locked_until"] else ""
        print(f"{a['name']}\t{a['role']}\t{login}, {a['failed_count']} failed{locked}")
    return 0


def cmd_user_first_run(args: argparse.Namespace) -> int:
    """Say how to sign in; with no account yet, create `admin` and print its password once."""
    import tomllib
    from pathlib import Path

    from appdb import accounts, audit
    from ui import auth

    url, add = args.url, f"python -m dashboard user add NAME --role {'|'.join(ROLES)}"
    secrets_file = Path(".streamlit/secrets.toml")  # where `streamlit run` finds it
    secrets = tomllib.loads(secrets_file.read_text("utf-8")) if secrets_file.is_file() else {}
    if auth.oidc_providers(secrets):
        print(f"Sign in at {url} through the OpenID Connect provider in {secrets_file}.")
        print(f"Give people roles with [roles] in secrets, or: {add} --no-password (NAME: e-mail)")
        return 0
    if accounts.counts()["password_count"] == 0:
        password = accounts.new_password()
        accounts.add("admin", "admin", password)
        audit.record(CLI_USER, "user_add", {"name": "admin", "role": "admin", "password": True})
        print(f"First start: sign in at {url} as admin with password {password}")
        print("(shown only this once; change it with: python -m dashboard user passwd admin)")
    else:
        print(f"Sign in at {url} with your account.")
        print("Forgotten password: python -m dashboard user passwd NAME")
    print(f"Add users with: {add}")
    return 0


def _user_parser(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="manage sign-in accounts").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create an account; asks for the password")
    add.add_argument("name", help="username, or the e-mail of an OIDC identity")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--no-password", action="store_true", help="OIDC identity: role only")
    add.set_defaults(func=cmd_user_add)
    role = user.add_parser("role", help="give an account another role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=cmd_user_role)
    for name, func, text in [
        ("passwd", cmd_user_passwd, "set a new password (asks for it; lifts a lock)"),
        ("unlock", cmd_user_unlock, "lift a lock after failed sign-ins"),
        ("remove", cmd_user_remove, "delete an account"),
    ]:
        command = user.add_parser(name, help=text)
        command.add_argument("name")
        command.set_defaults(func=func)
    user.add_parser("list", help="list accounts").set_defaults(func=cmd_user_list)
    first = user.add_parser("first-run", help="say how to sign in; create admin if none")
    first.add_argument("--url", default="http://localhost:8501")
    first.set_defaults(func=cmd_user_first_run)


def cmd_brief(args: argparse.Namespace) -> int:
    """Write a briefing pack for a province or the nation as PDF or PowerPoint."""
    from data_access import reads
    from exports import brief, brief_files
    from store import storage

    con = storage.open_read(settings.store_path())
    as_of = args.as_of or reads.run(con, "report_months")["month_end"].iloc[0].date()
    cut = reads.CoverageFilter(as_of=as_of)
    content = brief.build(
        con, cut, None if args.national else args.province, args.lang, app_settings.min_count()
    )
    data = brief_files.document(content, args.format)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    from appdb import audit

    detail = {"area": content.area, "lang": args.lang, "format": args.format, "as_of": str(as_of)}
    audit.record(CLI_USER, "briefing_pack", detail)
    print(f"Briefing pack for {content.area} written to {args.out} ({len(data):,} bytes).")
    return 0


def _brief_parser(sub) -> None:
    brief = sub.add_parser("brief", help="write a briefing pack (PDF or PowerPoint)")
    area = brief.add_mutually_exclusive_group(required=True)
    area.add_argument("--province", metavar="CODE", help="NIS province code, for example 12")
    area.add_argument("--national", action="store_true", help="the whole country")
    brief.add_argument("--lang", choices=["en", "km"], default="en")
    brief.add_argument("--format", choices=["pdf", "pptx"], default="pdf")
    brief.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    brief.add_argument("--out", type=Path, required=True, metavar="PATH")
    brief.set_defaults(func=cmd_brief)


def cmd_import(args: argparse.Namespace) -> int:
    """Import one agency file; exit 1 with the report if it has any problem."""
    from pathlib import Path

    from ingest import importer

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
    from linkage import pseudonym

    path = pseudonym.init_key()
    print(f"Key written to {path} (fingerprint {pseudonym.fingerprint(pseudonym.load_key())}).")
    print("Back it up now and escrow a copy (README, Registry synchronisation).")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Undo an accepted registrations or uptake batch."""
    from ingest import batches

    print(batches.rollback(args.batch))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """List the kept store versions, or make one of them the store again."""
    from ingest import batches
    from store import storage

    kept = batches.versions()
    if args.number is None:
        for number, version in enumerate(kept, start=1):
            print(f"{number}: {version.name}")
        return 0
    if not 1 <= args.number <= len(kept):
        raise ValueError(f"choose a version from 1 to {len(kept)}")
    storage.restore(kept[args.number - 1])
    print(f"Restored {kept[args.number - 1].name}; the replaced store was kept as a version.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Time the page queries (default), or score linkage (`bench linkage`)."""
    if args.what == "linkage":
        from bench import bench_linkage

        for line in bench_linkage.linkage_lines(args.people or 4000, args.seed):
            print(line)
        return 0
    from bench import runner

    runner.run(args.people or 7_000_000, as_json=args.json, browser=not args.no_browser,
              imports=not args.no_import)  # fmt: skip
    return 0


def cmd_agency_flags(args: argparse.Namespace) -> int:
    """Write one agency's record_ids with their flags as CSV (no other agency's identifiers)."""
    from exports import agency_flags

    frame = agency_flags.flags(args.source, args.as_of, user=args.user)
    sys.stdout.write(files.to_csv(frame).decode("utf-8-sig"))
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
    flags = sub.add_parser("agency-flags", help="an agency's record_ids with coverage flags")
    flags.add_argument("source")
    flags.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    flags.add_argument("--user", default=None, help="recorded in the audit log")
    flags.set_defaults(func=cmd_agency_flags)


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
            weights[key] = float(value)
        except ValueError as exc:
            raise ValueError(f"not a number: --weight {item!r}") from exc
    inputs = reads.load_needs(con, cut, app_settings.min_count())
    return needs.export_table(needs.rank(inputs, weights), weights, cut.as_of)


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    """Validate a district boundary file and store it for the drill-down map."""
    from ingest import boundaries

    count = boundaries.import_file(args.file, args.attribution)
    print(f"Imported {count} district boundaries to {boundaries.path()}.")
    return 0


def cmd_targets_import(args: argparse.Namespace) -> int:
    """Check and store coverage targets from a CSV file in the app database."""
    from appdb import targets
    from data_access import reads
    from store import storage

    con = storage.open_read(settings.store_path())
    provinces = set(reads.run(con, "province_list")["province_code"])
    services = set(reads.run(con, "service_catalogue")["service_code"])
    count = targets.import_csv(args.file, provinces, services, args.user)
    print(f"Imported {count} targets into {settings.app_db_path()}.")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    top = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a synthetic demo store")
    demo.add_argument("--people", type=_positive, default=100_000, help="registered persons")
    demo.add_argument("--seed", type=_non_negative, default=20190101)
    demo.add_argument("--as-of", type=_data_date, help="data date (default: last month end)")
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
    bench = sub.add_parser("bench", help="national-scale figures, or `bench linkage`")
    bench.add_argument("what", choices=["pages", "linkage"], nargs="?", default="pages")
    bench.add_argument("--people", type=_positive, help="7,000,000 (pages) or 4,000 (linkage)")
    bench.add_argument("--seed", type=int, default=11, help="linkage only")
    bench.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    bench.add_argument("--no-browser", action="store_true", help="skip the browser timings")
    bench.add_argument("--no-import", action="store_true", help="skip the write and import")
    bench.set_defaults(func=cmd_bench)
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
    export = sub.add_parser("export-parquet", help="write the store as partitioned Parquet")
    export.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    export.set_defaults(func=cmd_export_parquet)
    ref = sub.add_parser("reference", help="regenerate data/reference from its sources")
    ref.set_defaults(func=cmd_reference)
    ptable = sub.add_parser("ptable", help="regenerate the disclosure-control p-table")
    ptable.set_defaults(func=cmd_ptable)
    _user_parser(sub)
    _brief_parser(sub)
    _add_import_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are reported in one plain line, never as a traceback."""
    args = parser().parse_args(argv)
    streamlit.logger.set_log_level("error")  # no "no runtime" warnings on the command line
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the user sees one clear line
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 1


def _one_line(message: str) -> str:
    """The message with control characters (a newline in a typed name) shown escaped."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], message)
