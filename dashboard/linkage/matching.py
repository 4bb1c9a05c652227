"""Gives each incoming registration a person_key: the same person across registries is one.

In order: (1) a record_id this source sent before keeps its person; (2) a keyed ID hash
already stored gives its person; (3) the rest, with or without an ID, are matched with
Splink (DuckDB backend, on a private in-memory database) against the kept linkage
features of every other source's current records that meet a blocking rule with one of
them (blocking.RULES; fetched by blocking.candidates); a match needs a probability of at
least THRESHOLD, and a record with an ID is never matched to a person known by another
ID, unless the two IDs are one typo apart with the same birth date and names alike (link
method `id_typo`, _checked_ids); (4) what is still unmatched becomes a new person (records
of the file sharing a new ID, one person).

For a review queue, each record keeps the probability of its probabilistic or id_typo
link (match_probability) and the most probable stored person it was not linked to, from
REVIEW_FLOOR up (review_person_key, review_probability). A data manager's decisions on
such pairs (linkage/review.py) hold for later files: after (1), a record decided the same
person as a current record takes that record's person (link method `reviewed`), and in
(3) a record is never linked to, nor kept for review with, the person of a record it was
decided different from.

The model's m and u probabilities are stated here rather than trained, so that a file
of ten rows links as well as one of a million and results do not depend on a sample;
they were set by reasoning about the features and checked with `python -m dashboard
bench linkage` (the demo's dirt, and the labelled set of bench/labelled.py).
"""

import logging

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker, SettingsCreator

from linkage import blocking, features
from linkage.comparisons import BIRTH_WORDS, CLK_WORDS, CODED, COMPARISONS
from store import storage

THRESHOLD = 0.8
# Pairs from this probability up are scored: below THRESHOLD they are kept for review only.
REVIEW_FLOOR = 0.2
# Two IDs one typo apart link only with names at least this similar (and equal birth dates).
ID_TYPO_DICE = 0.75
# Share of an incoming source's records expected to exist in the other registries.
EXPECTED_OVERLAP = 0.3
# The ID hash and its variants, the name's CLK, the date's variants, then the columns the
# blocking rules may compare.
FEATURES = ["id_hash", "id_variants", "name_clk", "birth_variants", *blocking.BLOCKING_COLUMNS]
# Blocking: a pair is compared only when it meets one of the rules of blocking.RULES, under
# its ID condition (l: the incoming record, r: the stored one); blocking.candidates fetches
# the stored records that meet one with an incoming record, from the same rules.
BLOCKING = blocking.splink_rules()


def _settings(candidates: int) -> SettingsCreator:
    prior = min(0.5, EXPECTED_OVERLAP / max(candidates, 1))
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=COMPARISONS,
        blocking_rules_to_generate_predictions=BLOCKING,
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
    )


def predict(incoming: pa.Table, candidates: pa.Table, stored: int) -> pd.DataFrame:
    """Scored pairs (incoming row, candidate row, probability) at or above REVIEW_FLOOR.

    Both tables carry the FEATURES columns; a record is named by its row number.
    `stored` is how many records the candidates were drawn from (for the prior). Splink
    runs on a private in-memory DuckDB that is closed afterwards: nothing of it reaches the
    store or a file.
    """
    if not incoming.num_rows or not candidates.num_rows:
        return pd.DataFrame(columns=["uid_l", "uid_r", "match_probability"])
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect(":memory:")
    con.execute("set temp_directory = ''")  # never spill to disk
    try:
        db = DuckDBAPI(con)
        left, right = _compact([incoming, candidates])
        tables = [
            db.register(left, dataset_display_name="incoming"),
            db.register(right, dataset_display_name="stored"),
        ]
        linker = Linker(tables, _settings(stored), log_level=None)
        pairs = linker.inference.predict(threshold_match_probability=REVIEW_FLOOR)
        frame = pairs.as_pandas_dataframe()
    finally:
        con.close()
    left_is_incoming = frame["source_dataset_l"] == "incoming"
    inc = np.where(left_is_incoming, frame["uid_l"], frame["uid_r"])
    old = np.where(left_is_incoming, frame["uid_r"], frame["uid_l"])
    return pd.DataFrame(
        {"uid_l": inc, "uid_r": old, "match_probability": frame["match_probability"]}
    )


