"""Pairwise scores of a linkage: the pairs of records it gave one person, against the truth."""

from pathlib import Path

import pandas as pd

import sql
from store import storage


def linked_records(path: Path) -> pd.DataFrame:
    """Every registration of the store with its person: source, record_id, person_key."""
    con = storage.open_read(path)
    try:
        return con.execute(sql.load_query("bench/linked_records_all")).df()
    finally:
        con.close()


def pairs(frame: pd.DataFrame, key: str) -> set[tuple[str, str]]:
    """The pairs of records (`rid`, in order) that share a value of `key`."""
    both = frame.merge(frame, on=key)
    both = both[both["rid_x"] < both["rid_y"]]
    return set(zip(both["rid_x"], both["rid_y"], strict=True))


def precision_recall(predicted: set, true: set) -> tuple[float, float]:
    """Pairwise precision and recall of predicted pairs against the true ones."""
    hits = len(predicted & true)
    return hits / max(len(predicted), 1), hits / max(len(true), 1)
