"""The incremental refresh of an import gives exactly the full rebuild's tables.

The reference is the full rebuild (storage.refresh_aggregates without `incremental`), whose counts
other tests work out by hand: after every import, the store's persons, coverage_cube and
area_cube must equal, row for row, what a full rebuild of a copy of that store gives.
"""

import datetime as dt
import shutil

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import bench_import
from ingest import importer
from linkage import pseudonym
from store import aggregates, storage

KEY = bytes.fromhex("cd" * 32)
TODAY = dt.date(2025, 6, 15)
DERIVED = (
    "persons", "coverage_cube", "area_cube", "series_cube", "series_service_cube",
    "series_totals", "series_service_totals", "source_quality", "lineage_rows",
)  # fmt: skip
HEADER = (
    "record_id,national_id,full_name,sex,birth_date,province_code,occupation,registered_on,"
    "poverty_level,disability"
)
PROVINCES = ["01", "12", "17"]
OCCUPATIONS = ["tuk_tuk_driver", "food_vendor", "domestic_worker", "formal_employee", ""]
SERVICES = ["NSSF_HEALTH", "HEF", "COVID_CASH", "ELDERLY_ALLOWANCE", "MLVT_SKILLS"]
NATIONAL_IDS = [f"{n:09d}" for n in range(100200300, 100200312)]  # shared across registries


def derived(path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in DERIVED}  # noqa: S608
    finally:
        con.close()


def meta(path, key: str) -> str | None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("select value from store_meta where key = ?", [key]).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def rebuilt(path, tmp_path) -> dict[str, list[tuple]]:
    """The derived tables of a full rebuild of a copy of the store."""
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(path, copy)
    con = duckdb.connect(str(copy))
    try:
        assert storage.refresh_aggregates(con) == "full"
    finally:
        con.close()
    return derived(copy)


def imported(path, data: bytes, kind: str, source: str, append: bool) -> bool:
    """Import the file; False if it is the same file as an earlier one (nothing changed)."""
    request = importer.Request(
        data=data, file_name=f"{kind}.csv", kind=kind, source=source, key=KEY, append=append,
        today=TODAY, user="test",
    )  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result in {"accepted", "duplicate"}, outcome.report.lines()
    return outcome.result == "accepted"


def registration_rows(draw, source: str, count: int) -> list[str]:
    rows = []
    for i in range(count):
        record = draw(st.integers(1, 10))
        national_id = draw(st.sampled_from(["", *NATIONAL_IDS]))
        rows.append(
            ",".join([
                f"{source}-{record}",
                national_id,
                f"Person {national_id or source + str(record)}",
                draw(st.sampled_from(["F", "M"])),
                f"{draw(st.integers(1950, 2005))}-0{draw(st.integers(1, 9))}-1{i % 10}",
                draw(st.sampled_from(PROVINCES)),
                draw(st.sampled_from(OCCUPATIONS)),
                f"{draw(st.integers(2019, 2025))}-0{draw(st.integers(1, 5))}-0{i % 9 + 1}",
                draw(st.sampled_from(["none", "1", "2", ""])),
                draw(st.sampled_from(["true", "false"])),
            ])
        )  # fmt: skip
    unique = {row.split(",", 1)[0]: row for row in rows}  # record_id is unique in a file
    return list(unique.values())


