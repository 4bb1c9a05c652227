"""The command line: `python -m dashboard demo|table|import|bench|brief|user|export-parquet ...`."""

import argparse
import contextlib
import datetime as dt
import math
import re
import sys
import time
from pathlib import Path

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
    if args.check_calibration:
        return _check_calibration(path)
    if args.if_missing and path.exists():
        from store import storage

        upgraded = storage.upgrade_schema(path)
        print(f"Store exists at {path}; {'schema upgraded' if upgraded else 'left as it is'}.")
        return 0
    started = time.perf_counter()
    counts = builder.build(args.people, args.seed, args.as_of or _last_month_end(dt.date.today()))
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
        services=tuple(_listed(args.service)),
        occupation=args.occupation,
        sex=args.sex,
        age_band=args.age_band,
        source=args.source,
    )
    if args.indicator == "needs":
        table = _needs_table(con, cut, _listed(args.weight))
    else:
        table = reads.load_coverage(con, cut, app_settings.min_count())
    if args.format == "json":
        sys.stdout.write(files.to_json(table) + "\n")
    else:
        sys.stdout.write(files.to_csv(table).decode("utf-8-sig"))
    return 0


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


def _read_password(name: str, confirm: bool = True) -> str:
    """A password typed twice at a terminal, else the first line of standard input.

    It is checked (length, zxcvbn's score, not the user name) before it is asked again,
    so a weak one is refused at once, saying why.
    """
    import getpass

    from appdb import accounts

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        accounts.check_password(password, name)
        return password
    first = getpass.getpass("Password: ")
    accounts.check_password(first, name)
    if confirm and getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account (an OIDC identity without password with --no-password)."""
    from appdb import accounts, audit

    provinces = _codes(args.province)
    accounts.check_scope(args.agency, provinces)  # refused before a password is asked for
    password = None if args.no_password else _read_password(args.name)
    name = accounts.add(args.name, args.role, password, args.agency, provinces)
    account = accounts.get(name)
    detail = {"name": name, "role": args.role, "password": password is not None}
    detail |= {"agency": account["agency"], "provinces": account["provinces"]}
    audit.record(audit.os_user(), "user_add", detail)
    print(f"Added {name} ({args.role}{_scope_text(account)}).")
    return 0


def _codes(values: list[str] | None) -> list[str]:
    """Province codes from repeated and comma-separated --province options."""
    return [code for value in values or () for code in value.split(",") if code.strip()]


def _scope_text(account: dict) -> str:
    """The scope to print after a role: ", agency NSSF, provinces 07,21", or "" for none."""
    parts = [f"agency {account['agency']}"] if account["agency"] else []
    parts += [f"provinces {account['provinces']}"] if account["provinces"] else []
    return "".join(f", {part}" for part in parts)


def cmd_user_scope(args: argparse.Namespace) -> int:
    """Limit an account to an agency and provinces (without options: lift every limit)."""
    from appdb import accounts, audit

    name = accounts.set_scope(args.name, args.agency, _codes(args.province))
    account = accounts.get(name)
    detail = {"name": name, "agency": account["agency"], "provinces": account["provinces"]}
    audit.record(audit.os_user(), "user_scope", detail)
    print(f"{name}: {_scope_text(account).removeprefix(', ') or 'every agency and province'}.")
    return 0


def _account_scope(user: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(agency, provinces) of the account --user names; no limit for a name of no account.

    The command line has no sign-in: --user says who acts, and an account's scope applies.
    """
    from appdb import accounts, scopes

    account = accounts.get(user) if user and accounts.NAME_PATTERN.fullmatch(user) else None
    return scopes.of_account(account) if account else (None, ())


def _check_agency(user: str | None, agency: str | None, action: str) -> None:
    """Refuse, and record in the audit log, an agency action the --user account may not do.

    The log names the operating-system login as the actor, and `user` as the account.
    """
    from appdb import audit, scopes

    limit = _account_scope(user)[0]
    if not scopes.check_agency_action(user, limit, agency, action, actor=audit.os_user()):
        raise PermissionError(
            f"{user} acts for {limit} only: {action} for {agency or 'every agency'} refused "
            "(recorded in the audit log)"
        )


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Set a new password for an account (and lift its lock)."""
    from appdb import accounts, audit

    name = accounts.set_password(args.name, _read_password(args.name))
    audit.record(audit.os_user(), "user_password", {"name": name})
    print(f"New password set for {name}.")
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    """Give an account another role."""
    from appdb import accounts, audit

    name = accounts.set_role(args.name, args.role)
    audit.record(audit.os_user(), "user_role", {"name": name, "role": args.role})
    print(f"{name} is now {args.role}.")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """Lift an account's lock after failed sign-ins."""
    from appdb import accounts, audit

    name = accounts.unlock(args.name)
    audit.record(audit.os_user(), "user_unlock", {"name": name})
    print(f"Unlocked {name}.")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Delete an account."""
    from appdb import accounts, audit

    name = accounts.remove(args.name)
    audit.record(audit.os_user(), "user_remove", {"name": name})
    print(f"Removed {name}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print every account with its role and lock-out state (never a hash)."""
    from appdb import accounts

    for a in accounts.list_accounts():
        login = "password" if a["has_password"] else "OIDC"
        locked = f", locked until {a['locked_until']}" if a["locked_until"] else ""
        scope = _scope_text(a)
        print(f"{a['name']}\t{a['role']}\t{login}, {a['failed_count']} failed{locked}{scope}")
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
        detail = {"name": "admin", "role": "admin", "password": True}
        audit.record(audit.os_user(), "user_add", detail)
        print(f"First start: sign in at {url} as admin with password {password}")
        print("(shown only this once; change it with: python -m dashboard user passwd admin)")
    else:
        print(f"Sign in at {url} with your account.")
        print("Forgotten password: python -m dashboard user passwd NAME")
    print(f"Add users with: {add}")
    return 0


