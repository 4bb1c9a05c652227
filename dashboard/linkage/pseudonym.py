"""Keyed pseudonyms: national IDs and linkage features become HMAC-SHA-256 hashes.

The agencies share one secret key and encode their own files (`python -m dashboard
encode`, ingest/encoding.py); the Board links the encodings and, once its store is
`encoded_only`, holds no key at all (the anonlink / clkhash model). Where a key must sit on
a machine (an agency's, or a Board that still imports raw files) it is a file outside the
checkout: `$COVERAGE_KEY_FILE`, else `~/.config/coverage-dashboard/pseudonym.key`, mode
0600; `$COVERAGE_PSEUDONYM_KEY` (64 hex digits) may carry it instead. Without the key nobody
can turn a known ID into its hash and look it up; lose it and new files can no longer be
linked to what is stored, so it is escrowed (README, "Keys"). Each batch records the key's
fingerprint, and a file under another key is refused.
"""

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import stat
import tomllib
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import settings
import sql

ENV_VAR = "COVERAGE_PSEUDONYM_KEY"
SECRET_NAME = "pseudonym_key"
# A published, non-secret key: the demo's synthetic IDs only, never real data.
DEMO_KEY = bytes.fromhex("de" * 32)
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
# Spaces, dashes of every kind, dots, slashes and zero-width characters.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._/\u200b\u200c\u200d\u2060\ufeff]+")
VALID_ID = re.compile(r"[0-9A-Z]{4,20}")
# SEPARATORS within ASCII, for Arrow's RE2 (whose whitespace class lacks VT and 0x1c-0x1f).
ASCII_SEPARATORS = r"[\t\n\x0b\x0c\r\x1c-\x1f \-._/]+"
KEY_FILE_NOTE = (
    "# The pseudonymisation key of the coverage dashboard's agencies. Anyone holding it can\n"
    "# test guessed national IDs against encoded files: keep it secret, mode 0600, and escrow\n"
    "# a copy as the README's \"Keys\" section says. Never put it in the dashboard's checkout.\n"
)


class KeyMissing(RuntimeError):
    """No usable pseudonymisation key is configured."""


def secrets_path() -> Path:
    """The Streamlit secrets file of this checkout (which must not hold the key)."""
    return settings.REPO_ROOT / ".streamlit" / "secrets.toml"


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise KeyMissing(f"the pseudonymisation key in {where} is not hexadecimal") from exc
    if len(key) < 32:
        raise KeyMissing(f"the pseudonymisation key in {where} is shorter than 64 hex digits")
    return key


def load_key(path: Path | None = None) -> bytes:
    """The pseudonymisation key: from `path`, else $COVERAGE_PSEUDONYM_KEY, else the key file.

    Raises:
        KeyMissing: when no key is found, when it is malformed, when the key file can be
            read by others than its owner, or when the key sits in the checkout's secrets.
    """
    if path is None and os.environ.get(ENV_VAR):
        return _parse(os.environ[ENV_VAR], f"${ENV_VAR}")
    path = Path(path or settings.key_path())
    if not path.exists():
        inside = secrets_path()
        if inside.exists() and SECRET_NAME in tomllib.loads(inside.read_text(encoding="utf-8")):
            raise KeyMissing(
                f"the key is in {inside}, inside the checkout beside the store: move its line "
                f"to {path} (mode 0600), then delete it from the secrets file"
            )
        raise KeyMissing(
            f"no pseudonymisation key at {path}: an agency receives its key file from the "
            "Board (`python -m dashboard key init`); give its path with --key-file or "
            "$COVERAGE_KEY_FILE"
        )
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyMissing(f"the key file {path} can be read by others: run chmod 600 {path}")
    values = tomllib.loads(path.read_text(encoding="utf-8"))
    return _parse(str(values.get(SECRET_NAME, "")), str(path))


