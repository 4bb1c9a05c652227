"""Agency files and the store: import, encode, key, store, rollback, restore, outreach, targets.

Also district boundaries for the drill-down map.
"""

import argparse
import contextlib
import sys
import time
from pathlib import Path

import settings
from cli.options import EXTRACT_HELP, iso_date, non_negative, positive
from cli.users import check_agency


def cmd_import(args: argparse.Namespace) -> int:
    """Import one agency file; exit 1 with the report if it has any problem."""
    from pathlib import Path

    from ingest import importer

    path = Path(args.file)
    if args.kind in ("registrations", "uptake") and args.append == args.full_extract:
        raise ValueError(
            f"say what {path.name} is: --full-extract (every current record of the source, "
            "those it leaves out end) or --append (additions and changes only)"
        )
    request = importer.Request(  # its user: the operating-system login
        data=path.read_bytes(), file_name=path.name, kind=args.kind, source=args.source,
        append=args.append, dry_run=args.dry_run, as_account=args.user,
        allow_end=args.allow_end, extract_date=args.extract_date,
    )  # fmt: skip
    check_agency(args.user, _import_agency(request), "import")
    outcome = importer.run(request)
    for line in outcome.report.lines():
        print(line, file=sys.stderr if outcome.report.problems else sys.stdout)
    verb = "would be" if outcome.dry_run else "was"
    if plan := outcome.stats.get("plan"):
        counts = (f"{plan['added']:,} added, {plan['changed']:,} changed, {plan['ended']:,} "
                  f"ended of {plan['current_records']:,} current")  # fmt: skip
        print(f"Records of {request.source}: {counts}.")
    loaded = outcome.stats.get("rows_loaded")
    links = ", ".join(f"{n:,} {m}" for m, n in outcome.stats.get("link_methods", {}).items())
    detail = f": {loaded:,} rows" if loaded is not None else ""
    detail += f" (linked: {links})" if links else ""
    print(f"Batch {outcome.batch_id} {verb} {outcome.result}{detail}.")
    if note := outcome.stats.get("note"):
        print(f"Note: {note}.")
    return 0 if outcome.result in {"accepted", "duplicate"} else 1


def _import_agency(request) -> str | None:
    """The agency a file is imported for: --source, else an encoded file's manifest's.

    None for a population or catalogue file, which is every agency's.
    """
    from ingest import encoded

    if request.kind not in ("registrations", "uptake"):
        return None
    if request.source is None and request.is_encoded:
        with contextlib.suppress(encoded.Invalid):  # the import reports a bad manifest
            return str(encoded.manifest(request.data)["source"])
    return request.source


def cmd_encode(args: argparse.Namespace) -> int:
    """At the agency: validate a registrations file and write it encoded, without names or IDs."""
    from ingest import encoding
    from linkage import pseudonym

    key = pseudonym.load_key(args.key_file)
    file, out = Path(args.file), Path(args.out)
    if out.resolve() == file.resolve():
        raise ValueError("--out must be another file than the one encoded")
    detail = {"purpose": "encode", "fingerprint": pseudonym.fingerprint(key),
              "source": args.source, "file": file.name, "out": str(out)}  # fmt: skip
    _record_key("key_use", detail)  # before the key is used: no unrecorded use
    started = time.perf_counter()
    result = encoding.encode_file(file, args.source, out, key, args.today, args.extract_date)
    for line in result.report.lines():
        print(line, file=sys.stderr if result.report.problems else sys.stdout)
    if result.manifest is None:
        print(f"Nothing was encoded: correct the rows above in {file.name} and run encode again.")
        return 1
    seconds = time.perf_counter() - started
    manifest = result.manifest
    print(
        f"Encoded {manifest['rows']:,} rows of {args.source} to {out} in {seconds:.1f} s "
        f"(key fingerprint {manifest['key_fingerprint']}, content "
        f"{manifest['content_sha256'][:16]}). The file holds no name and no ID number; "
        "send it to the Board."
    )
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    """Create a key file for the agencies, or print a key file's fingerprint."""
    from linkage import pseudonym

    if args.action == "fingerprint":
        fingerprint = pseudonym.fingerprint(pseudonym.load_key(args.out))
        _record_key("key_fingerprint", {"fingerprint": fingerprint, "file": args.out})
        print(fingerprint)
        return 0
    path, fingerprint = pseudonym.init_key(args.out)
    _record_key("key_init", {"fingerprint": fingerprint, "file": path})
    print(f"Key written to {path} (mode 0600), fingerprint {fingerprint}.")
    print(
        "Hand a copy to each agency's data custodian, escrow one as the README's \"Keys\" "
        "section says, and do not keep it on the Board's machine once its store is encoded_only."
    )
    return 0