def _scope_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--agency", metavar="CODE",
        help="the one source registry it imports, rolls back, maps and exports for, e.g. NSSF",
    )  # fmt: skip
    command.add_argument(
        "--province", action="append", metavar="CODE",
        help="a province whose figures it sees (repeat, or 07,21); default: every province",
    )  # fmt: skip


def _user_parser(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="manage sign-in accounts").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create an account; asks for the password")
    add.add_argument("name", help="username, or the e-mail of an OIDC identity")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--no-password", action="store_true", help="OIDC identity: role only")
    _scope_options(add)
    add.set_defaults(func=cmd_user_add)
    limit = user.add_parser("scope", help="limit an account to an agency and provinces")
    limit.add_argument("name")
    _scope_options(limit)
    limit.set_defaults(func=cmd_user_scope)
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
    area = None if args.national else args.province
    provinces = _account_scope(args.user)[1] or None
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
    brief.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    brief.add_argument("--out", type=Path, required=True, metavar="PATH")
    brief.add_argument("--user", help="who asks: an account's provinces limit the pack")
    brief.set_defaults(func=cmd_brief)


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
    _check_agency(args.user, _import_agency(request), "import")
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
            _check_agency(args.user, source.iloc[0], "rollback")
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
    _check_agency(args.user, None, "restore")  # a version holds every agency's imports
    if not 1 <= args.number <= len(kept):
        raise ValueError(f"choose a version from 1 to {len(kept)}")
    if not args.yes:
        print(f"Nothing done: {batches.restore_effect(kept[args.number - 1])}. "
              "Run again with --yes.")  # fmt: skip
        return 1
    batches.restore(kept[args.number - 1], as_account=args.user)
    print(f"Restored {kept[args.number - 1].name}; the replaced store was kept as a version.")
    return 0


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


EXTRACT_HELP = "the day the agency extracted the file (a mapping may set registered_on to it)"


def _add_import_commands(sub) -> None:
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
        "--allow-end", type=_non_negative, metavar="N",
        help="confirm that a full extract may end N records (needed above 10%% of them)",
    )  # fmt: skip
    imp.add_argument("--user", help="who imports: an account's agency limit applies")
    imp.add_argument("--extract-date", type=_date, metavar="YYYY-MM-DD", help=EXTRACT_HELP)
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
    enc.add_argument("--today", type=_date, default=None, help="no date may be later")
    enc.add_argument("--extract-date", type=_date, metavar="YYYY-MM-DD", help=EXTRACT_HELP)
    enc.set_defaults(func=cmd_encode)
    store = sub.add_parser("store", help="the store's settings (encoded-only, versions-kept)")
    store.add_argument("setting", choices=["encoded-only", "versions-kept"])
    store.add_argument("value", nargs="?", help="on|off, or how many versions to keep (1-100)")
    store.set_defaults(func=cmd_store)
    back = sub.add_parser("rollback", help="undo an accepted registrations or uptake batch")
    back.add_argument("batch", type=_positive)
    back.add_argument("--user", help="who rolls back: an account's agency limit applies")
    back.add_argument("--yes", action="store_true", help="confirm: without it, says what")
    back.set_defaults(func=cmd_rollback)
    restore = sub.add_parser("restore", help="list kept store versions or restore one")
    restore.add_argument("number", type=_positive, nargs="?", help="1 = the newest kept")
    restore.add_argument("--yes", action="store_true", help="confirm: without it, says what")
    restore.add_argument("--user", help="who restores: refused to an account limited to an agency")
    restore.set_defaults(func=cmd_restore)
    reach = sub.add_parser("outreach", help="an agency's records needing action, to its outbox")
    reach.add_argument("source", help="the agency's registry code, e.g. NSSF")
    reach.add_argument("--user", required=True, help="a data manager of that agency, or an admin")
    reach.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
    reach.add_argument("--out", type=Path, metavar="PATH",
                       help="a new file instead of the agency's outbox (mode 0600)")  # fmt: skip
    reach.set_defaults(func=cmd_outreach)


def _listed(values: list[str] | None) -> list[str]:
    """Values of a repeatable option, each of which may list several separated by commas."""
    out = [v.strip() for value in values or () for v in value.split(",")]
    return list(dict.fromkeys(v for v in out if v))


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


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    top = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a synthetic demo store")
    demo.add_argument(
        "--people", type=_positive, default=100_000,
        help="informal workers to draw (7000000: national scale); registries reach a minority",
    )  # fmt: skip
    demo.add_argument("--seed", type=_non_negative, default=20190101)
    demo.add_argument("--as-of", type=_data_date, help="data date (default: last month end)")
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
    table.add_argument("--as-of", type=_date, help="any day of the month (default: latest)")
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
    goals_import.add_argument("--user", help="an account acted as, recorded in the audit log")
    goals_import.set_defaults(func=cmd_targets_import)
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
    _user_parser(sub)
    _brief_parser(sub)
    _add_import_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are reported in one plain line, never as a traceback."""
    args = parser().parse_args(argv)
    if args.func is not cmd_encode:  # an agency machine has no Streamlit (README, "Keys")
        import streamlit.logger

        streamlit.logger.set_log_level("error")  # no "no runtime" warnings on the command line
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the user sees one clear line
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 1


def _one_line(message: str) -> str:
    """The message with control characters (a newline in a typed name) shown escaped."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], message)
