"""Issue 17: an import that cannot surprise: it says what it adds, changes and ends first,
and a full extract that would end more than 10% of a source's records needs a confirmation."""

import pytest

import cli
from ingest import importer
from store import storage

KEY = bytes.fromhex("ab" * 32)
HEADER = "record_id,full_name,sex,birth_date,province_code,registered_on"


def file_of(*records: str) -> bytes:
    rows = [f"{r},Name {r},F,1990-01-01,12,2024-03-02" for r in records]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run(path, data: bytes, append=False, **extra) -> importer.Outcome:
    request = importer.Request(data=data, file_name="f.csv", kind="registrations",
                               source="MLVT", key=KEY, append=append, **extra)  # fmt: skip
    return importer.run(request, path)


def current(path) -> int:
    with storage.open_read(path) as con:
        query = "select count(*) from registrations where ended_batch_id is null"
        return con.execute(query).fetchone()[0]


@pytest.fixture(autouse=True)
def _the_default_share(monkeypatch):
    monkeypatch.setenv("COVERAGE_MAX_END_SHARE", "0.10")  # as a fresh install has it


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "coverage.duckdb"
    first = [f"R-{n:02d}" for n in range(1, 21)]  # 20 records of MLVT
    assert run(path, file_of(*first)).result == "accepted"
    return path


def test_the_report_says_what_a_file_adds_changes_and_ends(store):
    # R-01..R-19 again, R-21 new, R-20 left out: 19 changed, 1 added, 1 ended (5%)
    sent = [f"R-{n:02d}" for n in range(1, 20)] + ["R-21"]
    outcome = run(store, file_of(*sent), dry_run=True)
    assert outcome.stats["plan"] == {"current_records": 20, "added": 1, "changed": 19, "ended": 1}
    outcome = run(store, file_of("R-22", "R-01"), append=True, dry_run=True)
    assert outcome.stats["plan"] == {"current_records": 20, "added": 1, "changed": 1, "ended": 0}


def test_a_small_full_extract_that_would_end_most_records_asks_first(store):
    """The issue's case: a 4-row 'full extract' ended a whole registry without a word."""
    four = file_of("R-01", "R-02", "R-03", "R-04")  # ends 16 of 20: 80%
    outcome = run(store, four)
    assert outcome.result == "rejected"
    reason = outcome.report.problems[0].reason
    assert "would end 16 of the 20 current records of MLVT (80%" in reason
    assert "--allow-end 16" in reason
    assert current(store) == 20
    assert run(store, four, allow_end=15).result == "rejected"  # fewer than it would end
    assert run(store, four, allow_end=16).result == "accepted"
    assert current(store) == 4


def test_the_command_line_asks_which_kind_of_file_and_for_the_confirmation(
    store, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("COVERAGE_DB", str(store))
    monkeypatch.setenv("COVERAGE_PSEUDONYM_KEY", KEY.hex())
    path = tmp_path / "four.csv"
    path.write_bytes(file_of("R-01", "R-02", "R-03", "R-04"))
    base = ["import", str(path), "--kind", "registrations", "--source", "MLVT"]
    assert cli.main(base) == 1
    assert "say what four.csv is: --full-extract" in capsys.readouterr().err
    assert cli.main([*base, "--full-extract"]) == 1
    assert "--allow-end 16" in capsys.readouterr().err
    assert cli.main([*base, "--full-extract", "--allow-end", "16"]) == 0
    out = capsys.readouterr().out
    assert "Records of MLVT: 0 added, 4 changed, 16 ended of 20 current." in out


def test_rollback_and_restore_say_what_they_undo_and_wait_for_yes(store, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(store))
    assert run(store, file_of("R-21", "R-01"), append=True).result == "accepted"  # batch 2
    assert cli.main(["rollback", "2"]) == 1
    said = capsys.readouterr().out
    assert "Nothing done: rolling back batch 2 (registrations, MLVT, f.csv) removes the 2 " in said
    assert "reopens the 1 it had ended" in said  # R-01's earlier version
    assert current(store) == 21
    assert cli.main(["restore", "1"]) == 1
    assert "Nothing done: restoring " in capsys.readouterr().out
    assert cli.main(["rollback", "2", "--yes"]) == 0
    assert current(store) == 20
