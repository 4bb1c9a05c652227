"""Gives each incoming registration a person_key: the same person across registries is one.

In order: (1) a record_id this source sent before keeps its person; (2) a keyed ID hash
already stored gives its person; (3) the rest, with or without an ID, are matched with
Splink (DuckDB backend, on a private in-memory database) against the kept linkage
features of every other source's current records that meet a blocking rule with one of
them (blocking.RULES; fetched by blocking.candidates); a match needs a probability of at
least THRESHOLD, and a record with an ID is never matched to a person known by another
ID; (4) what is still unmatched becomes a new person (records of the file sharing a new
ID, one person).

The model's m and u probabilities are stated here rather than trained, so that a file
of ten rows links as well as one of a million and results do not depend on a sample;
they were set by reasoning about the features and checked with `python -m dashboard
bench linkage`.
"""

import logging

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker, SettingsCreator

from linkage import blocking, features
from store import storage

THRESHOLD = 0.8
# Share of an incoming source's records expected to exist in the other registries.
EXPECTED_OVERLAP = 0.3
# The ID hash and the name's CLK, then the columns the blocking rules may compare.
FEATURES = ["id_hash", "name_clk", *blocking.BLOCKING_COLUMNS]
# Splink is given each CLK as 64-bit words (clk0, clk1, ...) and its count of set bits
# (clk_bits), and each keyed hash as a small integer code (_compact): comparing integers is
# several times faster than casting 64-byte blobs to bit strings and joining on hex text.
CLK_WORDS = features.CLK_BITS // 64
DICE = (
    "(2.0 * ("
    + " + ".join(f"bit_count(clk{i}_l & clk{i}_r)" for i in range(CLK_WORDS))
    + ") / (clk_bits_l + clk_bits_r))"
)
# Keyed hashes compared with each other share one code list (the ID hash is only tested for
# missing: it becomes 1 or missing).
CODED = [("token_min_hash", "token_max_hash"), ("birth_hash", "birth_swap_hash")]


def _comparison(name: str, null_column: str, levels: list[tuple]) -> dict:
    """A Splink comparison: a null level, then (SQL condition, label, m, u) levels."""
    null = f"{null_column}_l IS NULL OR {null_column}_r IS NULL"
    return {
        "output_column_name": name,
        "comparison_levels": [
            {"sql_condition": null, "label_for_charts": "missing", "is_null_level": True},
            *(
                {"sql_condition": sql, "label_for_charts": label,
                 "m_probability": m, "u_probability": u}
                for sql, label, m, u in levels
            ),
        ],
    }  # fmt: skip


