"""Gives each incoming registration a person_key: the same person across registries is one.

In order: (1) a record_id this source sent before keeps its person; (2) a keyed ID hash
already stored gives its person; (3) the rest, with or without an ID, are matched with
Splink (DuckDB backend, on a private in-memory database) against the kept linkage
features of every other source's current records; a match needs a probability of at
least THRESHOLD, and two records carrying different IDs are never matched; (4) what is
still unmatched becomes a new person (records of the file sharing a new ID, one person).

The model's m and u probabilities are stated here rather than trained, so that a file
of ten rows links as well as one of a million and results do not depend on a sample;
they were set by reasoning about the features and checked with `python -m dashboard
bench linkage`.
"""

import logging

import duckdb
import numpy as np
import pandas as pd
import splink
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

import store

THRESHOLD = 0.9
# Share of an incoming source's records expected to exist in the other registries.
EXPECTED_OVERLAP = 0.3
FEATURES = [
    "id_hash",
    "name_clk",
    "token_min_hash",
    "token_max_hash",
    "birth_hash",
    "birth_swap_hash",
    "birth_year",
    "sex",
    "province_code",
    "commune_code",
]
DICE = (
    "(2.0 * bit_count(name_clk_l::BIT & name_clk_r::BIT)"
    " / (bit_count(name_clk_l::BIT) + bit_count(name_clk_r::BIT)))"
)


def _level(sql: str, label: str, m: float, u: float) -> dict:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u}


def _null(*columns: str) -> dict:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return {"sql_condition": sql, "label_for_charts": "missing", "is_null_level": True}


COMPARISONS = [
    {
        "output_column_name": "name",
        "comparison_levels": [
            _null("name_clk"),
            _level(f"{DICE} >= 0.9", "name Dice >= 0.9", 0.80, 0.002),
            _level(f"{DICE} >= 0.75", "name Dice >= 0.75", 0.12, 0.01),
            _level(f"{DICE} >= 0.55", "name Dice >= 0.55", 0.05, 0.08),
            _level("ELSE", "names differ", 0.03, 0.908),
        ],
    },
    {
        "output_column_name": "birth",
        "comparison_levels": [
            _null("birth_year"),
            _level("birth_hash_l = birth_hash_r", "same birth date", 0.85, 0.00005),
            _level(
                "birth_hash_l = birth_swap_hash_r OR birth_swap_hash_l = birth_hash_r",
                "day and month swapped",
                0.05,
                0.00005,
            ),
            _level("birth_year_l = birth_year_r", "same birth year", 0.07, 0.02),
            _level("ELSE", "births differ", 0.03, 0.97998),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_levels": [
            _null("sex"),
            _level("sex_l = sex_r", "same sex", 0.97, 0.5),
            _level("ELSE", "sexes differ", 0.03, 0.5),
        ],
    },
    {
        "output_column_name": "place",
        "comparison_levels": [
            _null("province_code"),
            _level("commune_code_l = commune_code_r", "same commune", 0.75, 0.001),
            _level(
                "left(commune_code_l, 4) = left(commune_code_r, 4)", "same district", 0.10, 0.01
            ),
            _level("province_code_l = province_code_r", "same province", 0.10, 0.06),
            _level("ELSE", "places differ", 0.05, 0.929),
        ],
    },
]
BLOCKING = [
    block_on("birth_hash"),
    "l.birth_hash = r.birth_swap_hash",
    "l.birth_swap_hash = r.birth_hash",
    block_on("token_min_hash", "commune_code"),
    block_on("token_max_hash", "birth_year", "province_code"),
]


def _settings(candidates: int) -> SettingsCreator:
    prior = min(0.5, EXPECTED_OVERLAP / max(candidates, 1))
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=COMPARISONS,
        blocking_rules_to_generate_predictions=BLOCKING,
        probability_two_random_records_match=prior,
        retain_matching_columns=True,
        additional_columns_to_retain=["id_hash"],
    )


def predict(incoming: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs (incoming uid, candidate uid, probability) at or above THRESHOLD.

    Both frames carry `uid` and the FEATURES columns. Splink runs on a private in-memory
    DuckDB that is closed afterwards: nothing of it reaches the store or a file.
    """
    if incoming.empty or candidates.empty:
        return pd.DataFrame(columns=["uid_l", "uid_r", "match_probability"])
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect(":memory:")
    try:
        db = DuckDBAPI(con)
        tables = [
            db.register(incoming[["uid", *FEATURES]], dataset_display_name="incoming"),
            db.register(candidates[["uid", *FEATURES]], dataset_display_name="stored"),
        ]
        linker = Linker(tables, _settings(len(candidates)), log_level=None)
        pairs = linker.inference.predict(threshold_match_probability=THRESHOLD)
        frame = pairs.as_pandas_dataframe()
    finally:
        con.close()
    frame = frame[
        frame["id_hash_l"].isna()
        | frame["id_hash_r"].isna()
        | (frame["id_hash_l"] == frame["id_hash_r"])
    ]
    left_is_incoming = frame["source_dataset_l"] == "incoming"
    inc = np.where(left_is_incoming, frame["uid_l"], frame["uid_r"])
    old = np.where(left_is_incoming, frame["uid_r"], frame["uid_l"])
    return pd.DataFrame(
        {"uid_l": inc, "uid_r": old, "match_probability": frame["match_probability"]}
    )


def _best_matches(pairs: pd.DataFrame, candidates: pd.DataFrame) -> pd.Series:
    """For each incoming uid the person of its most probable candidate (one each way)."""
    if pairs.empty:
        return pd.Series(dtype="Int64")
    ranked = pairs.sort_values("match_probability", ascending=False, kind="stable")
    ranked = ranked.assign(person_key=ranked["uid_r"].map(candidates["person_key"]))
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
    known = store.query_with(con, "imports/person_of_record", out[["record_id"]], source=source)
    _fill(out, out["record_id"].map(known.set_index("record_id")["person_key"]), "same_record")
    by_id = store.query_with(con, "imports/person_of_id_hash", out[["id_hash"]].dropna())
    _fill(
        out,
        out["id_hash"].map(by_id.drop_duplicates("id_hash").set_index("id_hash")["person_key"]),
        "national_id",
    )
    todo = out[out["person_key"].isna()]
    candidates = store.run_statement(con, "imports/linkage_candidates", source=source)
    candidates = candidates.assign(uid="s" + candidates.index.astype(str)).set_index(
        "uid", drop=False
    )
    matched = _best_matches(predict(todo, candidates), candidates)
    _fill(out, out["uid"].map(matched), "probabilistic")
    first = int(store.run_statement(con, "imports/max_person_key").iloc[0, 0]) + 1
    rest = out["person_key"].isna()
    out.loc[rest, "person_key"] = _new_keys(out[rest], first)
    out.loc[rest, "link_method"] = np.where(
        out.loc[rest, "id_hash"].notna(), "new_with_id", "new_without_id"
    )
    return out.drop(columns="uid")


def _shared_id_keys(out: pd.DataFrame) -> pd.Series:
    """Rows of the file sharing an ID hash with a row already linked take its person."""
    linked = out[out["person_key"].notna() & out["id_hash"].notna()]
    person_of_id = linked.drop_duplicates("id_hash").set_index("id_hash")["person_key"]
    return out["id_hash"].map(person_of_id)


def _fill(out: pd.DataFrame, keys: pd.Series, method: str) -> None:
    take = out["person_key"].isna() & keys.notna()
    out.loc[take, "person_key"] = keys[take].astype("Int64")
    out.loc[take, "link_method"] = method


SPLINK_VERSION = splink.__version__
