"""Imports an agency's file: read, map, validate, pseudonymise, link, write — all or nothing.

Everything happens in one `storage.write_session()`: a file with any problem loads no row
(only its rejected batch is recorded), and readers never see a half-written store. A
dry run does the same work and then discards the session.

Registrations come encoded by the agency (ingest/encoded.py, `python -m dashboard encode`):
the Board checks the manifest and the rows, validates them again against its reference
lists, and links the encodings without any key. A store that is not `encoded_only` also
takes raw files, encoded here with the key: the raw national_id and full_name columns
then exist only in memory and are dropped before anything is registered with DuckDB.
"""

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

import settings
from appdb import audit
from ingest import encoded, mapping_apply, mappings, readers, reference, rules, validation
from linkage import features, pseudonym
from store import storage

log = logging.getLogger("coverage.import")
NEEDS_KEY = {"registrations"}  # raw files of these kinds are encoded with the key
# Kinds that only add or end rows of registrations and uptake under their own batch id, so
# the aggregates may be refreshed for the persons they touch (store/aggregates.py).
INCREMENTAL = {"registrations", "uptake"}
REFER_TO_RECORDS = {"uptake"}  # rows must name a current record of their source
PROGRESS: Callable[[float, str], None] = lambda fraction, stage: None  # noqa: E731
# Progress stages reported to `progress(fraction, stage)`; the Import page words them.
STAGES = ("reading", "validated", "pseudonymising", "linking", "written")


def current_user() -> str:
    """Who runs an import outside the app: the operating-system login (audit.os_user)."""
    return audit.os_user()


@dataclasses.dataclass
class Request:
    """One import: the file's bytes and how to treat them."""

    data: bytes
    file_name: str
    kind: str
    source: str | None
    append: bool = False
    dry_run: bool = False
    mapping_text: str | None = None  # a mapping saved on the Import page
    extract_date: dt.date | None = None  # the agency's extract day (a mapping's $extract_date)
    user: str = dataclasses.field(default_factory=lambda: current_user())
    as_account: str | None = None  # the app account the command line acts as (--user)
    today: dt.date = dataclasses.field(default_factory=dt.date.today)
    key: bytes | None = None
    manifest: dict | None = None  # an encoded file's (set by run / import_into)
    allow_end: int | None = None  # records a full extract may end beyond the share allowed

    @property
    def sha256(self) -> str:
        """The SHA-256 a batch is known by: an encoded file's rows, else the file's bytes.

        Two encodings of one file differ in their manifests' times but not in their rows,
        so the second is a duplicate, as a second upload of the same raw file is.
        """
        if self.manifest is not None:
            return str(self.manifest["content_sha256"])
        return hashlib.sha256(self.data).hexdigest()

    @property
    def is_encoded(self) -> bool:
        """Whether the file is an encoded registrations file (whatever its manifest says)."""
        return self.kind == "registrations" and encoded.is_encoded(self.data)


@dataclasses.dataclass
class Outcome:
    """What an import did."""

    batch_id: int
    result: str  # accepted, rejected, duplicate (dry runs: would be accepted/rejected)
    report: validation.Report
    stats: dict = dataclasses.field(default_factory=dict)
    dry_run: bool = False


class _DryRun(Exception):
    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def run(request: Request, path: Path | None = None, progress=PROGRESS) -> Outcome:
    """Import one file into the store at `path` (default: the configured store)."""
    _check_request(request)
    try:
        incremental = request.kind in INCREMENTAL
        # the file is parsed (by Arrow, without the GIL) while the store is being copied
        with (
            concurrent.futures.ThreadPoolExecutor(1) as pool,
            storage.write_session(path, incremental=incremental) as con,
        ):
            table = pool.submit(readers.read_table, request.data, request.file_name)
            outcome = import_into(con, request, progress, table)
            if request.dry_run:
                raise _DryRun(outcome)
            if outcome.result != "accepted":  # only its batch is recorded: keep no version
                storage.unchanged(con)
    except _DryRun as stop:
        stop.outcome.dry_run = True
        return stop.outcome
    log.info(
        "import %s %s %s: batch %s %s, %s",
        request.kind,
        request.source,
        request.file_name,
        outcome.batch_id,
        outcome.result,
        outcome.report.counts(),
    )
    detail = {"file": request.file_name, "kind": request.kind, "source": request.source,
              "batch": outcome.batch_id, "result": outcome.result}  # fmt: skip
    audit.record(request.user, "import", detail, as_account=request.as_account)
    return outcome


