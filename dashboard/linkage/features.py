"""Privacy-preserving linkage features: what is kept of a name and a birth date.

Names arrive in Khmer script or romanised, in either order, with transliteration
variants ("Sophea", "Sopha", "សុភា"). Each token is brought to one approximate phonetic
key: Khmer script is transliterated to Latin letters, then aspiration marks and
voicing are dropped and vowel runs reduced to three classes, so that the variants of one
name share most of their letter pairs. The key never leaves memory; what is kept is:

- `name_clk`: a cryptographic long-term key (CLK, Schnell et al. 2009, as in clkhash): a
  512-bit Bloom filter of the keys' letter pairs, each pair setting 10 bits chosen by
  HMAC-SHA-256 with the pseudonymisation key. Its Dice coefficient approximates the
  names' similarity; without the key it cannot be rebuilt by a dictionary attack.
- `token_min_hash`, `token_max_hash`: keyed hashes of the alphabetically first and last
  token key (order-free), for blocking.
- `birth_hash`, `birth_swap_hash`: keyed hashes of the birth date and of the same date
  with day and month swapped (a common data-entry slip); the birth year is kept plain.
"""

import functools
import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage import pseudonym

CLK_BITS = 512
CLK_K = 10
# Khmer consonants (U+1780-U+17A2) to Latin; the register (series) is dropped.
CONSONANT_LATIN = (
    "k kh k kh ng ch chh ch chh nh d th d th n t th t th n b ph p ph m y r l v s s s h l _"
)
CONSONANTS = dict(zip("កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអ", CONSONANT_LATIN.split(), strict=True))
VOWEL_LATIN = (
    "a i ei oe eu o ou uo aeu oea ie e ae ai ao ov m h a e ei o ov rue rue lue lue e ai ao ao au"
)
VOWELS = dict(zip("ាិីឹឺុូួើឿៀេែៃោៅំះៈឥឦឧឪឫឬឭឮឯឰឱឲឳ", VOWEL_LATIN.split(), strict=True))
COENG = "\u17d2"
KHMER = re.compile(r"[\u1780-\u17ff]")
NOT_LETTER = re.compile(r"[^a-z ]+")
DIGRAPHS = [("chh", "c"), ("ch", "c"), ("kh", "k"), ("ph", "p"), ("th", "t"), ("nh", "n")]
LETTERS = str.maketrans("bdgjqvxzfy", "ptkcuwssp_")
VOWEL_RUN = re.compile(r"[aeiou_]+")


def transliterate(text: str) -> str:
    """Khmer script to Latin letters (approximate, for linkage keys only)."""
    out, chars = [], list(text)
    for i, char in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if char in CONSONANTS:
            after_coeng = i > 0 and chars[i - 1] == COENG
            if after_coeng and char == "រ" and nxt in ("", " "):
                continue  # a final subscript ro is silent: ពេជ្រ is "Pich"
            out.append(CONSONANTS[char].replace("_", ""))
            # an inherent vowel between two consonants, as romanisations write it
            if nxt in CONSONANTS and not after_coeng:
                out.append("a")
        elif char in VOWELS:
            out.append(VOWELS[char])
        elif char == " " or not KHMER.match(char):
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=200_000)
def _token_key(token: str) -> str:
    for old, new in DIGRAPHS:
        token = token.replace(old, new)
    first, rest = token[:1], token[1:].replace("y", "i")
    token = (first + rest).translate(LETTERS).replace("h", "")

    def vowel_class(match: re.Match) -> str:
        run = match.group(0)
        return "a" if "a" in run else "u" if ("o" in run or "u" in run) else "i"

    token = VOWEL_RUN.sub(vowel_class, token)
    return re.sub(r"(.)\1+", r"\1", token)


@functools.lru_cache(maxsize=200_000)
def name_keys(name: str) -> tuple[str, ...]:
    """Phonetic keys of a name's tokens, sorted (so the order of names does not matter)."""
    text = unicodedata.normalize("NFC", name)
    if KHMER.search(text):
        text = transliterate(text)
    text = text.lower()
    if not text.isascii():  # strip accents: é to e
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = NOT_LETTER.sub(" ", text)
    keys = [_token_key(token) for token in text.split()]
    return tuple(sorted(k for k in keys if k))


def bigrams(keys: tuple[str, ...]) -> set[str]:
    """Letter pairs of each padded token key."""
    return {f"_{k}_"[i : i + 2] for k in keys for i in range(len(k) + 1)}


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

    def hashed(self, purpose: str, value: str | None) -> str | None:
        """Keyed hash of a value (cached), None for an empty one; 32 hex digits suffice."""
        if not value:
            return None
        cache_key = f"{purpose}:{value}"
        if cache_key not in self._hashes:
            self._hashes[cache_key] = pseudonym.keyed_hash(self.key, purpose, value)[:32]
        return self._hashes[cache_key]


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


def _birth_features(enc: Encoder, birth: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of each birth date and of its day-month swap, worked out once per distinct date."""
    codes, uniques = pd.factorize(birth, use_na_sentinel=False)
    dates = pd.Series(uniques)
    iso = dates.dt.strftime("%Y-%m-%d").fillna("")
    swap = _swapped(dates).dt.strftime("%Y-%m-%d").fillna("")
    iso_hash = np.array([enc.hashed("dob", d) for d in iso], dtype=object)
    swap_hash = np.array([enc.hashed("dob", d) for d in swap], dtype=object)
    return iso_hash[codes], swap_hash[codes]


def encode(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The kept features of each row of a validated registrations frame.

    Equal to `encode_reference` for every input, but works per distinct name piece and
    date: names are many, the tokens they are made of and the birth dates far fewer.

    Args:
        frame: with columns full_name (text or missing), birth_date (datetime or NaT).
        key: the pseudonymisation key.
    """
    enc = Encoder(key)
    clk, first, last = _name_features(enc, frame["full_name"].fillna("").astype(str))
    birth_hash, swap_hash = _birth_features(enc, pd.to_datetime(frame["birth_date"]))
    return pd.DataFrame(
        {
            "name_clk": clk,
            "token_min_hash": first,
            "token_max_hash": last,
            "birth_hash": birth_hash,
            "birth_swap_hash": swap_hash,
        },
        index=frame.index,
    )


def encode_reference(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The features as defined, name by name: `encode` must give exactly this (tests check it).

    Args:
        frame: with columns full_name (text or missing), birth_date (datetime or NaT).
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
        },
        index=frame.index,
    )


def dice(a: bytes | None, b: bytes | None) -> float:
    """Dice coefficient of two Bloom filters (for tests and diagnostics)."""
    if not a or not b:
        return np.nan
    x, y = int.from_bytes(a), int.from_bytes(b)
    return 2 * (x & y).bit_count() / (x.bit_count() + y.bit_count())
