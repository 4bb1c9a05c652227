"""The encoded registrations file: what an agency sends the Board instead of names and IDs.

`python -m dashboard encode` (ingest/encoding.py) writes it at the agency; the Board's
import reads it (ingest/importer.py). It is a Parquet file of one row per registration:

- the validated registration in canonical text (`TEXT_COLUMNS`: record_id, sex, birth
  year, geography codes, occupation, registration date, poverty level, disability);
- the identity as the agency's key encodes it (`HASH_COLUMNS`, `CLK_COLUMN`): the keyed ID
  hash and the hashes of the ID's variants, the name's CLK and token hashes, the keyed
  birth-date hashes and the hashes of the date's variants (linkage/features.py). No name,
  no ID number and no birth date: only the year.

Its footer carries a manifest (`MANIFEST_KEY`): source, row count, schema and encoder
version, the key's fingerprint and the SHA-256 of the rows (`content_hash`), so that the
Board can refuse a file encoded under another key, by another encoder, or altered since.
"""

import datetime as dt
import hashlib
import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from linkage import features

MANIFEST_KEY = b"coverage_dashboard.encoded_manifest"
FORMAT = "coverage-dashboard encoded registrations"
SCHEMA_VERSION = 2
# What makes two encodings comparable: the CLK's size and bits per pair, the hash purposes,
# the variants of birth dates and IDs.
ENCODER_VERSION = (
    f"2: CLK {features.CLK_BITS} bits, {features.CLK_K} per pair; HMAC-SHA-256; "
    f"date and ID variants of {features.VARIANT_DIGITS} hex digits"
)
TEXT_COLUMNS = (
    "record_id", "sex", "birth_year", "province_code", "district_code", "commune_code",
    "occupation", "registered_on", "poverty_level", "disability",
)  # fmt: skip
_VARIANT = f"[0-9a-f]{{{features.VARIANT_DIGITS}}}"
HASH_COLUMNS = {  # the form of each column of keyed hashes (hex digits): a pattern, in words
    "id_hash": ("[0-9a-f]{64}", "64 hexadecimal digits"),
    "token_min_hash": ("[0-9a-f]{32}", "32 hexadecimal digits"),
    "token_max_hash": ("[0-9a-f]{32}", "32 hexadecimal digits"),
    "birth_hash": ("[0-9a-f]{32}", "32 hexadecimal digits"),
    "birth_swap_hash": ("[0-9a-f]{32}", "32 hexadecimal digits"),
    "birth_variants": (
        f"(?:{_VARIANT}){{{features.BIRTH_VARIANTS}}}",
        f"{features.BIRTH_VARIANTS * features.VARIANT_DIGITS} hexadecimal digits",
    ),
    "id_variants": (
        f"(?:{_VARIANT}){{1,20}}",
        f"1 to 20 hashes of {features.VARIANT_DIGITS} hexadecimal digits",
    ),
}
CLK_COLUMN = "name_clk"
COLUMNS = (*TEXT_COLUMNS, *HASH_COLUMNS, CLK_COLUMN)
SCHEMA = pa.schema(
    [(c, pa.string()) for c in (*TEXT_COLUMNS, *HASH_COLUMNS)] + [(CLK_COLUMN, pa.binary())]
)
MANIFEST_FIELDS = (
    "format", "schema_version", "encoder_version", "source", "rows", "key_fingerprint",
    "content_sha256",
)  # fmt: skip


class Invalid(ValueError):
    """The file is not an encoded file this Board can take; the message says why."""


