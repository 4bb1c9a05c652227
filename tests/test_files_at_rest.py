"""Files at rest: the store, its kept versions and the app database are the owner's alone.

Every write path is exercised (a demo build, imports, a rollback, a restore, an older
store's file) under a permissive umask, so that the modes come from the code, not from the
test runner's umask.
"""

import datetime as dt
import grp
import os
import stat
from pathlib import Path

import pytest

from appdb import accounts, audit, database
from demo import builder
from ingest import batches, importer
from store import at_rest, storage

HEADER = b"record_id,full_name,sex,birth_date,province_code,registered_on\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def import_rows(path: Path, *rows: bytes, append: bool = True) -> int:
    request = importer.Request(
        data=HEADER + b"".join(rows), file_name="a.csv", kind="registrations", source="MLVT",
        key=bytes(32), append=append,
    )  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    return outcome.batch_id


def store_files(path: Path) -> dict[str, int]:
    """Mode of the store, each kept version, each snapshot link and the folders around them."""
    found = {path.name: mode(path)}
    for sub in ("versions", ".snapshots", "demo_files"):
        folder = path.parent / sub
        if folder.exists():
            found[sub + "/"] = mode(folder)
            found |= {f"{sub}/{f.name}": mode(f) for f in folder.iterdir()}
    return found


def assert_private(path: Path, file: int = 0o600, folder: int = 0o700) -> None:
    found = store_files(path)
    wrong = {n: oct(m) for n, m in found.items() if m != (folder if n.endswith("/") else file)}
    assert wrong == {}


def test_a_demo_build_writes_a_private_store(tmp_path):
    path = tmp_path / "data" / "coverage.duckdb"
    builder.build(300, 1, dt.date(2024, 6, 30), path=path)
    assert mode(path) == 0o600
    storage.open_read(path).close()
    assert len(list((path.parent / "demo_files").iterdir())) >= 8  # encoded and uptake files
    assert_private(path)


def test_imports_a_rollback_and_a_restore_keep_every_version_private(tmp_path):
    path = tmp_path / "data" / "coverage.duckdb"
    import_rows(path, b"A,Sok Dara,M,1990-01-01,12,2024-01-01\n", append=False)  # a new store
    assert mode(path.parent) == 0o700  # a data folder the store's writer created
    assert_private(path)
    batch = import_rows(path, b"B,Chan Dara,F,1991-02-02,12,2024-02-01\n")  # a swap
    assert_private(path)
    assert batches.rollback(batch, path)
    storage.open_read(path).close()  # a snapshot link
    kept = storage.list_versions(path)
    assert len(kept) == 2
    assert_private(path)
    storage.restore(kept[0], path)
    assert len(storage.list_versions(path)) == 3
    assert_private(path)
    assert os.umask(0) == 0  # the process's own umask is back after every writer


def test_a_store_written_before_files_were_protected_is_protected_by_the_next_write(tmp_path):
    path = tmp_path / "coverage.duckdb"
    import_rows(path, b"A,Sok Dara,M,1990-01-01,12,2024-01-01\n", append=False)
    path.chmod(0o644)  # as older code left it
    import_rows(path, b"B,Chan Dara,F,1991-02-02,12,2024-02-01\n")
    assert_private(path)  # the new store and the old one, now a kept version


def test_nothing_a_writer_holds_is_readable_by_others_while_it_writes(tmp_path):
    path = tmp_path / "coverage.duckdb"
    import_rows(path, b"A,Sok Dara,M,1990-01-01,12,2024-01-01\n", append=False)
    with storage.write_session(path) as con:
        con.execute("create table scratch as select range as n from range(100000)")
        con.execute("insert into scratch select range from range(100000)")
        private = list(tmp_path.glob(f".{path.name}.*.tmp*"))  # the copy and its WAL
        assert private
        assert {p.name: mode(p) & 0o077 for p in private} == {p.name: 0 for p in private}


def test_the_app_database_and_its_wal_are_private(app_db):
    accounts.add("root", "admin", "a long enough password")
    con = database.connect(app_db)  # held open: SQLite keeps its -wal and -shm files
    audit.record("root", "test", {"n": 1})
    parts = [app_db, Path(f"{app_db}-wal"), Path(f"{app_db}-shm")]
    assert {p.name: mode(p) for p in parts} == {p.name: 0o600 for p in parts}
    con.close()


def test_an_app_database_made_before_is_made_private(app_db):
    app_db.touch(mode=0o644)
    app_db.chmod(0o644)
    audit.record("root", "test", {"n": 1})
    assert mode(app_db) == 0o600


def own_group() -> str:
    return grp.getgrgid(os.getegid()).gr_name


def test_with_a_data_group_files_are_0640_and_folders_0750(tmp_path, monkeypatch, app_db):
    monkeypatch.setenv("COVERAGE_DATA_GROUP", own_group())
    path = tmp_path / "coverage.duckdb"
    import_rows(path, b"A,Sok Dara,M,1990-01-01,12,2024-01-01\n", append=False)
    import_rows(path, b"B,Chan Dara,F,1991-02-02,12,2024-02-01\n")
    assert_private(path, file=0o640, folder=0o750)
    assert path.stat().st_gid == os.getegid()
    audit.record("root", "test", {"n": 1})
    assert mode(app_db) == 0o640


def test_an_unknown_data_group_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COVERAGE_DATA_GROUP", "no-such-group-here")
    with pytest.raises(ValueError, match="COVERAGE_DATA_GROUP names no group"):
        at_rest.file_mode()