def _check_request(request: Request) -> None:
    if request.kind not in validation.KINDS:
        raise ValueError(f"kind must be one of {', '.join(validation.KINDS)}")
    if request.source is None and request.is_encoded:
        with contextlib.suppress(encoded.Invalid):  # a bad manifest is reported in the session
            request.source = str(encoded.manifest(request.data)["source"])
    if request.kind in {"registrations", "uptake"}:
        mappings.check_source(request.source or "")


def import_into(
    con, request: Request, progress=PROGRESS, table: concurrent.futures.Future | None = None
) -> Outcome:
    """Import one file inside an open write session (the demo imports several in one).

    `table`, when given, is the file being read already (readers.read_table).
    """
    if storage.run_statement(con, "imports/province_list").empty:
        reference.load_catalogues(con)
    batch_id = storage.next_batch_id(con)
    report = validation.Report(request.file_name, request.kind)
    if request.is_encoded:
        try:
            request.manifest = encoded.manifest(request.data)
        except encoded.Invalid as exc:
            report.problems.append(validation.Problem(0, "", "", str(exc)))
            return _record(con, request, batch_id, "rejected", report, {})
    duplicate = storage.run_statement(
        con,
        "imports/existing_batch",
        sha256=request.sha256,
        kind=request.kind,
        source=request.source,
    )
    if not duplicate.empty:
        note = f"same file as accepted batch {int(duplicate.iloc[0, 0])}: nothing changed"
        return _record(con, request, batch_id, "duplicate", report, {"note": note})
    progress(0.1, "reading")
    if request.manifest is not None:
        typed, writer = _read_encoded(con, request, report), _write_encoded
    else:
        typed, writer = _read_raw(con, request, report, table), WRITERS[request.kind]
    if typed is None:
        return _record(con, request, batch_id, "rejected", report, {})
    progress(0.4, "validated")
    plan = _extract_plan(con, request, typed)
    if plan and (reason := _ending_refusal(plan, request)):
        report.problems.append(validation.Problem(0, "", "", reason))
        stats = {"plan": plan, "confirm_end": plan["ended"]}  # what a confirmation must say
        return _record(con, request, batch_id, "rejected", report, stats)
    if writer is not _write_encoded and request.key is None and request.kind in NEEDS_KEY:
        stats = {"note": NO_KEY_DRY_RUN, "rows_loaded": len(typed), "plan": plan}
        return _record(con, request, batch_id, "accepted", report, stats)
    stats = writer(con, request, typed, batch_id, progress) | ({"plan": plan} if plan else {})
    progress(0.95, "written")
    return _record(con, request, batch_id, "accepted", report, stats)


def _extract_plan(con, request: Request, typed: pd.DataFrame) -> dict[str, int] | None:
    """What a registrations file adds, changes and (a full extract) ends, before writing."""
    if request.kind != "registrations":
        return None
    found = storage.query_with(con, "imports/extract_plan", typed[["record_id"]],
                               source=request.source, whole=not request.append)  # fmt: skip
    return {str(k): int(v) for k, v in found.iloc[0].items()}


def _ending_refusal(plan: dict[str, int], request: Request) -> str | None:
    """Why a full extract that ends more than the allowed share needs a confirmation."""
    share, ended, held = settings.max_end_share(), plan["ended"], plan["current_records"]
    if ended == 0 or ended <= share * held:
        return None
    if request.allow_end is not None and request.allow_end >= ended:
        return None
    return (
        f"as a full extract this file would end {ended:,} of the {held:,} current records of "
        f"{request.source} ({ended / held:.0%}, more than the {share:.0%} allowed without a "
        f"confirmation): if it really is a full extract, confirm ending {ended:,} records "
        f"(--allow-end {ended}); if it only adds and changes records, import it as "
        "additions and changes (--append)"
    )


NO_KEY_DRY_RUN = (
    "checked without a pseudonymisation key: the rows are valid and the plan stands; "
    "how they would link to persons is known only on a machine with the key"
)
RAW_REFUSED = (
    "this store takes registrations only as encoded files, so that no name or ID number "
    "reaches the Board: the agency runs `python -m dashboard encode FILE --source {source} "
    "--out FILE.encoded.parquet` with its key file, and the Board imports that file"
)


