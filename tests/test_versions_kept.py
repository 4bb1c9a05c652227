"""Issue 16: a version is kept only when a write changes data, as many as an admin says."""

import json

import pytest

import cli
from appdb import database
from ingest import batches, importer
from store import storage

KEY = bytes.fromhex("ab" * 32)
HEADER = "record_id,national_id,full_name,sex,birth_date,province_code,registered_on"


def registrations(*records: str) -> bytes:
    rows = [f"{r},,Name {r},F,1990-01-01,12,2024-03-02" for r in records]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run(path, data: bytes, append=True) -> str:
    request = importer.Request(data=data, file_name="f.csv", kind="registrations",
                               source="MLVT", key=KEY, append=append)  # fmt: skip
    return importer.run(request, path).result


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "coverage.duckdb"
    monkeypatch.setenv("COVERAGE_DB", str(path))
    assert run(path, registrations("R-1")) == "accepted"
    return path


def test_rejected_and_duplicate_imports_keep_no_version(store):
    assert run(store, registrations("R-2")) == "accepted"
    good = batches.versions(store)
    assert len(good) == 1  # the store before R-2
    for number in range(8):  # eight bad files in a row
        assert run(store, registrations(f"R-{number}").replace(b",12,", b",99,")) == "rejected"
    assert run(store, registrations("R-2")) == "duplicate"
    assert batches.versions(store) == good
    with storage.open_read(store) as con:
        results = [r for (r,) in con.execute("select result from import_batches").fetchall()]
    assert results == ["accepted", "accepted", *["rejected"] * 8, "duplicate"]  # all recorded


def test_an_administrator_sets_how_many_versions_are_kept(store, app_db, capsys):
    assert cli.main(["store", "versions-kept", "2"]) == 0
    assert "versions_kept is 2" in capsys.readouterr().out
    assert batches.versions(store) == []  # a setting is not data: nothing kept for it
    for number in range(2, 6):
        assert run(store, registrations(f"R-{number}")) == "accepted"
    assert len(batches.versions(store)) == 2
    assert cli.main(["store", "versions-kept"]) == 0
    assert capsys.readouterr().out == "versions_kept: 2\n"
    con = database.connect(app_db)
    rows = con.execute("select action, detail from audit_log").fetchall()
    con.close()
    assert ("store_setting", {"setting": "versions_kept", "value": "2"}) in [
        (a, json.loads(d)) for a, d in rows
    ]
    assert cli.main(["store", "versions-kept", "0"]) == 1
    assert "from 1 to 100 earlier versions, not 0" in capsys.readouterr().err