def _text(values: pd.Series) -> pa.Array:
    """A column as Arrow text, missing values null (numbers and dates in their ISO form)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pc.strftime(pa.array(values, from_pandas=True), format="%Y-%m-%d")
    array = pa.array(values, from_pandas=True)
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, "true", "false")
    if pa.types.is_null(array.type):
        return pa.nulls(len(values), pa.string())
    return array.cast(pa.string())


def to_table(records: pd.DataFrame) -> pa.Table:
    """The encoded rows of validated, encoded registration records (writers.encode_records)."""
    columns = {c: _text(records[c]) for c in (*TEXT_COLUMNS, *HASH_COLUMNS)}
    disability = records["disability"]
    if disability.dtype == object:  # True, False and None: Arrow reads them as booleans
        columns["disability"] = _text(disability.astype("boolean"))
    columns[CLK_COLUMN] = pa.array(records[CLK_COLUMN], type=pa.binary(), from_pandas=True)
    return pa.table(columns, schema=SCHEMA)


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the rows: each column's name, nulls and bytes, in the schema's order.

    Computed from the values, not the file's bytes, so that a re-encoding of the same file
    has the same hash (and is recognised as a duplicate) and Parquet's layout does not count.
    """
    digest = hashlib.sha256()
    for name in SCHEMA.names:
        column = table.column(name).combine_chunks()
        valid = pc.is_valid(column).to_numpy(zero_copy_only=False).astype(np.uint8)
        filled = pc.fill_null(column.cast(pa.large_binary()), b"")
        if isinstance(filled, pa.ChunkedArray):
            filled = filled.combine_chunks()
        start, stop = filled.offset, filled.offset + len(filled) + 1
        offsets = np.frombuffer(filled.buffers()[1], dtype=np.int64)[start:stop]
        data = filled.buffers()[2]
        digest.update(name.encode() + b"\0")
        digest.update(valid.tobytes())
        digest.update((offsets - offsets[0]).tobytes())
        if data is not None:
            digest.update(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
    return digest.hexdigest()


def write(table: pa.Table, source: str, key_fingerprint: str) -> tuple[bytes, dict]:
    """The file's bytes with its manifest, and the manifest."""
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "encoder_version": ENCODER_VERSION,
        "source": source,
        "rows": table.num_rows,
        "key_fingerprint": key_fingerprint,
        "content_sha256": content_hash(table),
        "columns": list(SCHEMA.names),
        "encoded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    meta = {MANIFEST_KEY: json.dumps(manifest, ensure_ascii=False).encode()}
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buffer, compression="zstd")
    return buffer.getvalue(), manifest


def is_encoded(data: bytes) -> bool:
    """Whether the bytes are a Parquet file that carries an encoded file's manifest."""
    if data[:4] != b"PAR1":
        return False
    try:
        metadata = pq.read_metadata(io.BytesIO(data)).metadata or {}
    except (pa.ArrowException, OSError):
        return False
    return MANIFEST_KEY in metadata


def manifest(data: bytes) -> dict:
    """The manifest of an encoded file, checked for its fields and versions.

    Raises:
        Invalid: a missing or unreadable manifest, a missing field, another format or a
            schema or encoder version this Board does not read.
    """
    try:
        metadata = pq.read_metadata(io.BytesIO(data)).metadata or {}
        found = json.loads(metadata[MANIFEST_KEY])
    except (pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise Invalid("the encoded file's manifest is missing or unreadable") from exc
    missing = [f for f in MANIFEST_FIELDS if f not in found]
    if missing:
        raise Invalid(f"the encoded file's manifest lacks {', '.join(missing)}")
    if found["format"] != FORMAT or found["schema_version"] != SCHEMA_VERSION:
        raise Invalid(
            f"the file is {found['format']!r} version {found['schema_version']}; this Board "
            f"reads {FORMAT!r} version {SCHEMA_VERSION}: encode the file again with this release"
        )
    if found["encoder_version"] != ENCODER_VERSION:
        raise Invalid(
            f"the file was encoded by encoder {found['encoder_version']!r}, whose encodings "
            f"cannot be compared with this Board's ({ENCODER_VERSION!r}): encode it again"
        )
    return found


def read(data: bytes, expected: dict) -> pd.DataFrame:
    """The rows of an encoded file whose manifest is `expected`, checked against it.

    Returns:
        One column per COLUMNS entry: text (object, None where missing) and the CLK (bytes).

    Raises:
        Invalid: other columns than the schema's, another row count or content hash.
    """
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise Invalid(f"the encoded file cannot be read: {type(exc).__name__}") from exc
    if table.schema.remove_metadata() != SCHEMA:
        raise Invalid(f"the encoded file's columns are not {', '.join(SCHEMA.names)} as typed")
    if table.num_rows != expected["rows"]:
        raise Invalid(
            f"the manifest announces {expected['rows']} rows, the file holds {table.num_rows}"
        )
    if content_hash(table) != expected["content_sha256"]:
        raise Invalid("the rows do not match the manifest's content hash: the file was altered")
    columns = {c: table.column(c).to_numpy(zero_copy_only=False) for c in COLUMNS}
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