def _read_raw(con, request: Request, report: validation.Report, table) -> pd.DataFrame | None:
    """A raw file's typed rows; registrations need a store that takes them, then the key.

    The rows are validated before the key is looked for: a file's own problems are
    reported on a machine without one.
    """
    if request.kind in NEEDS_KEY and storage.encoded_only(con):
        reason = RAW_REFUSED.format(source=request.source)
        report.problems.append(validation.Problem(0, "", "", reason))
        return None
    typed = validated(con, request, report, table)
    if typed is None or request.kind not in NEEDS_KEY:
        return typed
    if request.key is None:
        try:
            request.key = pseudonym.load_key()
        except pseudonym.KeyMissing:
            if request.dry_run:  # validation and the plan need no key: only linkage does
                return typed
            raise
        _record_key_use(request)
    report.problems += _key_problems(con, pseudonym.fingerprint(request.key))
    report.problems += _encoder_problems(con)
    return None if report.problems else typed


def _record_key_use(request: Request) -> None:
    """Audit the Board's use of its key file: a raw file encoded here (README, "Keys")."""
    detail = {"purpose": "import", "fingerprint": pseudonym.fingerprint(request.key),
              "source": request.source, "file": Path(request.file_name).name,
              "dry_run": request.dry_run}  # fmt: skip
    audit.record(request.user, "key_use", detail, as_account=request.as_account)


def validated(
    con,
    request: Request,
    report: validation.Report,
    table: concurrent.futures.Future | None = None,
) -> pd.DataFrame | None:
    """A raw file's typed rows, or None with the report's problems filled in.

    Needs no key: the agency's `encode` validates with it too, against the reference
    lists in `con` (the store, or a scratch database of the committed lists).
    """
    try:
        raw = table.result() if table else readers.read_table(request.data, request.file_name)
    except readers.FileRejected as exc:
        report.problems.append(validation.Problem(0, "", "", str(exc)))
        return None
    report.rows_read = len(raw)
    mapped = _mapped(con, request, raw, report)
    if report.problems:
        return None
    frame = mapped.frame
    checker = validation.Checker(frame, mapped.origin, request.today)
    record_ids = frame["record_id"] if request.kind in REFER_TO_RECORDS else None
    ctx = rules.context(con, request.source, request.today, record_ids)
    typed = rules.typed_rows(request.kind, checker, ctx)
    # a value the mapping could not read is reported once, as the mapping found it
    read = {(p.row, p.column) for p in mapped.problems}
    report.problems += mapped.problems + [
        p for p in checker.problems if (p.row, p.column) not in read
    ]
    report.problems += _capacity_problems(con, request, typed)
    report.problems.sort(key=lambda p: p.row)
    return None if report.problems else typed


def _mapped(con, request: Request, raw: pd.DataFrame, report: validation.Report):
    """The file through its source's mapping; the file's and header's problems reported."""
    mapping = (
        mappings.load(request.source or "", request.kind, request.mapping_text)
        if request.source
        else mappings.Mapping()
    )
    known = None
    if mapping.defaults:  # a default replaces only codes the rules would refuse
        known = _known_codes(rules.context(con, request.source, request.today))
    mapped = mapping_apply.apply(raw, mapping, request.extract_date, known)
    report.notices += mapped.notices
    if request.extract_date and request.extract_date > request.today:
        reason = f"the extract date {request.extract_date} is after today ({request.today})"
        report.problems.append(validation.Problem(0, "", "", reason))
    report.problems += [p for p in mapped.problems if p.row <= 1]
    report.problems += validation.check_columns(
        mapped.frame, request.kind, mapped.origin, mapping.origin
    )
    return mapped


def _known_codes(ctx: rules.Context) -> dict[str, set[str]]:
    """The codes each coded column takes as they are (a mapping's defaults replace others)."""
    return {
        "sex": set(rules.SEXES), "poverty_level": set(rules.POVERTY),
        "disability": set(rules.FLAGS), "province_code": set(ctx.provinces),
        "district_code": set(ctx.district_province), "commune_code": set(ctx.commune_district),
        "occupation": ctx.occupations, "service_code": ctx.services, "age_band": ctx.age_bands,
    }  # fmt: skip


