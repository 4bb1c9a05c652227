"""The demo through the same door as agencies: one file per registry, loaded by the importer.

The generator's persons (generator.py) are written as each registry would export them
(demo/demo_sources.py: own formats, Khmer or romanised names, missing IDs, typos, swapped
dates), then imported in order, in one write session: IDPoor, an early NSSF extract,
MoSVY (whose first file holds a few invalid rows and is rejected, then resent clean),
the labour ministry, then NSSF's later full extract and every registry's service
records. Each registrations file is encoded as its agency would (`encode`, with the demo's
published key) and only the encoded file reaches the Board: MoSVY's first file fails the
agency's own validation and is resent clean. Validation, encoding and linkage therefore
run on the demo exactly as on real files. The encoded and uptake files stay beside the
store (demo_files/) for trying the Import page; the raw registrations never touch a disk.
"""

import datetime as dt
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

import settings
from demo import demo_sources, generator
from ingest import encoding, importer, reference
from linkage import pseudonym
from store import at_rest, faults, storage

DIRT = 0.05
EARLY_EXTRACT_DAYS = 182
NATIVE = {"IDPOOR": demo_sources.idpoor_native, "NSSF": demo_sources.nssf_native}


def _generate(people: int, seed: int, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Registrations (with identities) and uptake of every chunk, as the demo draws them."""
    prov, regs, ups = generator.province_profile(), [], []
    for chunk_no, first in enumerate(range(0, people, generator.CHUNK)):
        rng = np.random.default_rng([seed, chunk_no])
        persons, chunk_regs, uptake = generator._chunk(
            rng, min(generator.CHUNK, people - first), first + 1, prov, as_of
        )
        ups.append(uptake)
        who = demo_sources.identities(rng, persons)
        regs.append(demo_sources.attach(chunk_regs, who, as_of))
    return pd.concat(regs, ignore_index=True), pd.concat(ups, ignore_index=True)


def _registration_files(rng, regs: pd.DataFrame, as_of: dt.date) -> list:
    """Each registry's raw registrations file(s): (file name, frame, source), in import order."""
    provinces = reference.read_csv("provinces")
    files = {}
    for source in generator.SOURCES:
        rows = regs[regs["source"] == source].reset_index(drop=True)
        frame = demo_sources.canonical(demo_sources.dirty(rng, rows, source, DIRT))
        files[source] = NATIVE[source](frame, provinces) if source in NATIVE else frame
    early_cut = (as_of - dt.timedelta(days=EARLY_EXTRACT_DAYS)).isoformat()
    early = files["NSSF"][files["NSSF"]["JOIN_DATE"] <= early_cut]
    bad = _with_invalid_rows(files["MOSVY"])
    plan = [
        ("IDPOOR_members.csv", files["IDPOOR"], "IDPOOR"),
        ("NSSF_members_early.parquet", early, "NSSF"),
        ("MOSVY_clients_v1.csv", bad, "MOSVY"),
        ("MOSVY_clients_v2.csv", files["MOSVY"], "MOSVY"),
        ("MLVT_workers.parquet", files["MLVT"], "MLVT"),
        ("NSSF_members.parquet", files["NSSF"], "NSSF"),
    ]
    return [(name, frame, src) for name, frame, src in plan]


def _encoded_files(plan: list, folder: Path, as_of: dt.date) -> tuple[list, int]:
    """Each raw file encoded at its agency: (path, kind, source) of those that pass, refusals.

    The raw bytes exist in memory only; a file the agency's validation refuses is not sent.
    """
    sent, refused = [], 0
    for name, frame, source in plan:
        raw = _write(io.BytesIO(), frame, Path(name).suffix)
        result = encoding.encode(raw, name, source, pseudonym.DEMO_KEY, as_of)
        if result.content is None:
            refused += 1
            continue
        path = folder / f"{Path(name).stem}.encoded.parquet"
        _save(path, result.content)
        sent.append((path, "registrations", source))
    return sent, refused


def _with_invalid_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with three typical slips: unknown province, future date, repeated record."""
    if len(frame) < 3:  # a tiny demo registry: no room for slips
        return frame
    bad = frame.head(3).copy()
    bad.iloc[0, bad.columns.get_loc("province_code")] = "26"
    bad.iloc[1, bad.columns.get_loc("registered_on")] = "2099-01-01"
    bad = pd.concat([frame, bad.iloc[:2], bad.iloc[[2]]], ignore_index=True)
    return bad


def _uptake_files(uptake: pd.DataFrame, folder: Path) -> list:
    files = []
    for source in generator.SOURCES:
        rows = uptake[uptake["source"] == source]
        frame = pd.DataFrame(
            {
                "record_id": rows["record_id"],
                "service_code": rows["service_code"],
                "started_on": pd.to_datetime(rows["started_on"]).dt.strftime("%Y-%m-%d"),
                "ended_on": pd.to_datetime(rows["ended_on"]).dt.strftime("%Y-%m-%d").fillna(""),
            }
        )
        if source == "NSSF":
            path, data = folder / "NSSF_contributions.csv", demo_sources.nssf_uptake(frame)
        else:
            path, data = folder / f"{source}_services.parquet", frame
        _save(path, _write(io.BytesIO(), data, path.suffix))
        files.append((path, "uptake", source))
    return files


def _save(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    at_rest.protect(path)


def _write(buffer: io.BytesIO, frame: pd.DataFrame, suffix: str) -> bytes:
    """The frame as a .parquet or .csv file's bytes."""
    if suffix == ".parquet":
        frame.astype("string").to_parquet(buffer, index=False)
    else:
        frame.to_csv(buffer, index=False, encoding="utf-8-sig")
    return buffer.getvalue()


def build(
    people: int, seed: int, as_of: dt.date, path=None, encoded_only: bool | None = None
) -> dict[str, int]:
    """Build a fresh demo store by importing the registries' files; return row counts.

    `people` informal workers are drawn; the counts are of what the store holds (persons
    registered somewhere, linked), with `informal_workers` the number drawn.

    `encoded_only`, when given, is the store's setting (builder.build); else a new store's.
    """
    path = Path(path or settings.store_path())
    folder = path.parent / "demo_files"
    shutil.rmtree(folder, ignore_errors=True)  # written afresh by every build
    at_rest.private_folder(folder)  # the store's own modes (0700, files 0600)
    regs, uptake = _generate(people, seed, as_of)
    rng = np.random.default_rng([seed, 99])
    try:
        with storage.no_space_is_clear(path):  # the files need room before the store does
            raw = _registration_files(rng, regs, as_of)
            plan, refused = _encoded_files(raw, folder, as_of)
            plan += _uptake_files(uptake, folder)
    except storage.DiskFull:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    del regs, uptake, raw
    with storage.write_session(path, fresh=True) as con:
        _start(con, people, seed, as_of)
        if encoded_only is not None:
            storage.set_meta(con, encoded_only="on" if encoded_only else "off")
        outcomes = []
        for file, kind, source in plan:
            outcomes.append(_import(con, file, kind, source, as_of))
            faults.point("demo.chunk")  # a point to kill the build at, between two files
        counts = storage.run_statement(con, "imports/demo_counts").iloc[0].to_dict()
    counts["rejected_files"] = refused + sum(o.result == "rejected" for o in outcomes)
    counts["informal_workers"] = people
    return {k: int(v) for k, v in counts.items()}


def _start(con, people: int, seed: int, as_of: dt.date) -> None:
    reference.load_catalogues(con)
    scale = people / generator.NATIONAL_PEOPLE
    reference.load_population(con, reference.modelled_population(as_of.year, scale), 1)
    batch = generator.batches(con, as_of).head(1).assign(file_name="demo generator (modelled)")
    storage.append(con, "import_batches", batch)
    storage.set_meta(
        con, is_demo="true", data_as_of=as_of.isoformat(), demo_seed=str(seed),
        demo_people=str(people), demo_scale=f"{scale:.6f}", demo_route="files",
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )  # fmt: skip


def _import(con, file: Path, kind: str, source: str, as_of: dt.date) -> importer.Outcome:
    """The Board's import of a file: it holds no key (the demo's encoded files need none)."""
    request = importer.Request(
        data=file.read_bytes(), file_name=file.name, kind=kind, source=source, today=as_of,
        user="demo",
    )  # fmt: skip
    return importer.import_into(con, request)
