"""Linkage benchmark: labelled synthetic registries imported one by one, scored by pairs.

The demo's generator draws persons and their registrations in four registries; the dirt
generator (demo/demo_sources.py) writes each registry's file at a stated dirt rate; each file
is imported separately (its own batch, as agencies' files arrive) into a fresh store.
A pair of records is a true match when the generator made them for the same person, a
predicted match when linkage gave them the same person_key. Precision = true predicted
pairs / predicted pairs; recall = true predicted pairs / true pairs. Scores are given
for all cross-registry pairs and for the pairs where at least one record had no ID (the
ones that only the probabilistic step can find), with the size of the clerical review
queue the imports leave (linkage/review.py: pairs awaiting a data manager, and how many
are links by IDs one typo apart), and that size scaled to NATIONAL persons. `bench
linkage` then scores the labelled set of issue 17 (bench/labelled.py).
"""

import dataclasses
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench import labelled, pairwise
from demo import demo_sources, generator
from linkage import review
from store import storage

RATES = (0.1, 0.3)
AS_OF = dt.date(2026, 6, 30)
KEY = bytes.fromhex("be" * 32)
NATIONAL = 7_000_000  # persons of the national-scale store (`bench pages`)


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
    review_pairs: int = 0  # pairs awaiting clerical review after the imports
    review_id_typo: int = 0  # of which links by IDs one typo apart


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


def score(path: Path, files: dict, truth: pd.DataFrame, dirt: float, seconds: float) -> Score:
    """Compare the store's person keys with the truth."""
    linked = pairwise.linked_records(path)
    ids = pd.concat([f.assign(source=s) for s, f in files.items()])
    no_id = set((ids["source"] + "/" + ids["record_id"])[ids["national_id"] == ""])
    for frame in (linked, truth):
        frame["rid"] = frame["source"] + "/" + frame["record_id"]
    predicted = pairwise.pairs(linked, "person_key")
    true = pairwise.pairs(truth, "person_key")
    precision, recall = pairwise.precision_recall(predicted, true)
    keep = {p for p in predicted | true if p[0] in no_id or p[1] in no_id}
    precision_no_id, recall_no_id = pairwise.precision_recall(predicted & keep, true & keep)
    return Score(dirt, len(linked), precision, recall, precision_no_id, recall_no_id, seconds)


def run(people: int, seed: int, dirt: float, folder: Path) -> Score:
    """Generate, encode and import registry by registry (as agencies and the Board do), score."""
    files, truth = labelled_sources(people, seed, dirt)
    path = folder / f"bench-{dirt}.duckdb"
    started = time.perf_counter()
    for source, frame in files.items():
        pairwise.encode_and_import(frame, source, path, KEY, AS_OF)
    scored = score(path, files, truth, dirt, time.perf_counter() - started)
    size = review_queue_size(path)
    return dataclasses.replace(scored, review_pairs=size["pairs"], review_id_typo=size["id_typo"])


def review_queue_size(path: Path) -> dict[str, int]:
    """Pairs awaiting clerical review in a store, and how many are id_typo links."""
    con = storage.open_read(path)
    try:
        return review.queue_size(review.pairs(con))
    finally:
        con.close()


def linkage_lines(people: int, seed: int, as_json: bool = False) -> list[str]:
    """The benchmark at both dirt rates, then the labelled set of issue 17, as lines to print.

    The labelled set (bench/labelled.py) registers `people` persons twice, without and with
    IDs, and prints each figure beside the issue's target. With `as_json`, a last line
    holds the dirt rates' figures as JSON (a list of Score fields, review queue included).
    """
    lines = [
        f"Linkage benchmark: {people:,} synthetic persons in {len(generator.SOURCES)} registries, "
        "each registry imported separately; pairwise scores."
    ]
    scores = []
    with tempfile.TemporaryDirectory() as folder:
        for dirt in RATES:
            s = run(people, seed, dirt, Path(folder))
            scores.append(s)
            lines.append(
                f"dirt {s.dirt:.0%}: {s.records:,} records; precision {s.precision:.3f}, "
                f"recall {s.recall:.3f}; pairs with a missing ID: precision "
                f"{s.precision_no_id:.3f}, recall {s.recall_no_id:.3f}; {s.seconds:.1f} s"
            )
            lines.append("  " + queue_line(s, people))
    lines += labelled.labelled_lines(people, seed)
    if as_json:
        lines.append(json.dumps([dataclasses.asdict(s) | national(s, people) for s in scores]))
    return lines


def national(s: Score, people: int) -> dict[str, int]:
    """The review queue scaled linearly to NATIONAL persons (an estimate, not a run)."""
    scale = NATIONAL / people
    return {"review_pairs_national": round(s.review_pairs * scale),
            "review_id_typo_national": round(s.review_id_typo * scale)}  # fmt: skip


def queue_line(s: Score, people: int) -> str:
    """The review queue a run leaves, and scaled to NATIONAL persons, in words."""
    scaled = national(s, people)
    return (
        f"review queue: {s.review_pairs:,} pairs awaiting a data manager, {s.review_id_typo:,} "
        f"of them id_typo links; at {NATIONAL:,} persons about "
        f"{scaled['review_pairs_national']:,} pairs ({scaled['review_id_typo_national']:,} "
        "id_typo) if it grows as the persons do (scaled linearly; an estimate, not a run)"
    )