def _capacity_problems(con, request: Request, typed: pd.DataFrame) -> list[validation.Problem]:
    """The coverage cube keeps a bit per source (16) and per service (64): refuse more."""
    codes = storage.run_statement(con, "imports/code_lists")
    known = codes.groupby("list_name")["code"].agg(set).to_dict()
    if request.kind == "services":
        total = len(known.get("service", set()) | set(typed["service_code"]))
        if total > 64:
            return [validation.Problem(0, "", "", f"the catalogue would hold {total} services; "
                                       "at most 64 are supported")]  # fmt: skip
    sources = known.get("source", set())
    if request.kind == "registrations" and request.source not in sources and len(sources) >= 16:
        return [validation.Problem(0, "", "", "at most 16 source registries are supported")]
    return []


def _key_problems(con, key_fp: str) -> list[validation.Problem]:
    stored = storage.meta_values(con).get("key_fingerprint")
    if stored and stored != key_fp:
        reason = (
            f"the pseudonymisation key (fingerprint {key_fp}) is not the "
            f"store's ({stored}): importing would break linkage with every earlier batch"
        )
        return [validation.Problem(0, "", "", reason)]
    return []


def _encoder_problems(con) -> list[validation.Problem]:
    """Linkage features of this store made by another encoder than this Board's: refuse.

    Names, dates and IDs encoded otherwise are not compared alike (the phonetic keys of
    names changed with encoder 2), so linkage against them would silently lose links. A
    store without the record (built before it was kept) made them with encoder 1.
    """
    stored = storage.meta_values(con).get("linkage_encoder")
    if stored == encoded.ENCODER_VERSION:
        return []
    if stored is None and not storage.run_statement(con, "imports/current_features").iloc[0, 0]:
        return []
    reason = (
        f"the store's linkage features were encoded by encoder {stored or '1'!r}, this "
        f"Board's by {encoded.ENCODER_VERSION!r}: they would not be compared alike; have "
        "every agency encode its full extract again and import them all into a new store "
        '(README, "Keys": rotation)'
    )
    return [validation.Problem(0, "", "", reason)]


def _read_encoded(con, request: Request, report: validation.Report) -> pd.DataFrame | None:
    """An encoded file's records (identity encodings included), checked as a raw file's are.

    The manifest must name the request's source and the store's key; the rows must be the
    manifest's; the registration columns pass the same rules as a raw file's, against the
    Board's own reference lists; every encoding has its form.
    """
    manifest = request.manifest
    if manifest["source"] != request.source:
        reason = f"the file was encoded for {manifest['source']}, not {request.source}"
        report.problems.append(validation.Problem(0, "", "", reason))
    report.problems += _key_problems(con, manifest["key_fingerprint"])
    report.problems += _encoder_problems(con)
    if report.problems:
        return None
    try:
        rows = encoded.read(request.data, manifest)
    except encoded.Invalid as exc:
        report.problems.append(validation.Problem(0, "", "", str(exc)))
        return None
    report.rows_read = len(rows)
    hashes = list(encoded.HASH_COLUMNS)
    checker = validation.Checker(rows[[*encoded.TEXT_COLUMNS, *hashes]], str, request.today)
    ctx = rules.context(con, request.source, request.today)
    typed = rules.typed_rows("registrations", checker, ctx)
    for column, (pattern, form) in encoded.HASH_COLUMNS.items():
        text = checker.strings(column)
        bad = (text != "") & ~text.str.fullmatch(pattern)
        checker.flag(bad, column, f"not a keyed hash ({form})")
    clk = rows[encoded.CLK_COLUMN]
    size = features.CLK_BITS // 8
    wrong = clk.notna() & (clk.map(lambda b: len(b) if b is not None else size) != size)
    checker.flag(wrong, encoded.CLK_COLUMN, f"not a name encoding of {size} bytes")
    report.problems += checker.problems
    report.problems.sort(key=lambda p: p.row)
    if report.problems:
        return None
    kept = typed.drop(columns=["national_id", "full_name", "birth_date"])
    return pd.concat([kept, rows[[*hashes, encoded.CLK_COLUMN]]], axis=1)