def _record_key(action: str, detail: dict) -> None:
    """Audit a key command where an app database is: $COVERAGE_APP_DB, or one that exists.

    The Board's machine has one. An agency's machine (README, "Keys") usually has none, and
    `encode` creates none there: its file's manifest names the key's fingerprint instead.
    """
    import os

    from appdb import audit

    if os.environ.get("COVERAGE_APP_DB") or settings.app_db_path().exists():
        audit.record(audit.os_user(), action, detail)


def cmd_store(args: argparse.Namespace) -> int:
    """Show or set one of the store's settings: encoded_only, versions_kept."""
    from ingest import batches, importer
    from store import storage

    name = args.setting.replace("-", "_")
    if args.value is None:
        with storage.open_read(settings.store_path()) as con:
            shown = {"encoded_only": "on" if storage.encoded_only(con) else "off",
                     "versions_kept": str(storage.versions_kept(con))}  # fmt: skip
        print(f"{name}: {shown[name]}")
        return 0
    print(batches.set_setting(name, args.value, importer.current_user()) + ".")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Undo an accepted registrations or uptake batch."""
    from data_access import reads
    from ingest import batches
    from store import storage

    if args.user:  # the batch's source is the agency acted for (an unknown batch: none)
        with storage.open_read(settings.store_path()) as con:
            history = reads.run(con, "import_history")
        source = history.loc[history["batch_id"] == args.batch, "source"]
        if not source.empty:
            check_agency(args.user, source.iloc[0], "rollback")
    if not args.yes:
        print(f"Nothing done: {batches.rollback_effect(args.batch)}. Run again with --yes.")
        return 1
    print(batches.rollback(args.batch, as_account=args.user))  # by the operating-system login
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """List the kept store versions, or make one of them the store again."""
    from ingest import batches

    kept = batches.versions()
    if args.number is None:
        for number, version in enumerate(kept, start=1):
            print(f"{number}: {version.name}")
        return 0
    check_agency(args.user, None, "restore")  # a version holds every agency's imports
    if not 1 <= args.number <= len(kept):
        raise ValueError(f"choose a version from 1 to {len(kept)}")
    if not args.yes:
        print(f"Nothing done: {batches.restore_effect(kept[args.number - 1])}. "
              "Run again with --yes.")  # fmt: skip
        return 1
    batches.restore(kept[args.number - 1], as_account=args.user)
    print(f"Restored {kept[args.number - 1].name}; the replaced store was kept as a version.")
    return 0


def cmd_outreach(args: argparse.Namespace) -> int:
    """Write one agency's outreach file to its outbox (or --out), as the named account."""
    from appdb import accounts, audit, scopes
    from exports import outreach
    from store import storage

    account, login = accounts.get(args.user), audit.os_user()
    if account is None:
        raise ValueError(f"no account named {args.user!r} in {settings.app_db_path()}")
    agency, provinces = scopes.of_account(account)
    con = storage.open_read(settings.store_path())
    try:
        made = outreach.produce(
            args.source, args.as_of, user=account["name"], role=account["role"],
            user_agency=agency, provinces=provinces, con=con, out=args.out, actor=login,
        )  # fmt: skip
    finally:
        con.close()
    print(
        f"Outreach file of {made.source} for {made.month_end:%Y-%m} ({made.records:,} records) "
        f"written to {made.path} (readable by this account only); audited as {login}, acting "
        f"as {account['name']}."
    )
    return 0


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    """Validate a district boundary file and store it for the drill-down map."""
    from ingest import boundaries

    count = boundaries.import_file(args.file, args.attribution)
    print(f"Imported {count} district boundaries to {boundaries.path()}.")
    return 0


