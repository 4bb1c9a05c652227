"""Import part of the bench: the store's share of every write, and the importer's throughput.

`store_write` needs nothing but the store: it appends new persons' registrations to a
copy of the bench store through storage.write_session and times each step (private copy,
append, aggregates, checkpoint and swap), which every import pays whatever its file.

`importer_figures` times the importer of issue 4 (`importer.run`; skipped while it is not
merged) on generated registration files: rows/s for CSV and Parquet (validation,
pseudonymisation, linkage and the store swap included), XLSX apart on a tenth of the
rows, and the linkage step, taken from the importer's progress stages (`linking` to
`written`) and given per 100,000 records. A file is the labour ministry's: 30% of its
records are persons the store already holds from other registries (their identities
replayed from the demo's generator), the rest new persons, all with the demo's dirt; how
they were linked is scored against the generator's truth.

Interface used, and nothing else of the importer:
    importer.Request(data=bytes, file_name=str, kind="registrations", source=str,
                     key=bytes, today=date, user=str)
    importer.run(request, path, progress=callable(fraction, stage)) -> outcome with
        .result ("accepted" when loaded) and .report.lines()
"""

import contextlib
import datetime as dt
import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from data_access import reads
from demo import demo_linkage, demo_sources, generator
from linkage import blocking, matching, pseudonym
from store import storage

# Bench stores are demo stores, pseudonymised with the demo's key: an import under another
# key would be refused (it would break linkage with every earlier batch).
KEY = pseudonym.DEMO_KEY
COLUMNS = [
    "record_id", "national_id", "full_name", "sex", "birth_date", "birth_year",
    "province_code", "district_code", "commune_code", "occupation", "registered_on",
    "poverty_level", "disability",
]  # fmt: skip


@contextlib.contextmanager
def linked_copy(path: Path) -> Iterator[Path]:
    """A hard link to the store in a scratch folder beside it.

    A writer replaces the link by its new version; the bench store's own file stays as it is.
    """
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".bench-") as folder:
        copy = Path(folder) / path.name
        os.link(path, copy)
        yield copy


