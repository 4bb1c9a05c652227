"""`encode`, run at the agency: its registrations file becomes an encoded file for the Board.

The file is read, mapped and validated exactly as the Board's import would (the same
readers, saved mapping and rules, against the committed reference lists), so the agency
sees its own report with its own row numbers before anything leaves. Its identities are
then encoded with the agency's copy of the shared key (writers.encode_records), and the
rows are written with their manifest (ingest/encoded.py). Nothing but the key file and
the Python dependencies is needed: no store, no browser.
"""

import dataclasses
import datetime as dt
from pathlib import Path

from ingest import encoded, importer, intake, mappings, reference, validation, writers
from linkage import pseudonym
from store import storage


@dataclasses.dataclass
class Result:
    """What `encode` did: the report, and the encoded bytes and manifest when valid."""

    report: validation.Report
    content: bytes | None = None
    manifest: dict | None = None


def encode(
    data: bytes,
    file_name: str,
    source: str,
    key: bytes,
    today: dt.date | None = None,
    mapping_text: str | None = None,
    extract_date: dt.date | None = None,
) -> Result:
    """Validate a raw registrations file and encode it; nothing is encoded if any row fails.

    The file goes through its source's mapping as an import's would (`extract_date` for a
    mapping that sets registered_on to it); the report keeps the mapping's notices.
    """
    request = importer.Request(
        data=data, file_name=file_name, kind="registrations", source=source, key=key,
        today=today or dt.date.today(), mapping_text=mapping_text, extract_date=extract_date,
    )  # fmt: skip
    if mapping_text is None:  # the committed mapping: an agency machine has no app database
        mapping_text = mappings.file_text(source)
    request.mapping_text = mapping_text
    report = validation.Report(Path(file_name).name, "registrations")
    with storage.scratch() as con:
        reference.load_catalogues(con)
        typed = intake.validated(con, request, report)
    if typed is None:
        return Result(report)
    records = writers.encode_records(typed, key)
    del typed  # the names and ID numbers go no further
    content, manifest = encoded.write(encoded.to_table(records), source, pseudonym.fingerprint(key))
    return Result(report, content, manifest)


def encode_file(
    path: Path,
    source: str,
    out: Path,
    key: bytes,
    today: dt.date | None = None,
    extract_date: dt.date | None = None,
) -> Result:
    """`encode` a file on disk and write the encoded file to `out` (only when valid)."""
    result = encode(path.read_bytes(), path.name, source, key, today, extract_date=extract_date)
    if result.content is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(result.content)
        tmp.replace(out)
    return result