def _compact(tables: list[pa.Table]) -> list[pa.Table]:
    """The tables as Splink is given them.

    `uid` is the row number; keyed hashes become integer codes (one code list per CODED
    group, over all tables), the CLK its words and bit count, the date's variants their
    integers; `keyed` is 1 for a record with an ID, or a stored record (a candidate, with a
    `keyed` column) of a person with one; the other FEATURES but the ID hash stay.
    """
    coded = {}
    for group in CODED:
        parts = {(i, c): t.column(c).cast(pa.string()) for i, t in enumerate(tables) for c in group}
        chunks = [chunk for part in parts.values() for chunk in part.chunks]  # not one by one
        codes = pc.dictionary_encode(pa.chunked_array(chunks, pa.string()).combine_chunks()).indices
        start = 0
        for key, part in parts.items():
            coded[key], start = codes.slice(start, len(part)), start + len(part)
    out = []
    for i, table in enumerate(tables):
        words, bits = _clk_words(table.column("name_clk"))
        columns = {"uid": pa.array(np.arange(table.num_rows, dtype=np.int64))}
        by_word = np.ascontiguousarray(words.T)
        columns |= {f"clk{w}": pa.array(by_word[w]) for w in range(CLK_WORDS)}
        columns["clk_bits"] = bits
        keyed = (
            table.column("keyed") if "keyed" in table.column_names
            else table.column("id_hash").is_valid()
        )  # fmt: skip
        columns["keyed"] = pc.if_else(keyed, pa.scalar(1, pa.int8()), None)
        columns |= _birth_words(table.column("birth_variants"))
        for column in FEATURES:
            if column not in {"id_hash", "name_clk", "birth_variants"}:
                columns[column] = coded.get((i, column), table.column(column))
        out.append(pa.table(columns))
    return out


def _birth_words(column: pa.ChunkedArray | pa.Array) -> dict[str, pa.Array]:
    """The date's variants as BIRTH_WORDS integers (bv0, bv1, ...), missing with the date."""
    digits = features.VARIANT_DIGITS * BIRTH_WORDS
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = array.cast(pa.string())
    present = pc.fill_null(pc.equal(pc.utf8_length(array), digits), False)
    kept = array.filter(present)  # values of one width, so they lie end to end
    present = present.to_numpy(zero_copy_only=False)
    words = np.zeros((len(array), BIRTH_WORDS), dtype=np.uint32)
    if len(kept):
        first = np.frombuffer(kept.buffers()[1], dtype=np.int32)[kept.offset]
        text = memoryview(kept.buffers()[2])[first : first + len(kept) * digits]
        words[present] = np.frombuffer(bytes.fromhex(str(text, "ascii")), dtype=">u4").reshape(
            -1, BIRTH_WORDS
        )
    return {f"bv{w}": pa.array(words[:, w], mask=~present) for w in range(BIRTH_WORDS)}