def cmd_targets_import(args: argparse.Namespace) -> int:
    """Check and store coverage targets from a CSV file in the app database."""
    from appdb import audit, targets
    from data_access import reads
    from store import storage

    con = storage.open_read(settings.store_path())
    provinces = set(reads.run(con, "province_list")["province_code"])
    services = set(reads.run(con, "service_catalogue")["service_code"])
    login = audit.os_user()
    count = targets.import_csv(args.file, provinces, services, login, as_account=args.user)
    print(f"Imported {count} targets into {settings.app_db_path()}.")
    return 0


def add_parsers(sub) -> None:
    """The commands of agency files and of the store."""
    imp = sub.add_parser("import", help="import an agency file (CSV, XLSX or Parquet)")
    imp.add_argument("file")
    imp.add_argument("--kind", required=True,
                     choices=["registrations", "uptake", "population", "services"])  # fmt: skip
    imp.add_argument("--source", help="the registry, e.g. NSSF (registrations and uptake)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    imp.add_argument(
        "--append", action="store_true", help="additions and changes only (records stay)"
    )
    imp.add_argument(
        "--full-extract", action="store_true",
        help="every current record of the source: those the file leaves out end",
    )  # fmt: skip
    imp.add_argument(
        "--allow-end", type=non_negative, metavar="N",
        help="confirm that a full extract may end N records (needed above 10%% of them)",
    )  # fmt: skip
    imp.add_argument("--user", help="who imports: an account's agency limit applies")
    imp.add_argument("--extract-date", type=iso_date, metavar="YYYY-MM-DD", help=EXTRACT_HELP)
    imp.set_defaults(func=cmd_import)
    key = sub.add_parser("key", help="the agencies' pseudonymisation key file")
    key.add_argument("action", choices=["init", "fingerprint"])
    key.add_argument("--out", type=Path, default=None,
                     help="the key file (default: $COVERAGE_KEY_FILE or ~/.config/"
                     "coverage-dashboard/pseudonym.key)")  # fmt: skip
    key.set_defaults(func=cmd_key)
    enc = sub.add_parser("encode", help="at the agency: a registrations file, encoded")
    enc.add_argument("file")
    enc.add_argument("--source", required=True, help="the agency's registry code, e.g. NSSF")
    enc.add_argument("--out", required=True, help="the encoded file to write (Parquet)")
    enc.add_argument("--key-file", type=Path, default=None, help="default: as for `key`")
    enc.add_argument("--today", type=iso_date, default=None, help="no date may be later")
    enc.add_argument("--extract-date", type=iso_date, metavar="YYYY-MM-DD", help=EXTRACT_HELP)
    enc.set_defaults(func=cmd_encode)
    store = sub.add_parser("store", help="the store's settings (encoded-only, versions-kept)")
    store.add_argument("setting", choices=["encoded-only", "versions-kept"])
    store.add_argument("value", nargs="?", help="on|off, or how many versions to keep (1-100)")
    store.set_defaults(func=cmd_store)
    back = sub.add_parser("rollback", help="undo an accepted registrations or uptake batch")
    back.add_argument("batch", type=positive)
    back.add_argument("--user", help="who rolls back: an account's agency limit applies")
    back.add_argument("--yes", action="store_true", help="confirm: without it, says what")
    back.set_defaults(func=cmd_rollback)
    restore = sub.add_parser("restore", help="list kept store versions or restore one")
    restore.add_argument("number", type=positive, nargs="?", help="1 = the newest kept")
    restore.add_argument("--yes", action="store_true", help="confirm: without it, says what")
    restore.add_argument("--user", help="who restores: refused to an account limited to an agency")
    restore.set_defaults(func=cmd_restore)
    reach = sub.add_parser("outreach", help="an agency's records needing action, to its outbox")
    reach.add_argument("source", help="the agency's registry code, e.g. NSSF")
    reach.add_argument("--user", required=True, help="a data manager of that agency, or an admin")
    reach.add_argument("--as-of", type=iso_date, help="any day of the month (default: latest)")
    reach.add_argument("--out", type=Path, metavar="PATH",
                       help="a new file instead of the agency's outbox (mode 0600)")  # fmt: skip
    reach.set_defaults(func=cmd_outreach)

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
    goals_import.add_argument("--user", help="an account acted as, recorded in the audit log")
    goals_import.set_defaults(func=cmd_targets_import)
