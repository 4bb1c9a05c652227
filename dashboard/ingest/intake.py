"""An import's file read and checked: raw (mapped, validated, the key found) or encoded.

Each function takes the import's `importer.Request` and its `validation.Report`, and gives
typed rows, or None with the report's problems filled in; nothing is written here.
"""

import concurrent.futures
from pathlib import Path

import pandas as pd

from appdb import audit
from ingest import encoded, mapping_apply, mappings, readers, rules, validation
from linkage import features, pseudonym
from store import storage

NEEDS_KEY = {"registrations"}  # raw files of these kinds are encoded with the key
REFER_TO_RECORDS = {"uptake"}  # rows must name a current record of their source

RAW_REFUSED = (
    "this store takes registrations only as encoded files, so that no name or ID number "
    "reaches the Board: the agency runs `python -m dashboard encode FILE --source {source} "
    "--out FILE.encoded.parquet` with its key file, and the Board imports that file"
)


def read_raw(con, request, report: validation.Report, table) -> pd.DataFrame | None:
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


def _record_key_use(request) -> None:
    """Audit the Board's use of its key file: a raw file encoded here (README, "Keys")."""
    detail = {"purpose": "import", "fingerprint": pseudonym.fingerprint(request.key),
              "source": request.source, "file": Path(request.file_name).name,
              "dry_run": request.dry_run}  # fmt: skip
    audit.record(request.user, "key_use", detail, as_account=request.as_account)


def validated(
    con,
    request,
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


def _mapped(con, request, raw: pd.DataFrame, report: validation.Report):
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


def _capacity_problems(con, request, typed: pd.DataFrame) -> list[validation.Problem]:
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


def read_encoded(con, request, report: validation.Report) -> pd.DataFrame | None:
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