def _clk_words(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each CLK as CLK_WORDS 64-bit words (zero when missing), and its set bits (null then)."""
    width = features.CLK_BITS // 8
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = array.cast(pa.binary())
    present = pc.fill_null(pc.equal(pc.binary_length(array), width), False)
    kept = array.filter(present)  # values of one width, so they lie end to end
    present = present.to_numpy(zero_copy_only=False)
    words = np.zeros((len(array), CLK_WORDS), dtype=np.uint64)
    if len(kept):
        first = np.frombuffer(kept.buffers()[1], dtype=np.int32)[kept.offset]
        data = np.frombuffer(kept.buffers()[2], dtype=np.uint8)[first : first + len(kept) * width]
        words[present] = data.view(np.uint64).reshape(-1, CLK_WORDS)
    bits = np.bitwise_count(words).sum(axis=1)
    return words, pa.array(bits, mask=~present, type=pa.int32())


def _checked_ids(pairs: pd.DataFrame, incoming: pa.Table, candidates: pa.Table) -> pd.DataFrame:
    """The pairs but those of two IDs not one typo apart; `id_typo` and `linkable` added.

    A person has one ID: an incoming record with an ID may be the person of a stored record
    known by another only when that record's own ID is one typo from it (they share a
    variant, features.ids_near), their birth dates are equal (the any_id blocking rules
    hold only then) and their names agree strongly (Dice of at least ID_TYPO_DICE: a
    household's IDs are often consecutive, and twins share a date). A pair one typo apart
    with names less alike is kept for review, not linkable.
    """
    inc, old = pairs["uid_l"].to_numpy(int), pairs["uid_r"].to_numpy(int)
    has_id = incoming.column("id_hash").is_valid().to_numpy(zero_copy_only=False)[inc]
    known = candidates.column("keyed").to_numpy(zero_copy_only=False)[old].astype(bool)
    both = has_id & known
    near, alike = np.zeros(len(pairs), dtype=bool), np.zeros(len(pairs), dtype=bool)
    if both.any():
        mine = _values(incoming, ["id_variants", "name_clk"], inc[both])
        theirs = _values(candidates, ["id_variants", "name_clk"], old[both])
        near[both] = [features.ids_near(a, b) for a, b in zip(mine[0], theirs[0], strict=True)]
        alike[both] = [
            features.dice(a, b) >= ID_TYPO_DICE for a, b in zip(mine[1], theirs[1], strict=True)
        ]
    keep = ~both | near
    return pairs[keep].assign(id_typo=(both & near)[keep], linkable=(~both | alike)[keep])


def _values(table: pa.Table, columns: list[str], rows: np.ndarray) -> list[list]:
    """The values of some columns at some rows, as lists."""
    picked = table.select(columns).take(pa.array(rows, type=pa.int64()))
    return [picked.column(c).to_pylist() for c in columns]


def _not_rejected(
    pairs: pd.DataFrame, records: pd.Series, person_of_candidate: np.ndarray,
    decided: pd.DataFrame,
) -> pd.DataFrame:  # fmt: skip
    """The pairs but those of a record and a person a reviewer said it is not.

    `records`: the record_id of each incoming row (uid_l); `decided`: the review decisions
    on them (record_id, decision, person_key: the other record's person now).
    """
    different = decided[decided["decision"] == "different"]
    if pairs.empty or different.empty:
        return pairs
    rejected = pd.MultiIndex.from_frame(different[["record_id", "person_key"]])
    pair = pd.MultiIndex.from_arrays([
        records.to_numpy()[pairs["uid_l"].to_numpy(int)],
        person_of_candidate[pairs["uid_r"].to_numpy(int)],
    ])  # fmt: skip
    return pairs[~pair.isin(rejected)]


def _best_matches(pairs: pd.DataFrame, person_of_candidate: np.ndarray) -> pd.DataFrame:
    """For each incoming row the person of its most probable candidate (one each way).

    Indexed by incoming row: person_key, match_probability and id_typo.
    """
    columns = ["person_key", "match_probability", "id_typo"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    ranked = _ranked(pairs, person_of_candidate)
    # each stored person takes at most one record of an incoming file
    ranked = ranked.drop_duplicates("uid_l").drop_duplicates("person_key")
    return ranked.set_index("uid_l")[columns]


def _ranked(pairs: pd.DataFrame, person_of_candidate: np.ndarray) -> pd.DataFrame:
    """The pairs with their candidate's person, most probable first.

    Ties go to the earlier incoming row, then the smaller person_key: neither depends on the
    order in which DuckDB or Splink return rows, so a file links the same way every time.
    """
    ranked = pairs.assign(person_key=person_of_candidate[pairs["uid_r"].to_numpy(int)])
    order = ["match_probability", "uid_l", "person_key"]
    return ranked.sort_values(order, ascending=[False, True, True], kind="stable")


def _review(out: pd.DataFrame, pairs: pd.DataFrame, person_of_candidate: np.ndarray) -> None:
    """Each row's most probable stored person it was not linked to, and that probability.

    `pairs` are by row of `out` (uid_l) and candidate (uid_r), from REVIEW_FLOOR up.
    """
    out["review_person_key"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["review_probability"] = pd.Series(np.nan, index=out.index, dtype="float64")
    if pairs.empty:
        return
    other = _ranked(pairs, person_of_candidate)
    linked_to = out["person_key"].to_numpy(dtype="float64", na_value=np.nan)
    other = other[other["person_key"] != linked_to[other["uid_l"].to_numpy(int)]]
    best = other.drop_duplicates("uid_l").set_index("uid_l")
    rows = best.index.to_numpy(int)
    out.loc[rows, "review_person_key"] = best["person_key"].to_numpy()
    out.loc[rows, "review_probability"] = best["match_probability"].to_numpy()


def _new_keys(frame: pd.DataFrame, first: int) -> pd.Series:
    """New person keys from `first`; rows sharing an ID hash share a key."""
    group = frame["id_hash"].fillna(frame["uid"].astype(str))
    codes = pd.factorize(group, sort=False)[0]
    return pd.Series(first + codes, index=frame.index, dtype="Int64")


def link(con, source: str, records: pd.DataFrame) -> pd.DataFrame:
    """Add person_key and link_method to validated, pseudonymised registration records.

    Also match_probability (of a probabilistic or id_typo link) and, for review, the most
    probable other stored person (review_person_key, review_probability; _review).

    Args:
        con: the write session's connection (the store being built).
        source: the records' source registry.
        records: record_id plus the FEATURES columns.
    """
    out = records.reset_index(drop=True).assign(uid=lambda f: f.index.astype(str))
    out["person_key"], out["link_method"] = pd.Series(pd.NA, dtype="Int64"), None
    out["match_probability"] = np.nan
    known = storage.query_with(con, "imports/person_of_record", out[["record_id"]], source=source)
    _fill(out, _lookup(out["record_id"], known, "record_id"), "same_record")
    decided = storage.query_with(
        con, "review/decisions_of_records", out[["record_id"]], source=source
    )
    same = decided[decided["decision"] == "same"].drop_duplicates("record_id")
    _fill(out, _lookup(out["record_id"], same, "record_id"), "reviewed")
    by_id = storage.query_with(con, "imports/person_of_id_hash", out[["id_hash"]].dropna())
    _fill(out, _lookup(out["id_hash"], by_id.drop_duplicates("id_hash"), "id_hash"), "national_id")
    todo = out.index[out["person_key"].isna()]
    unlinked = pa.Table.from_pandas(out.loc[todo, FEATURES], preserve_index=False)
    candidates = blocking.candidates(con, unlinked, source)
    count = storage.run_statement(con, "imports/linkage_candidate_count", source=source)
    stored = int(count["candidates"].iloc[0])
    pairs = _checked_ids(predict(unlinked, candidates, stored), unlinked, candidates)
    person_of = candidates.column("person_key").to_numpy()
    pairs = _not_rejected(pairs, out.loc[todo, "record_id"], person_of, decided)
    sure = pairs["linkable"] & (pairs["match_probability"] >= THRESHOLD)
    matched = _best_matches(pairs[sure], person_of)
    rows = todo[matched.index.to_numpy(int)]
    for method, typo in (("probabilistic", False), ("id_typo", True)):
        found = pd.Series(pd.NA, index=out.index, dtype="Int64")
        chosen = (matched["id_typo"] == typo).to_numpy(bool)
        found[rows[chosen]] = matched["person_key"].to_numpy()[chosen]
        _fill(out, found, method)
    out.loc[rows, "match_probability"] = matched["match_probability"].to_numpy(float)
    first = int(storage.run_statement(con, "imports/max_person_key").iloc[0, 0]) + 1
    rest = out["person_key"].isna()
    out.loc[rest, "person_key"] = _new_keys(out[rest], first)
    out.loc[rest, "link_method"] = np.where(
        out.loc[rest, "id_hash"].notna(), "new_with_id", "new_without_id"
    )
    _review(out, pairs.assign(uid_l=todo[pairs["uid_l"].to_numpy(int)]), person_of)
    return out.drop(columns="uid")


def _lookup(values: pd.Series, found: pd.DataFrame, column: str) -> pd.Series:
    """The person_key `found` gives each value (none: all missing, without a lookup)."""
    if found.empty:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    return values.map(found.set_index(column)["person_key"])


def _fill(out: pd.DataFrame, keys: pd.Series, method: str) -> None:
    if keys.isna().all():  # nothing found (a file of new persons): no row to write
        return
    take = out["person_key"].isna() & keys.notna()
    out.loc[take, "person_key"] = keys[take].astype("Int64")
    out.loc[take, "link_method"] = method
