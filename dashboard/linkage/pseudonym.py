"""Keyed pseudonyms: national IDs and linkage features become HMAC-SHA-256 hashes.

The key lives outside the store and outside git: `.streamlit/secrets.toml`
(`pseudonym_key = "<64 hex digits>"`) or the environment variable
`COVERAGE_PSEUDONYM_KEY`. Without the key nobody can turn a known ID into its hash and
look it up; lose the key and new imports can no longer be linked to what is stored, so
it must be backed up and escrowed (README, "Registry synchronisation"). Each import
batch records the key's fingerprint, and an import under another key is refused.
"""

import hashlib
import hmac
import os
import re
import secrets
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


class KeyMissing(RuntimeError):
    """No pseudonymisation key is configured."""


def secrets_path() -> Path:
    """The Streamlit secrets file of this checkout."""
    return settings.REPO_ROOT / ".streamlit" / "secrets.toml"


def load_key() -> bytes:
    """The pseudonymisation key from the environment or the secrets file.

    Raises:
        KeyMissing: when neither holds a key of at least 32 bytes (64 hex digits).
    """
    text = os.environ.get(ENV_VAR, "")
    path = secrets_path()
    if not text and path.exists():
        text = str(tomllib.loads(path.read_text(encoding="utf-8")).get(SECRET_NAME, ""))
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise KeyMissing("the pseudonymisation key is not hexadecimal") from exc
    if len(key) < 32:
        raise KeyMissing(
            "no pseudonymisation key: run `python -m dashboard key init` once (and back the "
            f"key up), or set ${ENV_VAR}"
        )
    return key


def init_key() -> Path:
    """Create a new random key in .streamlit/secrets.toml; refuse if one exists there."""
    path = secrets_path()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECRET_NAME in tomllib.loads(current):
        raise FileExistsError(f"{path} already holds a {SECRET_NAME}; it is never replaced")
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f'{SECRET_NAME} = "{secrets.token_hex(32)}"\n'
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(("\n" if current and not current.endswith("\n") else "") + line)
    path.chmod(0o600)
    return path


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


def hash_ids(key: bytes, normalised: list[str]) -> list[str | None]:
    """Keyed hashes of normalised IDs (keyed_hash's, purpose "nid"); None where it is empty.

    DuckDB computes them in parallel, in an in-memory database of its own (the raw IDs
    never meet a store): twice as fast as one hmac.digest per ID.
    """
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()  # as HMAC does
    block = block.ljust(64, b"\0")
    pads = {
        "inner_pad": bytes(b ^ 0x36 for b in block),
        "outer_pad": bytes(b ^ 0x5C for b in block),
        "purpose": "nid",
    }
    with duckdb.connect(":memory:") as con:
        con.register("ids", pa.table({"id": pa.array(normalised, type=pa.string())}))
        hashes = con.sql(sql.load_query("imports/id_hashes"), params=pads).to_arrow_table()
    return hashes.column("id_hash").to_pylist()
