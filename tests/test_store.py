import pandas as pd
import pytest

from store import storage


def count(path) -> int:
    con = storage.open_read(path)
    try:
        return con.execute("select count(*) from import_batches").fetchone()[0]
    finally:
        con.close()


def add_batch(con, batch_id: int) -> None:
    frame = pd.DataFrame(
        {"batch_id": [batch_id], "kind": ["test"], "result": ["ok"],
         "imported_at": [pd.Timestamp("2024-01-01")]}
    )  # fmt: skip
    storage.append(con, "import_batches", frame)


def test_a_reader_keeps_its_snapshot_while_a_new_version_swaps_in(tmp_path):
    path = tmp_path / "s.duckdb"
    with storage.write_session(path, fresh=True) as con:
        add_batch(con, 1)
    reader = storage.open_read(path)
    before = storage.version(path)
    with storage.write_session(path) as con:
        add_batch(con, 2)
    assert reader.execute("select count(*) from import_batches").fetchone()[0] == 1
    assert count(path) == 2
    assert storage.version(path) != before
    assert len(storage.list_versions(path)) == 1
    reader.close()


def test_a_failed_write_leaves_the_store_and_the_folder_as_they_were(tmp_path):
    path = tmp_path / "s.duckdb"
    with storage.write_session(path, fresh=True) as con:
        add_batch(con, 1)
    before = (storage.version(path), sorted(p.name for p in tmp_path.iterdir()))

    def failing_import():
        with storage.write_session(path) as con:
            add_batch(con, 2)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_import()
    assert (storage.version(path), sorted(p.name for p in tmp_path.iterdir())) == before
    assert count(path) == 1


def test_only_the_last_versions_are_kept(tmp_path):
    path = tmp_path / "s.duckdb"
    for i in range(storage.KEEP_VERSIONS + 3):
        with storage.write_session(path, fresh=i == 0) as con:
            add_batch(con, i + 1)
    assert len(storage.list_versions(path)) == storage.KEEP_VERSIONS


def test_writes_only_to_known_tables(tmp_path):
    bad = pd.DataFrame({"a": [1]})
    with (
        storage.write_session(tmp_path / "s.duckdb", fresh=True) as con,
        pytest.raises(ValueError, match="not a writable table"),
    ):
        storage.append(con, "store_meta; drop table x", bad)


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(storage.StoreMissing, match="python -m dashboard demo"):
        storage.open_read(tmp_path / "nothing.duckdb")


def test_an_older_stores_key_index_on_person_ids_is_dropped_and_its_rows_kept(tmp_path):
    path = tmp_path / "s.duckdb"
    with storage.write_session(path, fresh=True) as con:  # as stores were created before
        con.execute("drop table person_ids")
        con.execute(
            "create table person_ids (id_hash varchar primary key, person_key bigint not null, "
            "batch_id bigint not null)"
        )
        con.execute("insert into person_ids values ('h1', 1, 1), ('h2', 2, 1)")
    with storage.write_session(path) as con:
        pass
    con = storage.open_read(path)
    kinds = con.execute(
        "select constraint_type from duckdb_constraints() where table_name = 'person_ids'"
    ).fetchall()
    rows = con.execute("select * from person_ids order by id_hash").fetchall()
    con.close()
    assert sorted(kinds) == [("NOT NULL",)] * 3  # no PRIMARY KEY
    assert rows == [("h1", 1, 1), ("h2", 2, 1)]
