"""Privacy-preserving linkage features: what is kept of a name, a birth date and an ID.

Each name token is brought to one approximate phonetic key (linkage/names.py: Khmer
script and romanised spellings alike). The keys never leave memory; what is kept is:

- `name_clk`: a cryptographic long-term key (CLK, Schnell et al. 2009, as in clkhash): a
  512-bit Bloom filter of the keys' letter pairs, each pair setting 10 bits chosen by
  HMAC-SHA-256 with the pseudonymisation key. Its Dice coefficient approximates the
  names' similarity; without the key it cannot be rebuilt by a dictionary attack.
- `token_min_hash`, `token_max_hash`: keyed hashes of the alphabetically first and last
  token key (order-free), for blocking.
- `birth_hash`, `birth_swap_hash`: keyed hashes of the birth date and of the same date
  with day and month swapped (a common data-entry slip); the birth year is kept plain.
- `birth_variants`: eight keyed hashes of 32 bits (8 hex digits each, in this order) that
  let two dates be compared for nearness without either being kept: the date (YYYYMMDD)
  with its third to eighth digit masked in turn (two dates one digit apart share the
  variant of that digit; the first two digits cannot change by one and stay a valid
  date), then its year and month, then its month and day.
- `id_variants`: keyed hashes of 32 bits of the national ID's distinct one-deletion
  variants (the ID with one character left out; pseudonym.variant_hash), sorted (so their
  order tells nothing):
  two IDs one digit apart, or with two adjacent digits swapped, share one. A hash
  reveals neither the ID nor the variant; their number is the ID's length, less its
  runs of a repeated character.
"""

import concurrent.futures
import hashlib
import hmac

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage import pseudonym
from linkage.names import bigrams, name_keys

CLK_BITS = 512
CLK_K = 10
# Variant hashes are short: they are only ever compared within a candidate pair.
VARIANT_DIGITS = 8
DATE_DIGITS = range(2, 8)  # the digits of YYYYMMDD masked in turn
BIRTH_VARIANTS = len(DATE_DIGITS) + 2  # and the year-month, the month-day
ID_VARIANT = "nidv"  # the purpose of the ID variants' hashes


