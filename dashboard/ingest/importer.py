"""Imports an agency's file: read, map, validate, pseudonymise, link, write — all or nothing.

Everything happens in one `storage.write_session()`: a file with any problem loads no row
(only its rejected batch is recorded), and readers never see a half-written store. A
dry run does the same work and then discards the session.

Registrations come encoded by the agency (ingest/encoded.py, `python -m dashboard encode`):
the Board checks the manifest and the rows, validates them again against its reference
lists, and links the encodings without any key. A store that is not `encoded_only` also
takes raw files, encoded here with the key: the raw national_id and full_name columns
then exist only in memory and are dropped before anything is registered with DuckDB.

This module runs an import (the session, the duplicate check, the extract's plan, the batch
recorded); ingest/intake.py reads and checks the file, ingest/writers.py writes its rows.
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

import settings
from appdb import audit
from ingest import encoded, intake, mappings, readers, reference, validation, writers
from linkage import pseudonym
from store import storage

log = logging.getLogger("coverage.import")
# Kinds that only add or end rows of registrations and uptake under their own batch id, so
# the aggregates may be refreshed for the persons they touch (store/aggregates.py).
INCREMENTAL = {"registrations", "uptake"}
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
        typed, writer = intake.read_encoded(con, request, report), writers.write_encoded
    else:
        typed, writer = intake.read_raw(con, request, report, table), writers.WRITERS[request.kind]
    if typed is None:
        return _record(con, request, batch_id, "rejected", report, {})
    progress(0.4, "validated")
    plan = _extract_plan(con, request, typed)
    if plan and (reason := _ending_refusal(plan, request)):
        report.problems.append(validation.Problem(0, "", "", reason))
        stats = {"plan": plan, "confirm_end": plan["ended"]}  # what a confirmation must say
        return _record(con, request, batch_id, "rejected", report, stats)
    if (
        writer is not writers.write_encoded
        and request.key is None
        and request.kind in intake.NEEDS_KEY
    ):
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
