"""Clerical review: the pairs of records a data manager decides on, and what a decision does.

The queue (queries/review/review_queue.sql) holds, for each current record, its link by
IDs one typo apart (kind `id_typo`) and the most probable other person it was scored
against but not linked to, from matching.REVIEW_FLOOR up (kind `below_threshold`). Each
pair is shown with one current record of the other person (of another source; for an
id_typo link, with another ID), the most alike by name, and what agrees and what does
not: the names' Dice similarity (features.dice) and the level each comparison of the
linkage model gives the pair (comparisons.COMPARISONS, evaluated on the columns Splink is
given: matching._compact). Only keyed hashes and Bloom filters are read: no name, ID or
birth date exists in the store.

A decision is kept in review_decisions and applied at once, in a write session of its own
(a new store version): "same" makes the two persons one (every record of both takes the
lower person_key), "different" splits the record off to a new person when the two are one
(an id_typo link: the record and its person's records with the same ID hash), and
otherwise closes the pair. The aggregates of the persons changed are refreshed as after
an import (aggregates.persons_changing). Later imports respect decisions
(linkage/matching.py). Who may decide, and the audit log, are the caller's (ui).
"""

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import i18n
import sql
from linkage import comparisons, features
from store import aggregates, storage

KINDS = ("id_typo", "below_threshold")
DECISIONS = ("same", "different")
# What each level of the linkage model says about a pair, in words (i18n keys). The names
# are said by their Dice similarity instead of their level.
PHRASES = {
    ("birth", "missing"): "review.birth_missing",
    ("birth", "same birth date"): "review.birth_same",
    ("birth", "day and month swapped"): "review.birth_swapped",
    ("birth", "birth dates one digit apart"): "review.birth_one_digit",
    ("birth", "same birth year and month"): "review.birth_year_month",
    ("birth", "same birth day and month, years differ"): "review.birth_day_month",
    ("birth", "same birth year, a date missing"): "review.birth_year_date_missing",
    ("birth", "same birth year, dates differ"): "review.birth_year",
    ("birth", "births differ"): "review.birth_differ",
    ("sex", "missing"): "review.sex_missing",
    ("sex", "same sex"): "review.sex_same",
    ("sex", "sexes differ"): "review.sex_differ",
    ("place", "missing"): "review.place_missing",
    ("place", "same commune"): "review.place_commune",
    ("place", "same province, a commune missing"): "review.place_commune_missing",
    ("place", "same district"): "review.place_district",
    ("place", "same province"): "review.place_province",
    ("place", "places differ"): "review.place_differ",
    ("id", "missing"): "review.id_missing",
    ("id", "IDs one typo apart"): "review.id_one_typo",
    ("id", "IDs differ"): "review.id_differ",
}
COMPARED = ("birth", "sex", "place", "id")  # in the sentence's order, after the names


class Refused(ValueError):
    """A decision that cannot be applied; `reason`: decided, gone or one_id."""

    def __init__(self, reason: str, message: str) -> None:
        """Keep the reason (the ui says it in the user's language) and the message."""
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Decision:
    """A data manager's decision on a pair of the queue (l: the queue's record)."""

    source_l: str
    record_id_l: str
    source_r: str
    record_id_r: str
    decision: str  # "same" or "different"
    kind: str  # "id_typo" or "below_threshold"
    probability: float | None = None


