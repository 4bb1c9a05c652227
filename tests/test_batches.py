"""Undoing imports: rolling back a batch, restoring a kept store version."""

import duckdb
import pytest

from ingest import batches, importer
from store import storage

KEY = bytes.fromhex("ab" * 32)
HEADER = "record_id,national_id,full_name,sex,birth_date,province_code,registered_on"


def load(path, rows, source="MLVT", append=False, allow_end=None):
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    request = importer.Request(
        data=data, file_name="f.csv", kind="registrations", source=source, key=KEY,
        append=append, allow_end=allow_end,
    )  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    return outcome.batch_id


def state(path):
    con = duckdb.connect(str(path), read_only=True)
    regs = con.execute(
        "select record_id, batch_id, ended_batch_id from registrations order by all"
    ).fetchall()
    persons = con.execute("select count(*) from persons").fetchone()[0]
    ids = con.execute("select count(*) from person_ids").fetchone()[0]
    con.close()
    return regs, persons, ids


@pytest.fixture
def path(tmp_path):
    return tmp_path / "coverage.duckdb"


def test_rolling_back_a_full_extract_reopens_what_it_superseded(path):
    first = load(path, ["A,111122223,Sok Dara,M,1990-01-01,12,2024-01-01",
                        "B,,Chan Thida,F,1991-01-01,12,2024-01-01"])  # fmt: skip
    second = load(
        path,
        [
            "A,111122223,Sok Dara,M,1990-01-01,12,2024-01-01",
            "C,555566667,Ly Vanna,F,1992-01-01,12,2024-02-01",
        ],
        allow_end=1,
    )  # fmt: skip  (B ends: 1 of 2, confirmed)
    regs, persons, ids = state(path)
    assert (
        regs,
        persons,
        ids,
    ) == (
        [("A", first, second), ("A", second, None), ("B", first, second), ("C", second, None)],
        2,
        2,
    )
    message = batches.rollback(second, path)
    assert "rolled back" in message
    regs, persons, ids = state(path)
    assert regs == [("A", first, None), ("B", first, None)]
    assert persons == 2
    assert ids == 1  # C's ID hash went with its batch; A's belongs to the first batch


def test_only_the_latest_batch_of_a_source_can_be_rolled_back(path):
    first = load(path, ["A,,Sok Dara,M,1990-01-01,12,2024-01-01"])
    load(path, ["B,,Chan Thida,F,1991-01-01,12,2024-01-01"], append=True)
    with pytest.raises(ValueError, match="roll those back first"):
        batches.rollback(first, path)
    with pytest.raises(ValueError, match="no import batch 99"):
        batches.rollback(99, path)


def test_a_rolled_back_batch_cannot_be_rolled_back_twice(path):
    batch = load(path, ["A,,Sok Dara,M,1990-01-01,12,2024-01-01"])
    batches.rollback(batch, path)
    with pytest.raises(ValueError, match="was rolled back"):
        batches.rollback(batch, path)


def test_restoring_a_kept_version_undoes_a_bad_day(path):
    load(path, ["A,,Sok Dara,M,1990-01-01,12,2024-01-01"])
    good = state(path)
    load(path, ["B,,Chan Thida,F,1991-01-01,12,2024-01-01"], append=True)
    assert state(path) != good
    newest = batches.versions(path)[0]  # the store as it was before the last import
    storage.restore(newest, path)
    assert state(path) == good
    with pytest.raises(ValueError, match="not a kept version"):
        storage.restore(path, path)


def test_a_reader_opened_after_an_import_sees_it_while_an_older_reader_is_open(path):
    load(path, ["A,,Sok Dara,M,1990-01-01,12,2024-01-01"])
    old = storage.open_read(path)
    load(path, ["B,,Chan Thida,F,1991-01-01,12,2024-01-01"], append=True)
    new = storage.open_read(path)
    count = "select count(*) from registrations"
    assert old.execute(count).fetchone()[0] == 1  # its snapshot, untouched
    assert new.execute(count).fetchone()[0] == 2
    old.close()
    new.close()
    assert not list(path.parent.glob("*.read"))


def test_a_store_built_by_older_code_gets_the_new_schema_and_keeps_its_data(path):
    import duckdb

    load(path, ["A,,Sok Dara,M,1990-01-01,12,2024-01-01"])
    con = duckdb.connect(str(path))
    con.execute("drop table linkage_features")
    con.execute("alter table registrations drop column ended_batch_id")
    con.close()
    assert storage.upgrade_schema(path) is True
    assert storage.upgrade_schema(path) is False
    regs, persons, _ = state(path)
    assert regs == [("A", 1, None)]
    assert persons == 1
