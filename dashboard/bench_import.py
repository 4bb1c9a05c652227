"""Import part of the bench: the store's share of every write, and the importer's throughput.

`store_write` needs nothing but the store: it appends new persons' registrations to a
copy of the bench store through store.write_session and times each step (private copy,
append, aggregates, checkpoint and swap), which every import pays whatever its file.

`importer_figures` times the importer of issue 4 (`importer.run`; skipped while it is not
merged) on generated registration files: rows/s for CSV and Parquet (validation,
pseudonymisation and the store swap included), XLSX apart on a tenth of the rows, and
the linkage step, taken from the importer's progress stages (`linking` to `written`)
and given per 100,000 records. Interface used, and nothing else of the importer:
    importer.Request(data=bytes, file_name=str, kind="registrations", source=str,
                     key=bytes, today=date, user=str)
    importer.run(request, path, progress=callable(fraction, stage)) -> outcome with
        .result ("accepted" when loaded) and .report.lines()
"""

import contextlib
import datetime as dt
import importlib.util
import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

import data_access
import demo
import demo_sources
import pseudonym
import store

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
    """Registrations of `rows` new persons in the store's own columns (the demo's generator)."""
    rng = np.random.default_rng([20261130, rows])
    regs, _ = demo._chunk(rng, rows, first_key, demo.province_profile(), as_of)
    return regs.head(rows)


def store_write(path: Path, rows: int = 100_000) -> dict:
    """Append `rows` registrations to a copy of the store and time each step of the write."""
    con = store.open_read(path)
    try:
        first_key = int(data_access.run(con, "bench_next_person_key")["person_key"].iloc[0])
    finally:
        con.close()
    regs = new_registrations(rows, first_key, dt.date(2026, 10, 31))
    spent: dict[str, float] = {}
    with linked_copy(path) as copy, timed(store, "refresh_aggregates", spent):
        started = time.perf_counter()
        with store.write_session(copy, incremental=True) as writer:
            copied = time.perf_counter()
            store.append(writer, "registrations", regs.assign(batch_id=store.next_batch_id(writer)))
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
    con = store.open_read(path)
    try:
        return store.meta_values(con).get(key)
    finally:
        con.close()


def registration_file(rows: int, fmt: str, seed: int = 1) -> bytes:
    """A registrations file of `rows` new records in the importer's canonical columns."""
    rng = np.random.default_rng(seed)
    provinces = demo.province_profile().index.to_numpy()
    province = rng.choice(provinces, rows)
    district, commune = demo._communes(rng, province)
    born = pd.Timestamp("1960-01-01") + pd.to_timedelta(rng.integers(0, 16_000, rows), "D")
    sex = rng.choice(["F", "M"], rows)
    frame = pd.DataFrame(
        {
            "record_id": [f"BENCH-{i:09d}" for i in range(rows)],
            "national_id": [f"{n:09d}" for n in rng.integers(0, 10**9, rows)],
            "full_name": _names(rng, sex),
            "sex": sex,
            "birth_date": born.strftime("%Y-%m-%d"),
            "birth_year": "",
            "province_code": province,
            "district_code": district,
            "commune_code": commune,
            "occupation": rng.choice(demo.OCCUPATIONS, rows),
            "registered_on": "2026-10-15",
            "poverty_level": rng.choice(["none", "1", "2"], rows),
            "disability": "false",
        }
    )[COLUMNS]
    out = io.BytesIO()
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_excel(out, index=False)
    return out.getvalue()


def _names(rng, sex: np.ndarray) -> np.ndarray:
    """Names as agencies send them (the demo's), so that linkage features cost what they do.

    A third in Khmer script, the rest romanised in either order, one in twenty with a
    typing slip (so that not every token repeats).
    """
    people = pd.DataFrame(
        {
            "sex": sex,
            "family": rng.integers(0, len(demo_sources.FAMILY), len(sex)),
            "given": rng.integers(0, len(demo_sources.GIVEN_F), len(sex)),
        }
    )
    khmer = rng.random(len(sex)) < 1 / 3
    names = demo_sources._names(rng, people, "latin", family_first=False)
    names[khmer] = demo_sources._names(rng, people[khmer], "km", family_first=True)
    slips = np.flatnonzero(rng.random(len(sex)) < 0.05)
    names[slips] = [demo_sources._typo(rng, name) for name in names[slips]]
    return names


def _import_once(importer, path: Path, data: bytes, fmt: str) -> dict[str, float]:
    """Seconds for the whole import and for each of its stages."""
    stages: dict[str, float] = {}
    request = importer.Request(
        data=data, file_name=f"bench.{fmt}", kind="registrations", source="MLVT", key=KEY,
        append=True, today=dt.date(2026, 10, 31), user="bench",
    )  # fmt: skip

    def progress(fraction: float, stage: str) -> None:
        stages.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    outcome = importer.run(request, path, progress=progress)
    done = time.perf_counter()
    if outcome.result != "accepted":
        raise RuntimeError("bench import refused: " + " ".join(outcome.report.lines()[:3]))
    marks = [started] + [stages.get(s, started) for s in importer.STAGES] + [done]
    names = ["copy", "read_and_validate", "start_writing", "pseudonymise", "link_and_append",
             "aggregates_checkpoint_swap"]  # fmt: skip
    seconds = {n: round(b - a, 2) for n, a, b in zip(names, marks[:-1], marks[1:], strict=True)}
    return {"total_s": round(done - started, 2), **seconds}


def importer_figures(path: Path, rows: int = 1_000_000) -> dict | None:
    """Import rows/s by format and linkage seconds per 100,000 records; None without importer."""
    if importlib.util.find_spec("importer") is None:
        return None
    import importer

    figures, linkage = {"rows": rows}, []
    for fmt, n in (("csv", rows), ("parquet", rows), ("xlsx", rows // 10)):
        data = registration_file(n, fmt)
        with linked_copy(path) as copy:
            seconds = _import_once(importer, copy, data, fmt)
            mode = _meta(copy, "aggregates_mode")
        figures[f"{fmt}_rows_per_s"] = round(n / seconds["total_s"])
        figures[f"{fmt}_stages_s"] = seconds | {"aggregates_mode": mode}
        linkage.append(seconds["link_and_append"] / n * 100_000)
    figures["linkage_s_per_100k"] = round(min(linkage), 1)
    return figures