def init_key(path: Path | None = None) -> tuple[Path, str]:
    """Create a new random key file (mode 0600), never replacing one; its path and fingerprint."""
    path = Path(path or settings.key_path())
    if path.exists():
        raise FileExistsError(f"{path} already exists; a key file is never replaced")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    text = (
        f'{KEY_FILE_NOTE}{SECRET_NAME} = "{key.hex()}"\n'
        f'fingerprint = "{fingerprint(key)}"\ncreated = "{created}"\n'
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path, fingerprint(key)


def fingerprint(key: bytes) -> str:
    """A short public fingerprint of the key: shows which key a batch used, reveals nothing."""
    return hmac.new(key, b"coverage-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA-256 of `purpose:value`, hex; the purpose keeps hashes of different fields apart."""
    return hmac.digest(key, f"{purpose}:{value}".encode(), "sha256").hex()  # one C call


def normalise_id(raw: object) -> str:
    """A national ID as written on any export: NFC, Khmer digits to ASCII, no separators.

    Returns an empty string for a missing value.
    """
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    text = unicodedata.normalize("NFC", str(raw)).translate(KHMER_DIGITS)
    return SEPARATORS.sub("", text).upper()


def is_valid_id(normalised: str) -> bool:
    """Whether a normalised ID looks like an ID (4-20 letters or digits)."""
    return bool(VALID_ID.fullmatch(normalised))


def normalise_ids(values: pd.Series) -> pd.Series:
    """normalise_id of every value (object strings), the ASCII ones vectorised in Arrow.

    For ASCII text NFC and the Khmer digits change nothing and Python's whitespace is
    ASCII_SEPARATORS' own, so Arrow's result is normalise_id's (a test checks it).
    """
    raw = pa.array(values.fillna("").astype(str).to_numpy(dtype=object), type=pa.string())
    fast = pc.ascii_upper(pc.replace_substring_regex(raw, ASCII_SEPARATORS, ""))
    out = fast.to_numpy(zero_copy_only=False).astype(object)
    for i in np.flatnonzero(~pc.string_is_ascii(raw).to_numpy(zero_copy_only=False)):
        out[i] = normalise_id(raw[i].as_py())
    return pd.Series(out, index=values.index, dtype=object)


def valid_ids(normalised: pd.Series) -> pd.Series:
    """is_valid_id of every normalised ID, vectorised."""
    raw = pa.array(normalised.to_numpy(dtype=object), type=pa.string())
    valid = pc.match_substring_regex(raw, f"^{VALID_ID.pattern}$").to_numpy(zero_copy_only=False)
    return pd.Series(valid, index=normalised.index, dtype=bool)


def _pads(key: bytes) -> dict[str, bytes]:
    """HMAC's inner and outer pads of the key (RFC 2104), for the SQL that spells it out."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()  # as HMAC does
    block = block.ljust(64, b"\0")
    return {
        "inner_pad": bytes(b ^ 0x36 for b in block),
        "outer_pad": bytes(b ^ 0x5C for b in block),
    }


def hash_ids(key: bytes, normalised: list[str]) -> list[str | None]:
    """Keyed hashes of normalised IDs (keyed_hash's, purpose "nid"); None where it is empty.

    DuckDB computes them in parallel, in an in-memory database of its own (the raw IDs
    never meet a store): twice as fast as one hmac.digest per ID.
    """
    with duckdb.connect(":memory:") as con:
        con.register("ids", pa.table({"id": pa.array(normalised, type=pa.string())}))
        params = _pads(key) | {"purpose": "nid"}
        hashes = con.sql(sql.load_query("imports/id_hashes"), params=params).to_arrow_table()
    return hashes.column("id_hash").to_pylist()


def variant_subkey(key: bytes, purpose: str) -> bytes:
    """The secret prefix of a purpose's variant hashes: HMAC-SHA-256 of `purpose:prefix`.

    A variant's hash is SHA-256(subkey || variant) cut short: one compression per variant
    instead of HMAC's four. Cut to a few hex digits, the hash leaves nothing to extend
    (the length-extension attack needs the whole digest), and without the key neither the
    subkey nor any hash can be computed.
    """
    return hmac.digest(key, f"{purpose}:prefix".encode(), "sha256")


def variant_hash(subkey: bytes, variant: str, digits: int) -> str:
    """One variant's hash under a purpose's subkey (as imports/id_variant_hashes computes)."""
    return hashlib.sha256(subkey + variant.encode()).hexdigest()[:digits]


def hash_id_variants(
    key: bytes, normalised: list[str], purpose: str, digits: int
) -> list[str | None]:
    """The ID variants of normalised IDs (features.Encoder.id_variants'); None where empty.

    Each distinct one-deletion variant's variant_hash, sorted and joined. Nine or so per
    ID: DuckDB computes them in parallel, in an in-memory database of its own.
    """
    ids = pa.table(
        {
            "id": pa.array(normalised, type=pa.string()),
            "position": pa.array(np.arange(len(normalised), dtype=np.int64)),
        }
    )
    params = {"subkey": variant_subkey(key, purpose), "digits": digits}
    with duckdb.connect(":memory:") as con:
        con.register("ids", ids)
        hashes = con.sql(sql.load_query("imports/id_variant_hashes"), params=params)
        return hashes.to_arrow_table().column("id_variants").to_pylist()
