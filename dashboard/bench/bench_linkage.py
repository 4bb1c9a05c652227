"""Linkage benchmark: labelled synthetic registries imported one by one, scored by pairs.

The demo's generator draws persons and their registrations in four registries; the dirt
generator (demo/demo_sources.py) writes each registry's file at a stated dirt rate; each file
is imported separately (its own batch, as agencies' files arrive) into a fresh store.
A pair of records is a true match when the generator made them for the same person, a
predicted match when linkage gave them the same person_key. Precision = true predicted
pairs / predicted pairs; recall = true predicted pairs / true pairs. Scores are given
for all cross-registry pairs and for the pairs where at least one record had no ID (the
ones that only the probabilistic step can find).
"""

import dataclasses
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from demo import demo_sources, generator
from ingest import encoding, importer
from store import storage

RATES = (0.1, 0.3)
AS_OF = dt.date(2026, 6, 30)
KEY = bytes.fromhex("be" * 32)


@dataclasses.dataclass
class Score:
    """Pairwise precision and recall of one linkage run."""

    dirt: float
    records: int
    precision: float
    recall: float
    precision_no_id: float
    recall_no_id: float
    seconds: float


def labelled_sources(people: int, seed: int, dirt: float) -> tuple[dict, pd.DataFrame]:
    """Canonical registration files per registry, and the truth (record -> person)."""
    rng = np.random.default_rng([seed, int(dirt * 1000)])
    persons = generator._persons(rng, people, 1, generator.province_profile(), AS_OF)
    regs, _ = generator._registrations(rng, persons, generator._day(AS_OF))
    who = demo_sources.identities(rng, persons)
    regs = demo_sources.attach(regs, who, AS_OF)
    files = {}
    for source in generator.SOURCES:
        rows = regs[regs["source"] == source].reset_index(drop=True)
        files[source] = demo_sources.canonical(demo_sources.dirty(rng, rows, source, dirt))
    return files, regs[["source", "record_id", "person_key"]]


def _pairs(frame: pd.DataFrame, key: str) -> set[tuple[str, str]]:
    both = frame.merge(frame, on=key)
    both = both[both["rid_x"] < both["rid_y"]]
    return set(zip(both["rid_x"], both["rid_y"], strict=True))


def _precision_recall(predicted: set, true: set) -> tuple[float, float]:
    hits = len(predicted & true)
    return hits / max(len(predicted), 1), hits / max(len(true), 1)


def score(path: Path, files: dict, truth: pd.DataFrame, dirt: float, seconds: float) -> Score:
    """Compare the store's person keys with the truth."""
    con = storage.open_read(path)
    linked = con.execute("select source, record_id, person_key from registrations").df()
    con.close()
    ids = pd.concat([f.assign(source=s) for s, f in files.items()])
    no_id = set((ids["source"] + "/" + ids["record_id"])[ids["national_id"] == ""])
    for frame in (linked, truth):
        frame["rid"] = frame["source"] + "/" + frame["record_id"]
    predicted, true = _pairs(linked, "person_key"), _pairs(truth, "person_key")
    precision, recall = _precision_recall(predicted, true)
    keep = {p for p in predicted | true if p[0] in no_id or p[1] in no_id}
    precision_no_id, recall_no_id = _precision_recall(predicted & keep, true & keep)
    return Score(dirt, len(linked), precision, recall, precision_no_id, recall_no_id, seconds)


def run(people: int, seed: int, dirt: float, folder: Path) -> Score:
    """Generate, encode and import registry by registry (as agencies and the Board do), score."""
    files, truth = labelled_sources(people, seed, dirt)
    path = folder / f"bench-{dirt}.duckdb"
    started = time.perf_counter()
    for source, frame in files.items():
        data = frame.to_csv(index=False).encode("utf-8")
        sent = encoding.encode(data, f"{source}.csv", source, KEY, AS_OF)
        if sent.content is None:
            raise RuntimeError("\n".join(sent.report.lines()))
        request = importer.Request(data=sent.content, file_name=f"{source}.encoded.parquet",
                                   kind="registrations", source=source, today=AS_OF,
                                   user="bench")  # fmt: skip
        outcome = importer.run(request, path)
        if outcome.result != "accepted":
            raise RuntimeError("\n".join(outcome.report.lines()))
    return score(path, files, truth, dirt, time.perf_counter() - started)


def linkage_lines(people: int, seed: int) -> list[str]:
    """The benchmark at both dirt rates, as lines to print."""
    lines = [
        f"Linkage benchmark: {people:,} synthetic persons in {len(generator.SOURCES)} registries, "
        "each registry imported separately; pairwise scores."
    ]
    with tempfile.TemporaryDirectory() as folder:
        for dirt in RATES:
            s = run(people, seed, dirt, Path(folder))
            lines.append(
                f"dirt {s.dirt:.0%}: {s.records:,} records; precision {s.precision:.3f}, "
                f"recall {s.recall:.3f}; pairs with a missing ID: precision "
                f"{s.precision_no_id:.3f}, recall {s.recall_no_id:.3f}; {s.seconds:.1f} s"
            )
    return lines