def current_records(path, source: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        query = "select record_id from registrations where source = ? and ended_batch_id is null"
        return sorted(r[0] for r in con.execute(query, [source]).fetchall())
    finally:
        con.close()


def uptake_rows(draw, records: list[str], count: int) -> list[str]:
    rows = {}
    for _ in range(count):
        record = draw(st.sampled_from(records))
        service = draw(st.sampled_from(SERVICES))
        start = dt.date(draw(st.integers(2019, 2025)), draw(st.integers(1, 5)), 1)
        months = draw(st.one_of(st.none(), st.integers(0, 30)))
        end = "" if months is None else (start + dt.timedelta(days=31 * months)).isoformat()
        end = "" if end and end > TODAY.isoformat() else end
        rows[(record, service, start)] = f"{record},{service},{start.isoformat()},{end}"
    return list(rows.values())


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_import_refreshes_incrementally_to_the_full_rebuilds_tables(
    data, tmp_path_factory, monkeypatch
):
    monkeypatch.setattr(aggregates, "INCREMENTAL_SHARE", float("inf"))  # whatever the share
    path = tmp_path_factory.mktemp("incremental") / "coverage.duckdb"
    first = registration_rows(data.draw, "MLVT", 8)
    imported(path, ("\n".join([HEADER, *first]) + "\n").encode(), "registrations", "MLVT", True)
    for _ in range(3):
        source = data.draw(st.sampled_from(["MLVT", "NSSF"]))
        append = data.draw(st.booleans())
        records = current_records(path, source)
        if records and data.draw(st.booleans()):
            rows = uptake_rows(data.draw, records, data.draw(st.integers(1, 6)))
            header, kind = "record_id,service_code,started_on,ended_on", "uptake"
        else:
            rows = registration_rows(data.draw, source, data.draw(st.integers(1, 6)))
            header, kind = HEADER, "registrations"
        if imported(path, ("\n".join([header, *rows]) + "\n").encode(), kind, source, append):
            assert meta(path, "aggregates_mode") == "incremental"
        assert derived(path) == rebuilt(path, tmp_path_factory.mktemp("full"))


def test_a_person_of_no_stated_occupation_shares_the_area_row_of_a_formal_worker(tmp_path):
    """Neither is informal: one area row of two persons (two rows were counted twice by a
    later import's refresh, which adds its change to every row of the key)."""
    path = tmp_path / "coverage.duckdb"
    rows = [
        "MLVT-1,,Person A,F,1990-01-01,12,,2024-01-01,none,false",
        "MLVT-2,,Person B,M,1980-01-01,12,formal_employee,2024-01-01,none,false",
    ]
    imported(path, ("\n".join([HEADER, *rows]) + "\n").encode(), "registrations", "MLVT", True)
    con = duckdb.connect(str(path), read_only=True)
    try:
        last = con.execute(
            "select is_informal, service_mask, persons from area_cube"
            " where month_end = (select max(month_end) from area_cube)"
        ).fetchall()
    finally:
        con.close()
    assert last == [(False, 0, 2)]


@pytest.fixture
def demo_copy(demo_store_file, tmp_path):
    path = tmp_path / "coverage.duckdb"
    shutil.copyfile(demo_store_file, path)
    return path


def test_a_small_import_into_the_demo_store_touches_only_its_persons(demo_copy, tmp_path):
    before = derived(demo_copy)
    data = bench_import.registration_file(300, "csv", seed=7)
    request = importer.Request(
        data=data, file_name="new.csv", kind="registrations", source="MLVT",
        key=pseudonym.DEMO_KEY, append=True, user="test",
    )  # fmt: skip
    assert importer.run(request, demo_copy).result == "accepted"
    assert meta(demo_copy, "aggregates_mode") == "incremental"
    after = derived(demo_copy)
    assert len(after["persons"]) == len(before["persons"]) + 300  # all new national IDs
    assert after == rebuilt(demo_copy, tmp_path)


def registrations_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_a_file_touching_over_a_quarter_of_the_stored_persons_rebuilds_in_full(tmp_path):
    path = tmp_path / "coverage.duckdb"
    person_a = "MLVT-1,,Person A,F,1990-01-01,12,{},2024-01-01,none,false"
    for occupation in ("food_vendor", "tuk_tuk_driver"):  # then 1 of the 1 stored persons touched
        data = registrations_file(person_a.format(occupation))
        imported(path, data, "registrations", "MLVT", True)
    assert meta(path, "aggregates_mode") == "full"


def test_a_file_of_new_persons_only_refreshes_incrementally_however_many(tmp_path):
    path = tmp_path / "coverage.duckdb"
    first = "MLVT-1,,Person A,F,1990-01-01,12,food_vendor,2024-01-01,none,false"
    imported(path, registrations_file(first), "registrations", "MLVT", True)
    # three new persons against one stored: none of the stored touched
    more = [
        "MLVT-2,,Bopha Chan,F,1985-03-02,01,tuk_tuk_driver,2024-02-01,1,false",
        "MLVT-3,,Dara Sok,M,1979-11-20,17,domestic_worker,2024-03-01,none,true",
        "MLVT-4,,Sreymom Keo,F,2001-06-15,12,food_vendor,2024-04-01,2,false",
    ]
    imported(path, registrations_file(*more), "registrations", "MLVT", True)
    assert meta(path, "aggregates_mode") == "incremental"
    assert derived(path) == rebuilt(path, tmp_path)


def test_a_new_month_or_a_rollback_rebuilds_in_full(tmp_path, monkeypatch):
    monkeypatch.setattr(aggregates, "INCREMENTAL_SHARE", float("inf"))
    path = tmp_path / "coverage.duckdb"
    rows = ["MLVT-1,,Person A,F,1990-01-01,12,food_vendor,2024-01-01,none,false"]
    imported(path, ("\n".join([HEADER, *rows]) + "\n").encode(), "registrations", "MLVT", True)
    later = importer.Request(
        data=("\n".join([HEADER, rows[0].replace("MLVT-1", "MLVT-2")]) + "\n").encode(),
        file_name="later.csv", kind="registrations", source="MLVT", key=KEY, append=True,
        today=dt.date(2025, 8, 2), user="test",
    )  # fmt: skip
    assert importer.run(later, path).result == "accepted"
    assert meta(path, "aggregates_mode") == "full"  # July 2025 joins the cube's months
    assert derived(path) == rebuilt(path, tmp_path)
    with storage.write_session(path) as con:  # any writer that does not ask: full
        storage.set_meta(con, note="touched nothing")
    assert meta(path, "aggregates_mode") == "full"