ONE_DATE_MISSING = "(birth_hash_l IS NULL OR birth_hash_r IS NULL)"
ONE_COMMUNE_MISSING = "(commune_code_l IS NULL OR commune_code_r IS NULL)"
# m = P(level | same person), u = P(level | different persons); each column sums to 1.
COMPARISONS = [
    _comparison("name", "clk_bits", [
        (f"{DICE} >= 0.9", "name Dice >= 0.9", 0.80, 0.002),
        (f"{DICE} >= 0.75", "name Dice >= 0.75", 0.12, 0.01),
        (f"{DICE} >= 0.55", "name Dice >= 0.55", 0.05, 0.08),
        ("ELSE", "names differ", 0.03, 0.908),
    ]),
    _comparison("birth", "birth_year", [
        ("birth_hash_l = birth_hash_r", "same birth date", 0.80, 0.00004),
        ("birth_hash_l = birth_swap_hash_r OR birth_swap_hash_l = birth_hash_r",
         "day and month swapped", 0.04, 0.00004),
        (f"{ONE_DATE_MISSING} AND birth_year_l = birth_year_r",
         "same birth year, a date missing", 0.10, 0.002),
        ("birth_year_l = birth_year_r", "same birth year, dates differ", 0.03, 0.018),
        ("ELSE", "births differ", 0.03, 0.97992),
    ]),
    _comparison("sex", "sex", [
        ("sex_l = sex_r", "same sex", 0.97, 0.5),
        ("ELSE", "sexes differ", 0.03, 0.5),
    ]),
    _comparison("place", "province_code", [
        ("commune_code_l = commune_code_r", "same commune", 0.75, 0.001),
        (f"{ONE_COMMUNE_MISSING} AND province_code_l = province_code_r",
         "same province, a commune missing", 0.12, 0.008),
        ("left(commune_code_l, 4) = left(commune_code_r, 4)", "same district", 0.05, 0.01),
        ("province_code_l = province_code_r", "same province", 0.04, 0.05),
        ("ELSE", "places differ", 0.04, 0.931),
    ]),
]  # fmt: skip
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
    """Scored pairs (incoming row, candidate row, probability) at or above THRESHOLD.

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
        pairs = linker.inference.predict(threshold_match_probability=THRESHOLD)
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
    group, over all tables), the CLK its words and bit count; `keyed` is 1 for a record
    with an ID, or a stored record (a candidate, with a `keyed` column) of a person with
    one; the other FEATURES stay.
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
        for column in FEATURES:
            if column not in {"id_hash", "name_clk"}:
                columns[column] = coded.get((i, column), table.column(column))
        out.append(pa.table(columns))
    return out


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


def _best_matches(pairs: pd.DataFrame, person_of_candidate: np.ndarray) -> pd.Series:
    """For each incoming row the person of its most probable candidate (one each way)."""
    if pairs.empty:
        return pd.Series(dtype="Int64")
    ranked = pairs.sort_values("match_probability", ascending=False, kind="stable")
    ranked = ranked.assign(person_key=person_of_candidate[ranked["uid_r"].to_numpy(int)])
    # each stored person takes at most one record of an incoming file
    ranked = ranked.drop_duplicates("uid_l").drop_duplicates("person_key")
    return ranked.set_index("uid_l")["person_key"]


def _new_keys(frame: pd.DataFrame, first: int) -> pd.Series:
    """New person keys from `first`; rows sharing an ID hash share a key."""
    group = frame["id_hash"].fillna(frame["uid"].astype(str))
    codes = pd.factorize(group, sort=False)[0]
    return pd.Series(first + codes, index=frame.index, dtype="Int64")


def link(con, source: str, records: pd.DataFrame) -> pd.DataFrame:
    """Add person_key and link_method to validated, pseudonymised registration records.

    Args:
        con: the write session's connection (the store being built).
        source: the records' source registry.
        records: record_id plus the FEATURES columns.
    """
    out = records.reset_index(drop=True).assign(uid=lambda f: f.index.astype(str))
    out["person_key"], out["link_method"] = pd.Series(pd.NA, dtype="Int64"), None
    known = storage.query_with(con, "imports/person_of_record", out[["record_id"]], source=source)
    _fill(out, _lookup(out["record_id"], known, "record_id"), "same_record")
    by_id = storage.query_with(con, "imports/person_of_id_hash", out[["id_hash"]].dropna())
    _fill(out, _lookup(out["id_hash"], by_id.drop_duplicates("id_hash"), "id_hash"), "national_id")
    todo = out.index[out["person_key"].isna()]
    unlinked = pa.Table.from_pandas(out.loc[todo, FEATURES], preserve_index=False)
    candidates = blocking.candidates(con, unlinked, source)
    count = storage.run_statement(con, "imports/linkage_candidate_count", source=source)
    stored = int(count["candidates"].iloc[0])
    pairs = predict(unlinked, candidates, stored)
    matched = _best_matches(pairs, candidates.column("person_key").to_numpy())
    found = pd.Series(pd.NA, index=out.index, dtype="Int64")
    found[todo[matched.index.to_numpy(int)]] = matched.to_numpy()
    _fill(out, found, "probabilistic")
    first = int(storage.run_statement(con, "imports/max_person_key").iloc[0, 0]) + 1
    rest = out["person_key"].isna()
    out.loc[rest, "person_key"] = _new_keys(out[rest], first)
    out.loc[rest, "link_method"] = np.where(
        out.loc[rest, "id_hash"].notna(), "new_with_id", "new_without_id"
    )
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