@contextlib.contextmanager
def timed(module, name: str, spent: dict) -> Iterator[None]:
    """Add the time spent in module.name (for the duration of the block) to spent[name]."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def new_registrations(rows: int, first_key: int, as_of: dt.date) -> pd.DataFrame:
    """Registrations of `rows` new persons in the store's own columns (the demo's generator).

    The generator draws informal workers, of whom registries reach a minority: it draws
    more until `rows` registrations are found.
    """
    drawn = rows * 4
    while True:
        rng = np.random.default_rng([20261130, rows])
        _, regs, _ = generator._chunk(rng, drawn, first_key, generator.province_profile(), as_of)
        if len(regs) >= rows:
            return regs.head(rows)
        drawn *= 2


def store_write(path: Path, rows: int = 100_000) -> dict:
    """Append `rows` registrations to a copy of the store and time each step of the write."""
    regs = new_registrations(rows, last_person_key(path) + 1, dt.date(2026, 10, 31))
    spent: dict[str, float] = {}
    with linked_copy(path) as copy, timed(storage, "refresh_aggregates", spent):
        started = time.perf_counter()
        with storage.write_session(copy, incremental=True) as writer:
            copied = time.perf_counter()
            storage.append(
                writer, "registrations", regs.assign(batch_id=storage.next_batch_id(writer))
            )
            appended = time.perf_counter()
        done = time.perf_counter()
        mode = _meta(copy, "aggregates_mode")
    aggregates = spent["refresh_aggregates"]
    return {
        "rows": len(regs),
        "aggregates_mode": mode,
        "copy_s": round(copied - started, 1),
        "append_s": round(appended - copied, 1),
        "aggregates_s": round(aggregates, 1),
        "checkpoint_and_swap_s": round(done - appended - aggregates, 1),
        "total_s": round(done - started, 1),
        "rows_per_s": round(len(regs) / (done - started)),
    }


def _meta(path: Path, key: str) -> str | None:
    return _meta_all(path).get(key)


def _meta_all(path: Path) -> dict[str, str]:
    with storage.open_read(path) as con:
        return storage.meta_values(con)


def _read(path: Path, name: str, **params) -> pd.DataFrame:
    """The rows of queries/<name>.sql on the store at `path`, read and closed at once."""
    with storage.open_read(path) as con:
        return reads.run(con, name, **params)


# Share of a bench file's records that are persons the store already holds (registered by
# other registries): linkage.EXPECTED_OVERLAP, as in the importer's prior.
OVERLAP = 0.3
# Generator keys of a bench file's new persons: above every stored demo person's, so their
# national IDs (a bijection of the key, demo_sources.identities) are nobody's in the store.
NEW_KEYS = 500_000_000
# The date of a bench file: its records' registration date and the import's `today`.
FILE_DATE = dt.date(2026, 10, 31)


def stored_identities(path: Path, count: int) -> pd.DataFrame:
    """Identities of `count` persons of a demo store who are not in the labour ministry's registry.

    The generator is replayed chunk by chunk with the store's seed and data date, so the
    persons come out as the build drew them: key, place, national ID, name, birth date.
    """
    values = _meta_all(path)
    seed, as_of = int(values["demo_seed"]), dt.date.fromisoformat(values["data_as_of"])
    people, prov, found = int(values["demo_people"]), generator.province_profile(), []
    for chunk_no, first in enumerate(range(0, people, generator.CHUNK)):
        rng = np.random.default_rng([seed, chunk_no])
        persons, regs, _ = generator._chunk(
            rng, min(generator.CHUNK, people - first), first + 1, prov, as_of
        )
        who = demo_sources.identities(rng, persons)
        poverty = regs.drop_duplicates("person_key").set_index("person_key")["poverty_level"]
        who["poverty_level"] = who["person_key"].map(poverty)  # a person's, in every registry
        found.append(who[~who["person_key"].isin(regs.loc[regs["source"] == "MLVT", "person_key"])])
        if sum(map(len, found)) >= count:
            break
    return pd.concat(found, ignore_index=True).head(count)


def file_records(
    rows: int, seed: int = 1, known: pd.DataFrame | None = None, as_of: dt.date = FILE_DATE
) -> pd.DataFrame:
    """A labour-ministry file of `rows` records in canonical text columns, with the truth.

    Records are written as the agency writes them (demo_sources.dirty: romanised names,
    given name first, missing IDs, the demo's dirt); the first are the `known` persons
    (stored_identities), the rest new persons. `person_key` is the generator's: the truth
    linkage is scored against.
    """
    rng = np.random.default_rng([seed, rows])
    known = known.head(rows) if known is not None else pd.DataFrame()
    people = generator._persons(
        rng, rows - len(known), NEW_KEYS, generator.province_profile(), as_of
    )
    who = pd.concat([known, demo_sources.identities(rng, people)], ignore_index=True)
    new_poverty = rng.choice(["none", "1", "2"], len(who))
    regs = who.assign(
        record_id=[f"BENCH-{i:09d}" for i in range(rows)],
        registered_on=as_of.isoformat(),
        poverty_level=who.get("poverty_level", pd.Series(index=who.index)).fillna(
            pd.Series(new_poverty, index=who.index)
        ),
    )
    regs = demo_sources.attach(regs.drop(columns=demo_sources.IDENTITY), who, as_of)
    records = demo_sources.canonical(demo_sources.dirty(rng, regs, "MLVT", demo_linkage.DIRT))
    return records.assign(person_key=who["person_key"].to_numpy())


def registration_file(
    rows: int, fmt: str, seed: int = 1, known=None, as_of: dt.date = FILE_DATE
) -> bytes:
    """A registrations file of `rows` records (file_records) in the importer's columns."""
    return file_bytes(file_records(rows, seed, known, as_of), fmt)


def file_bytes(records: pd.DataFrame, fmt: str) -> bytes:
    """The records' importer columns as a CSV, Parquet or XLSX file."""
    frame = records[COLUMNS]
    out = io.BytesIO()
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_excel(out, index=False)
    return out.getvalue()


def last_person_key(path: Path) -> int:
    """The greatest person_key of the store (0 when it holds nobody)."""
    return int(_read(path, "bench/next_person_key")["person_key"].iloc[0]) - 1


def linkage_quality(path: Path, records: pd.DataFrame, people: int) -> dict[str, int]:
    """How the imported bench file's records were linked, against the generator's truth.

    known: records of persons the store held (keys up to `people` before the import);
    found: linked to that person; elsewhere: linked to another stored person. new: records
    of new persons; to_stored: linked to a stored person (a false match).
    """
    got = _read(path, "bench/linked_records", source="MLVT", prefix="BENCH-")
    linked = records.merge(got, on="record_id", suffixes=("", "_linked"))
    known = linked["person_key"] < NEW_KEYS
    found = linked["person_key_linked"] == linked["person_key"]
    stored = linked["person_key_linked"] <= people
    return {
        "known": int(known.sum()),
        "found": int((known & found).sum()),
        "elsewhere": int((known & ~found & stored).sum()),
        "new": int((~known).sum()),
        "to_stored": int((~known & stored).sum()),
    }


def _import_once(
    importer, path: Path, data: bytes, fmt: str, as_of: dt.date = FILE_DATE
) -> dict[str, float]:
    """Seconds for the whole import and for each of its stages (an encoded file has no key)."""
    stages: dict[str, float] = {}
    request = importer.Request(
        data=data, file_name=f"bench.{fmt}", kind="registrations", source="MLVT",
        key=None if fmt == "encoded.parquet" else KEY, append=True, today=as_of, user="bench",
    )  # fmt: skip

    def progress(fraction: float, stage: str) -> None:
        stages.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    outcome = importer.run(request, path, progress=progress)
    done = time.perf_counter()
    if outcome.result != "accepted":
        raise RuntimeError("bench import refused: " + " ".join(outcome.report.lines()[:3]))
    marks = [started]
    for stage in importer.STAGES:  # a stage the path skips (an encoded file's) takes no time
        marks.append(stages.get(stage, marks[-1]))
    marks.append(done)
    names = ["copy", "read_and_validate", "start_writing", "pseudonymise", "link_and_append",
             "aggregates_checkpoint_swap"]  # fmt: skip
    seconds = {n: round(b - a, 2) for n, a, b in zip(names, marks[:-1], marks[1:], strict=True)}
    return {"total_s": round(done - started, 2), **seconds}


def importer_figures(path: Path, rows: int = 1_000_000) -> dict:
    """Import rows/s by format, linkage seconds per 100,000 records and linkage quality.

    Each file holds OVERLAP persons of the store (when it is a demo store built by the
    direct route, whose generator can be replayed) and new persons.
    """
    from ingest import importer

    values = _meta_all(path)
    as_of = dt.date.fromisoformat(values.get("data_as_of", FILE_DATE.isoformat()))
    # the direct route keeps the generator's person keys (the importer's linkage gives its own)
    replayable = values.get("demo_route") == "direct"
    known = stored_identities(path, int(rows * OVERLAP)) if replayable else None
    people = last_person_key(path)
    figures = {"rows": rows, "known_share": OVERLAP if replayable else 0.0}
    figures["stored_features"] = int(_read(path, "bench/linkage_candidates")["records"].iloc[0])
    linkage = []
    for fmt, n in (("csv", rows), ("parquet", rows), ("xlsx", rows // 10)):
        records = file_records(n, known=known, as_of=as_of)
        data = file_bytes(records, fmt)
        spent: dict[str, float] = {}
        with linked_copy(path) as copy, probabilistic_linkage(spent):
            seconds = _import_once(importer, copy, data, fmt, as_of)
            mode = _meta(copy, "aggregates_mode")
            if fmt == "csv":
                figures["linkage_quality"] = linkage_quality(copy, records, people)
        figures[f"{fmt}_rows"], figures[f"{fmt}_rows_per_s"] = n, round(n / seconds["total_s"])
        figures[f"{fmt}_stages_s"] = seconds | {"aggregates_mode": mode}
        linkage.append(seconds["link_and_append"] / n * 100_000)
        figures[f"{fmt}_floor"] = floor(n, seconds["total_s"], spent)
    figures["linkage_s_per_100k"] = round(min(linkage), 1)
    return figures | encoded_figures(importer, path, rows, known, people, as_of)


@contextlib.contextmanager
def probabilistic_linkage(spent: dict) -> Iterator[None]:
    """Time, into spent, the two parts of an import's probabilistic linkage.

    blocking.candidates: the store's query for the stored records that meet a blocking rule
    with an incoming one; matching.predict: Splink finding and scoring the pairs.
    """
    with timed(blocking, "candidates", spent), timed(matching, "predict", spent):
        yield


def floor(rows: int, total_s: float, spent: dict) -> dict:
    """The import's probabilistic linkage apart from the rest, and the rows/s of the rest.

    The rest (reading, validation, pseudonymisation, the ID and record lookups, appends,
    aggregates, checkpoint and swap) bounds the import's rows/s however fast linkage were.
    """
    linkage_s = sum(spent.values())
    rest_s = total_s - linkage_s
    return {
        "candidates_s": round(spent.get("candidates", 0.0), 2),
        "splink_s": round(spent.get("predict", 0.0), 2),
        "rest_s": round(rest_s, 2),
        "rest_rows_per_s": round(rows / max(rest_s, 1e-6)),
    }


def encoded_figures(importer, path: Path, rows: int, known, people: int, as_of: dt.date) -> dict:
    """`encode` at the agency (rows/s of a CSV) and the Board's import of the encoded file."""
    from ingest import encoding

    records = file_records(rows, known=known, as_of=as_of)
    data = file_bytes(records, "csv")
    started = time.perf_counter()
    result = encoding.encode(data, "bench.csv", "MLVT", KEY, as_of)
    seconds = time.perf_counter() - started
    if result.content is None:
        raise RuntimeError("bench encode refused: " + " ".join(result.report.lines()[:3]))
    with linked_copy(path) as copy:
        stages = _import_once(importer, copy, result.content, "encoded.parquet", as_of)
        quality = linkage_quality(copy, records, people)
    return {
        "encode_rows_per_s": round(rows / seconds),
        "encoded_import_rows_per_s": round(rows / stages["total_s"]),
        "encoded_stages_s": stages,
        "linkage_quality_encoded": quality,
    }