class Encoder:
    """Computes the kept features with one key; caches per distinct value for speed."""

    def __init__(self, key: bytes):
        """Bind the pseudonymisation key."""
        self.key = key
        self._bits: dict[str, int] = {}
        self._hashes: dict[str, str] = {}

    def _pair_bits(self, pair: str) -> int:
        if pair not in self._bits:
            digest = hmac.new(self.key, f"clk:{pair}".encode(), hashlib.sha256).digest()
            positions = {int.from_bytes(digest[2 * j : 2 * j + 2]) % CLK_BITS for j in range(CLK_K)}
            self._bits[pair] = sum(1 << p for p in positions)
        return self._bits[pair]

    def clk(self, name: str) -> bytes | None:
        """The name's 512-bit Bloom filter, or None for an empty name."""
        pairs = bigrams(name_keys(name))
        if not pairs:
            return None
        value = 0
        for pair in pairs:
            value |= self._pair_bits(pair)
        return value.to_bytes(CLK_BITS // 8)

    def hashed(self, purpose: str, value: str | None, digits: int = 32) -> str | None:
        """Keyed hash of a value (cached), None for an empty one; 32 hex digits suffice.

        A purpose always comes with the same number of digits (the cache holds one).
        """
        if not value:
            return None
        cache_key = f"{purpose}:{value}"
        if cache_key not in self._hashes:
            self._hashes[cache_key] = pseudonym.keyed_hash(self.key, purpose, value)[:digits]
        return self._hashes[cache_key]

    def birth_variants(self, iso: str) -> str | None:
        """The `birth_variants` of an ISO date ('' or None: missing)."""
        if not iso:
            return None
        digits = iso.replace("-", "")
        parts = [digits[:i] + "_" + digits[i + 1 :] for i in DATE_DIGITS]
        parts += [f"ym:{iso[:7]}", f"md:{iso[5:]}"]
        return "".join(self.hashed("dobv", part, VARIANT_DIGITS) for part in parts)

    def id_variants(self, normalised: str | None) -> str | None:
        """The `id_variants` of a normalised national ID ('' or None: missing)."""
        if not normalised:
            return None
        variants = {normalised[:i] + normalised[i + 1 :] for i in range(len(normalised))}
        subkey = pseudonym.variant_subkey(self.key, ID_VARIANT)
        return "".join(sorted(pseudonym.variant_hash(subkey, v, VARIANT_DIGITS) for v in variants))


def _swapped(dates: pd.Series) -> pd.Series:
    """The dates with day and month exchanged, where that is a valid other date."""
    text = dates.dt.strftime("%Y-%d-%m")
    swapped = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return swapped.where(swapped != dates)


def _per_unique(values: pd.Series, func) -> np.ndarray:
    """Apply `func` once per distinct value (names and dates repeat a lot), spread back."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [func(u) for u in np.asarray(uniques, dtype=object)]  # not Arrow's slow iter
    return results[codes]


def _arrow_text(names: pd.Series) -> pa.Array:
    """The names as one Arrow string array (parent indices of a chunked one restart per chunk)."""
    text = pa.array(names)
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _pieces(names: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Cut the names at plain spaces into pieces whose keys together are the name's keys.

    A plain space ends a token at every step of `name_keys` (no normalisation composes
    with it, and it is the end of a word for a final subscript ro), so a name's keys are
    the union of its pieces' keys. Other whitespace stays inside a piece: before a tab a
    final ro is kept. An ASCII name is first lower-cased and its non-letters turned into
    spaces, as `name_keys` does, so that its pieces are the keys' letters only.

    Returns:
        The row of each non-empty piece, its code, and the distinct pieces.
    """
    text = _arrow_text(names)
    cleaned = pc.replace_substring_regex(pc.ascii_lower(text), r"[^a-z]+", " ")
    split = pc.split_pattern(pc.if_else(pc.string_is_ascii(text), cleaned, text), " ")
    flat, rows = pc.list_flatten(split), pc.list_parent_indices(split)
    kept = pc.not_equal(flat, "")
    coded = pc.dictionary_encode(flat.filter(kept))
    return (
        rows.filter(kept).to_numpy(),
        coded.indices.to_numpy(),
        coded.dictionary.to_pylist(),
    )


def _name_features(enc: Encoder, names: pd.Series) -> tuple[np.ndarray, list, list]:
    """CLK and first and last token hashes of each name, worked out once per distinct piece.

    A name's letter pairs are the union of its pieces' pairs, so its CLK is the bitwise OR
    of theirs; its first and last keys are the least and greatest of its pieces' keys.
    """
    rows, codes, pieces = _pieces(names)
    keys = [name_keys(piece) for piece in pieces]
    keyed = np.array([bool(k) for k in keys], dtype=bool)[codes]
    rows, codes = rows[keyed], codes[keyed]
    clk, first, last = (np.full(len(names), None, dtype=object) for _ in range(3))
    if len(rows):
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # each name's pieces
        named = rows[starts]
        clk[named] = _or_per_name(enc, pieces, codes, starts)
        first[named], last[named] = _first_and_last(enc, keys, codes, starts)
    return clk, first.tolist(), last.tolist()  # lists, as encode_reference: the same dtypes


def _first_and_last(enc: Encoder, keys: list[tuple], codes: np.ndarray, starts: np.ndarray):
    """Hashes of each name's least and greatest key (its run of piece `codes` from `starts`)."""
    ordered = sorted({k for piece_keys in keys for k in piece_keys})
    rank = {k: i for i, k in enumerate(ordered)}
    hashes = np.array([enc.hashed("tok", k) for k in ordered], dtype=object)
    low = np.array([rank[k[0]] if k else 0 for k in keys])[codes]
    high = np.array([rank[k[-1]] if k else 0 for k in keys])[codes]
    return hashes[np.minimum.reduceat(low, starts)], hashes[np.maximum.reduceat(high, starts)]


def _or_per_name(enc: Encoder, pieces: list[str], codes: np.ndarray, starts: np.ndarray) -> list:
    """The bitwise OR of each name's piece CLKs (its run of `codes` from `starts`), as bytes."""
    width = CLK_BITS // 8
    patterns = np.zeros((len(pieces), width), dtype=np.uint8)
    for i, piece in enumerate(pieces):
        if (value := enc.clk(piece)) is not None:
            patterns[i] = np.frombuffer(value, dtype=np.uint8)
    # OR is bytewise, so 64-bit words keep the big-endian layout; one row per word position
    # makes each reduction run over contiguous memory (three times faster than by pattern).
    words = np.ascontiguousarray(patterns.view(np.uint64).T)
    combined = np.bitwise_or.reduceat(words[:, codes], starts, axis=1)
    return np.ascontiguousarray(combined.T).view(f"V{width}").ravel().tolist()


def _birth_features(enc: Encoder, birth: pd.Series) -> list[np.ndarray]:
    """Hashes of each birth date, of its day-month swap, and its variants, once per date."""
    codes, uniques = pd.factorize(birth, use_na_sentinel=False)
    dates = pd.Series(uniques)
    iso = dates.dt.strftime("%Y-%m-%d").fillna("")
    swap = _swapped(dates).dt.strftime("%Y-%m-%d").fillna("")
    iso_hash = np.array([enc.hashed("dob", d) for d in iso], dtype=object)
    swap_hash = np.array([enc.hashed("dob", d) for d in swap], dtype=object)
    variants = np.array([enc.birth_variants(d) for d in iso], dtype=object)
    return [iso_hash[codes], swap_hash[codes], variants[codes]]


def _id_features(key: bytes, ids: pd.Series) -> np.ndarray:
    """The `id_variants` of each normalised ID, worked out once per distinct ID in DuckDB."""
    codes, uniques = pd.factorize(ids.fillna("").astype(str), use_na_sentinel=False)
    hashes = pseudonym.hash_id_variants(key, list(uniques), ID_VARIANT, VARIANT_DIGITS)
    return np.array(hashes, dtype=object)[codes]


def _ids(frame: pd.DataFrame) -> pd.Series:
    """The frame's normalised national IDs, or none when it has no such column."""
    if "national_id" in frame:
        return frame["national_id"]
    return pd.Series(None, index=frame.index, dtype=object)


def encode(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The kept features of each row of a validated registrations frame.

    Equal to `encode_reference` for every input, but works per distinct name piece and
    date: names are many, the tokens they are made of and the birth dates far fewer.

    Args:
        frame: with columns full_name (text or missing), birth_date (datetime or NaT), and
            optionally national_id (normalised, pseudonym.normalise_ids; '' or missing).
        key: the pseudonymisation key.
    """
    enc = Encoder(key)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # DuckDB hashes without the GIL
        ids = pool.submit(_id_features, key, _ids(frame))
        clk, first, last = _name_features(enc, frame["full_name"].fillna("").astype(str))
        birth_hash, swap_hash, variants = _birth_features(enc, pd.to_datetime(frame["birth_date"]))
        id_variants = ids.result()
    return pd.DataFrame(
        {
            "name_clk": clk,
            "token_min_hash": first,
            "token_max_hash": last,
            "birth_hash": birth_hash,
            "birth_swap_hash": swap_hash,
            "birth_variants": variants,
            "id_variants": id_variants,
        },
        index=frame.index,
    )


def encode_reference(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The features as defined, name by name: `encode` must give exactly this (tests check it).

    Args:
        frame: with columns full_name (text or missing), birth_date (datetime or NaT), and
            optionally national_id (normalised; '' or missing).
        key: the pseudonymisation key.
    """
    enc = Encoder(key)
    names = frame["full_name"].fillna("").astype(str)
    birth = pd.to_datetime(frame["birth_date"])
    iso = birth.dt.strftime("%Y-%m-%d").fillna("")
    swap = _swapped(birth).dt.strftime("%Y-%m-%d").fillna("")

    def tokens(name: str) -> tuple[str | None, str | None]:
        keys = name_keys(name)
        return (enc.hashed("tok", keys[0]), enc.hashed("tok", keys[-1])) if keys else (None, None)

    token_pairs = _per_unique(names, tokens)
    return pd.DataFrame(
        {
            "name_clk": _per_unique(names, enc.clk),
            "token_min_hash": [t[0] for t in token_pairs],
            "token_max_hash": [t[1] for t in token_pairs],
            "birth_hash": _per_unique(iso, lambda d: enc.hashed("dob", d)),
            "birth_swap_hash": _per_unique(swap, lambda d: enc.hashed("dob", d)),
            "birth_variants": _per_unique(iso, enc.birth_variants),
            "id_variants": _per_unique(_ids(frame).fillna("").astype(str), enc.id_variants),
        },
        index=frame.index,
    )


def ids_near(a: str | None, b: str | None) -> bool:
    """Whether two IDs' `id_variants` share a variant: one digit apart, or two swapped."""
    if not a or not b:
        return False
    step = VARIANT_DIGITS
    return not {a[i : i + step] for i in range(0, len(a), step)}.isdisjoint(
        b[i : i + step] for i in range(0, len(b), step)
    )


def dice(a: bytes | None, b: bytes | None) -> float:
    """Dice coefficient of two Bloom filters (for tests and diagnostics)."""
    if not a or not b:
        return np.nan
    x, y = int.from_bytes(a), int.from_bytes(b)
    return 2 * (x & y).bit_count() / (x.bit_count() + y.bit_count())