def _run(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """queries/<name>.sql on a cursor of its own (the app shares one read connection).

    Raises:
        storage.StoreOutdated: the store predates review_decisions (its next write adds it).
    """
    cursor = con.cursor()
    try:
        return cursor.execute(sql.load_query(name), params or None).df()
    except (duckdb.BinderException, duckdb.CatalogException) as exc:
        raise storage.StoreOutdated(f"{name}: {str(exc).splitlines()[0]}") from exc
    finally:
        cursor.close()


def pairs(con: duckdb.DuckDBPyConnection, provinces: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The queue's pairs, most probable first.

    Columns kind, source, record_id, person_key, other_person_key, probability; both
    records in `provinces` (None: every province).
    """
    from linkage import matching  # Splink's module: only when the queue is read

    return _run(con, "review/review_queue", floor=matching.REVIEW_FLOOR,
                provinces=list(provinces or ()))  # fmt: skip


def queue_size(found: pd.DataFrame) -> dict[str, int]:
    """How many pairs (rows of `pairs`) await review, and how many of them are id_typo links."""
    return {"pairs": len(found), "id_typo": int((found["kind"] == "id_typo").sum())}


def queue(
    con: duckdb.DuckDBPyConnection, top: pd.DataFrame, provinces: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Pairs of the queue (rows of `pairs`), each with its other record and the comparison.

    One row per pair still shown (its records current; the other record in `provinces`):
    kind, probability, source_l, record_id_l, source_r, record_id_r, the places of both
    (province_code_*, commune_code_*, and their names, *_name_en/_km), dice (the names'
    similarity; NaN when a name is missing) and one column per COMPARED comparison holding
    the level's label.
    """
    people = sorted({*top["person_key"], *top["other_person_key"]})
    records = _run(con, "review/person_records", persons=[int(p) for p in people])
    records = records.astype(object).where(records.notna(), None)  # missing: None, not NaN
    others = records[records["province_code"].isin(provinces)] if provinces else records
    rows = [_pair(pair, records, others) for pair in top.itertuples()]
    rows = [row for row in rows if row is not None]
    if not rows:
        return pd.DataFrame(columns=["kind", "probability", "source_l", "record_id_l"])
    left = pd.DataFrame([r[0] for r in rows]).reset_index(drop=True)
    right = pd.DataFrame([r[1] for r in rows]).reset_index(drop=True)
    levels = compared(left, right)
    shown = ["source", "record_id", "province_code", "commune_code", "province_name_en",
             "province_name_km", "commune_name_en", "commune_name_km"]  # fmt: skip
    return pd.concat(
        [
            pd.DataFrame({"kind": [r[2] for r in rows], "probability": [r[3] for r in rows]}),
            left[shown].add_suffix("_l"),
            right[shown].add_suffix("_r"),
            levels,
        ],
        axis=1,
    )


def _pair(pair, records: pd.DataFrame, others: pd.DataFrame) -> tuple | None:
    """(the record, the other person's record shown, kind, probability), or None if gone.

    The other record: of the other person and another source (for an id_typo link, with
    another ID), IDs one typo apart first, then the most alike by name.
    """
    mine = records[(records["source"] == pair.source) & (records["record_id"] == pair.record_id)]
    if mine.empty:
        return None
    record = mine.iloc[0]
    theirs = others[
        (others["person_key"] == pair.other_person_key) & (others["source"] != pair.source)
    ]
    if pair.kind == "id_typo":
        theirs = theirs[theirs["id_hash"].ne(record["id_hash"]) | theirs["id_hash"].isna()]
    if theirs.empty:
        return None
    near = [features.ids_near(record["id_variants"], v) for v in theirs["id_variants"]]
    alike = [_dice(record["name_clk"], c) for c in theirs["name_clk"]]
    order = np.lexsort((-np.nan_to_num(alike, nan=-1.0), ~np.array(near, dtype=bool)))
    return record, theirs.iloc[order[0]], pair.kind, float(pair.probability)


def _dice(a, b) -> float:
    return features.dice(bytes(a) if a is not None else None, bytes(b) if b is not None else None)


def compared(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """For each pair (row i of left, row i of right): the names' Dice and the COMPARED levels.

    Both frames carry matching.FEATURES. Each level is the first of its comparison whose
    condition the pair meets, as Splink scores it; two equal ID hashes read "same ID".
    """
    from linkage import matching

    tables = [
        pa.Table.from_pandas(_features(f[matching.FEATURES]), preserve_index=False)
        for f in (left, right)
    ]
    mine, theirs = matching._compact(tables)
    con = duckdb.connect(":memory:")
    try:
        con.register("l", mine)
        con.register("r", theirs)
        found = con.execute(_levels_sql(mine.column_names)).df()
    finally:
        con.close()
    out = pd.DataFrame(
        {"dice": [_dice(a, b) for a, b in zip(left["name_clk"], right["name_clk"], strict=True)]}
    )
    for comparison in comparisons.COMPARISONS:
        name = comparison["output_column_name"]
        if name in COMPARED:
            labels = [level["label_for_charts"] for level in comparison["comparison_levels"]]
            out[name] = [labels[i] for i in found[name]]
    same_id = left["id_hash"].notna() & left["id_hash"].eq(right["id_hash"])
    out.loc[same_id.to_numpy(), "id"] = "same ID"
    return out


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    """The features as Arrow reads them: blobs as bytes, every missing value None."""
    out = frame.astype(object).where(frame.notna(), None)
    out["name_clk"] = [bytes(v) if v is not None else None for v in out["name_clk"]]
    return out


def _levels_sql(columns: list[str]) -> str:
    """A SELECT of each comparison's level number per pair of `l` and `r` (joined on uid).

    The text is made of the model's own conditions (comparisons.COMPARISONS, fixed in
    code) and the column names of matching._compact: no value reaches it.
    """
    named = [c for c in columns if c != "uid"]
    sides = [f"l.{c} AS {c}_l" for c in named] + [f"r.{c} AS {c}_r" for c in named]
    cases = []
    for comparison in comparisons.COMPARISONS:
        steps = [
            f"ELSE {i}" if level["sql_condition"] == "ELSE"
            else f"WHEN {level['sql_condition']} THEN {i}"
            for i, level in enumerate(comparison["comparison_levels"])
        ]  # fmt: skip
        cases.append(f"CASE {' '.join(steps)} END AS {comparison['output_column_name']}")
    paired = f"SELECT l.uid, {', '.join(sides)} FROM l JOIN r USING (uid)"  # noqa: S608
    return f"SELECT {', '.join(cases)} FROM ({paired}) ORDER BY uid"  # noqa: S608


def sentence(row, lang: str) -> str:
    """What agrees and what does not, in words: "names 0.86 similar; birth date: ...; ..."."""
    if pd.isna(row["dice"]):
        parts = [i18n.t("review.name_missing", lang)]
    else:
        similarity = i18n.number(row["dice"], lang, decimals=2)
        parts = [i18n.t("review.names_similar", lang, similarity=similarity)]
    for name in COMPARED:
        key = "review.id_same" if row[name] == "same ID" else PHRASES[(name, row[name])]
        parts.append(i18n.t(key, lang))
    return i18n.t("format.list_separator", lang).join(parts)


def decide(decision: Decision, user: str, path: Path | None = None) -> str:
    """Keep and apply one decision in a write session of its own; say what it did.

    Returns "merged" (two persons made one), "split" (the record split off to a new
    person), or "closed" (the pair leaves the queue; persons unchanged).

    Raises:
        ValueError: an unknown decision or kind.
        Refused: a pair already decided, a record that is not current, or two records
            with one ID said to be different persons.
    """
    if decision.decision not in DECISIONS or decision.kind not in KINDS:
        raise ValueError(f"not a review decision: {decision.decision!r}, {decision.kind!r}")
    with storage.write_session(path, incremental=True) as con:
        meta = storage.meta_values(con)
        effect, frame, touched = _plan(con, decision)
        with aggregates.persons_changing(con, meta, touched):
            if effect == "merged":
                storage.execute_with(con, "review/merge_persons", frame)
            elif effect == "split":
                storage.execute_with(con, "review/move_records", frame)
            storage.assign_record_keys(con)
        storage.run_statement(
            con, "review/decision_insert", **dataclasses.asdict(decision), decided_by=user,
            decided_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )  # fmt: skip
    return effect


def _plan(con, d: Decision) -> tuple[str, pd.DataFrame | None, list[int]]:
    """(effect, the frame its statement reads, the persons whose rows change)."""
    keys = {"source_l": d.source_l, "record_id_l": d.record_id_l,
            "source_r": d.source_r, "record_id_r": d.record_id_r}  # fmt: skip
    if not storage.run_statement(con, "review/decisions_of_pair", **keys).empty:
        raise Refused("decided", "this pair has already been decided")
    named = pd.DataFrame({"source": [d.source_l, d.source_r],
                          "record_id": [d.record_id_l, d.record_id_r]})  # fmt: skip
    found = named.merge(
        storage.query_with(con, "review/person_of_records", named), how="left",
        on=["source", "record_id"],
    )  # fmt: skip
    if found["person_key"].isna().any():
        raise Refused("gone", "a record of this pair is no longer current")
    mine, theirs = (int(p) for p in found["person_key"])
    if d.decision == "same" and mine != theirs:
        frame = pd.DataFrame({"gone": [max(mine, theirs)], "kept": [min(mine, theirs)]})
        return "merged", frame, [mine, theirs]
    if d.decision == "different" and mine == theirs:
        moving = storage.run_statement(
            con, "review/split_records", source=d.source_l, record_id=d.record_id_l
        )
        if ((moving["source"] == d.source_r) & (moving["record_id"] == d.record_id_r)).any():
            raise Refused("one_id", "the two records carry one ID: they cannot be split apart")
        new = int(storage.run_statement(con, "imports/max_person_key").iloc[0, 0]) + 1
        return "split", moving.assign(new_person_key=new), [mine, new]
    return "closed", None, []