def _record(con, request, batch_id, result, report, stats) -> Outcome:
    key_fp = pseudonym.fingerprint(request.key) if request.key else None
    if request.manifest is not None:
        key_fp = request.manifest["key_fingerprint"]
    row = {
        "batch_id": batch_id,
        "file_name": Path(request.file_name).name,
        "sha256": request.sha256,
        "kind": request.kind,
        "source": request.source,
        "rows_read": report.rows_read,
        "rows_loaded": stats.get("rows_loaded", 0),
        "invalid_rows": len({p.row for p in report.problems if p.row >= 2}),
        "result": result,
        "user_name": request.user,
        "imported_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
        "key_fingerprint": key_fp,
        "note": json.dumps(
            {"problems": report.counts(), **_noticed(report), **stats}, ensure_ascii=False
        ),
    }
    storage.append(con, "import_batches", pd.DataFrame([row]))
    if result == "accepted" and key_fp:
        storage.set_meta(con, key_fingerprint=key_fp)
    if result == "accepted" and storage.meta_values(con).get("is_demo") != "true":
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        storage.set_meta(con, data_as_of=request.today.isoformat(), built_at=now)
    return Outcome(batch_id, result, report, stats)


def _noticed(report: validation.Report) -> dict:
    """The report's notices (codes set to a mapping's default) for the batch's note."""
    if not report.notices:
        return {}
    listed = [f"{p.column} {p.value!r}: {p.reason}" for p in report.notices[: validation.CAP]]
    return {"notices": listed}


def encode_records(typed: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Validated registration rows with their identity encoded: no name, ID or birth date.

    The keyed ID hash and the name and birth-date features (linkage/features.py) replace
    national_id, full_name and birth_date; the birth year stays.
    """
    records = typed.drop(columns=["national_id", "full_name", "birth_date"])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # DuckDB hashes without the GIL
        ids = pool.submit(pseudonym.hash_ids, key, typed["national_id"].tolist())
        kept = features.encode(typed, key)
        records["id_hash"] = ids.result()
    return pd.concat([records, kept], axis=1)


def _write_registrations(con, request, typed, batch_id, progress) -> dict:
    progress(0.5, "pseudonymising")
    records = encode_records(typed, request.key)
    del typed  # the raw IDs and names go no further
    return _write_encoded(con, request, records, batch_id, progress)


def _write_encoded(con, request, records, batch_id, progress) -> dict:
    """Link encoded registration records and write them (the raw path ends here too)."""
    from linkage import matching  # Splink: the Board's, never needed by `encode`

    progress(0.6, "linking")
    linked = matching.link(con, request.source, records)
    methods = linked["link_method"].value_counts().to_dict()
    # converted once: DuckDB reads Arrow as it is, but converts a frame's strings every scan
    rows = pa.Table.from_pandas(
        linked.assign(source=request.source, batch_id=batch_id), preserve_index=False
    )
    whole = not request.append
    for name in ("imports/supersede_registrations", "imports/supersede_features"):
        storage.execute_with(
            con, name, rows.select(["record_id"]), source=request.source, batch_id=batch_id,
            whole=whole,
        )  # fmt: skip
    storage.run_statement(con, "imports/add_source", source=request.source)
    storage.append(con, "registrations", rows)
    storage.append(con, "linkage_features", rows)
    storage.set_meta(con, linkage_encoder=encoded.ENCODER_VERSION)
    storage.execute_with(con, "imports/new_person_ids", rows, batch_id=batch_id)
    return {"rows_loaded": len(linked), "link_methods": {k: int(v) for k, v in methods.items()}}


def _write_uptake(con, request, typed, batch_id, progress) -> dict:
    persons = storage.query_with(
        con, "imports/person_of_record", typed[["record_id"]], source=request.source
    )
    person = typed["record_id"].map(
        persons.drop_duplicates("record_id").set_index("record_id")["person_key"]
    )
    rows = typed.assign(person_key=person, source=request.source, batch_id=batch_id)
    storage.execute_with(
        con,
        "imports/supersede_uptake",
        rows,
        source=request.source,
        batch_id=batch_id,
        whole=not request.append,
    )
    storage.append(con, "uptake", rows)
    return {"rows_loaded": len(rows)}


def _write_population(con, request, typed, batch_id, progress) -> dict:
    reference.load_population(con, typed, batch_id)
    return {"rows_loaded": len(typed), "years": sorted(int(y) for y in typed["year"].unique())}


def _write_services(con, request, typed, batch_id, progress) -> dict:
    storage.execute_with(con, "imports/upsert_services", typed)
    return {"rows_loaded": len(typed)}


WRITERS = {
    "registrations": _write_registrations,
    "uptake": _write_uptake,
    "population": _write_population,
    "services": _write_services,
}
