"""Pairwise scores of a linkage: the pairs of records it gave one person, against the truth.

Also the route every scored file takes: encoded as its agency would, imported by the Board.
"""

import datetime as dt
from pathlib import Path

import pandas as pd

import sql
from ingest import encoding, importer
from store import storage


def encode_and_import(
    frame: pd.DataFrame, source: str, path: Path, key: bytes, as_of: dt.date
) -> importer.Outcome:
    """Encode a registry's records as its agency would, then import the file into `path`.

    Raises:
        RuntimeError: with the report's lines, when the agency's encode or the import refuses.
    """
    data = frame.to_csv(index=False).encode("utf-8")
    sent = encoding.encode(data, f"{source}.csv", source, key, as_of)
    if sent.content is None:
        raise RuntimeError("\n".join(sent.report.lines()))
    request = importer.Request(data=sent.content, file_name=f"{source}.encoded.parquet",
                               kind="registrations", source=source, today=as_of,
                               user="bench")  # fmt: skip
    outcome = importer.run(request, path)
    if outcome.result != "accepted":
        raise RuntimeError("\n".join(outcome.report.lines()))
    return outcome


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
