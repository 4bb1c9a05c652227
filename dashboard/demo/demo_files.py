"""The demo through the same door as agencies: one file per registry, loaded by the importer.

The generator's persons (generator.py) are written as each registry would export them
(demo/demo_sources.py: own formats, Khmer or romanised names, missing IDs, typos, swapped
dates), then imported in order, in one write session: IDPoor, an early NSSF extract,
MoSVY (whose first file holds a few invalid rows and is rejected, then resent clean),
the labour ministry, then NSSF's later full extract and every registry's service
records. Validation, pseudonymisation and linkage therefore run on the demo exactly as
on real files; the files stay beside the store (demo_files/) for trying the Import page.
"""

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

import settings
from demo import demo_sources, generator
from ingest import importer, reference
from linkage import pseudonym
from store import faults, storage

DIRT = 0.05
EARLY_EXTRACT_DAYS = 182
NATIVE = {"IDPOOR": demo_sources.idpoor_native, "NSSF": demo_sources.nssf_native}


def _generate(people: int, seed: int, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Registrations (with identities) and uptake of every chunk, as the demo draws them."""
    prov, regs, ups = generator.province_profile(), [], []
    for chunk_no, first in enumerate(range(0, people, generator.CHUNK)):
        rng = np.random.default_rng([seed, chunk_no])
        persons = generator._persons(
            rng, min(generator.CHUNK, people - first), first + 1, prov, as_of
        )
        chunk_regs, reg_days = generator._registrations(rng, persons, generator._day(as_of))
        ups.append(
            generator._uptake(generator._episodes(rng, persons, reg_days, generator._day(as_of)))
        )
        who = demo_sources.identities(rng, persons)
        regs.append(demo_sources.attach(chunk_regs, who, as_of))
    return pd.concat(regs, ignore_index=True), pd.concat(ups, ignore_index=True)


def _registration_files(rng, regs: pd.DataFrame, folder: Path, as_of: dt.date) -> list:
    """Each registry's registrations file(s): (path, kind, source), in import order."""
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
    return [(_write(folder / name, frame), "registrations", src) for name, frame, src in plan]


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
            path = _write(folder / "NSSF_contributions.csv", demo_sources.nssf_uptake(frame))
        else:
            path = _write(folder / f"{source}_services.parquet", frame)
        files.append((path, "uptake", source))
    return files


def _write(path: Path, frame: pd.DataFrame) -> Path:
    if path.suffix == ".parquet":
        frame.astype("string").to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def build(people: int, seed: int, as_of: dt.date, path=None) -> dict[str, int]:
    """Build a fresh demo store by importing the registries' files; return row counts."""
    path = Path(path or settings.store_path())
    folder = path.parent / "demo_files"
    folder.mkdir(parents=True, exist_ok=True)
    regs, uptake = _generate(people, seed, as_of)
    rng = np.random.default_rng([seed, 99])
    try:
        with storage.no_space_is_clear(path):  # the files need room before the store does
            plan = _registration_files(rng, regs, folder, as_of) + _uptake_files(uptake, folder)
    except storage.DiskFull:
        shutil.rmtree(folder, ignore_errors=True)  # written afresh by every build
        raise
    del regs, uptake
    with storage.write_session(path, fresh=True) as con:
        _start(con, people, seed, as_of)
        outcomes = []
        for file, kind, source in plan:
            outcomes.append(_import(con, file, kind, source, as_of))
            faults.point("demo.chunk")  # a point to kill the build at, between two files
        counts = storage.run_statement(con, "imports/demo_counts").iloc[0].to_dict()
    counts["rejected_files"] = sum(o.result == "rejected" for o in outcomes)
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
    request = importer.Request(
        data=file.read_bytes(), file_name=file.name, kind=kind, source=source,
        key=pseudonym.DEMO_KEY, today=as_of, user="demo",
    )  # fmt: skip
    return importer.import_into(con, request)
