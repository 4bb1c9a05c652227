"""Faults: writers killed part-way, a full disk, a damaged store file, a reader pinned to a version.

A writer runs in its own process and is stopped at a named point (faults.point, set by
COVERAGE_PAUSE_AT), then killed with SIGKILL. Before its swap, the store must be
byte-for-byte what it was and the next write must work (and clear what the killed
writer left); after its swap, the new store is in place and the old one is kept.
"""

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import REPO, _registration, build_tiny_store
from data_access import reads
from store import storage

# Appends one registration (person 900, Phnom Penh) through a write session, as an import does.
WRITER = """
import sys
sys.path.insert(0, "dashboard")
import datetime as dt, pandas as pd
from store import storage
row = dict(person_key=900, source="S1", record_id="S1-900", sex="F", birth_year=1990,
           province_code="12", occupation="market_vendor", registered_on=dt.date(2024, 1, 2),
           batch_id=9)
with storage.write_session(sys.argv[1]) as con:
    storage.append(con, "registrations", pd.DataFrame([row]))
"""
BEFORE_SWAP = [
    "store.locked", "store.copied", "store.written", "store.aggregates", "store.cube",
    "store.checkpointed", "store.swapping",
]  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def registrations(path: Path) -> int:
    con = storage.open_read(path)
    try:
        return con.execute("select count(*) from registrations").fetchone()[0]
    finally:
        con.close()


def leftovers(folder: Path) -> list[str]:
    """Files a writer makes and should not leave: private copies, unfinished version links."""
    names = [p.name for p in folder.rglob("*")]
    return sorted(n for n in names if n.endswith((".tmp", ".tmp.wal", ".pending")))


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"


def kill_at(point: str, cmd: list[str], folder: Path, env: dict | None = None) -> None:
    """Run a writer until it stops at `point`, then SIGKILL it."""
    pause = folder / "paused"
    pause.unlink(missing_ok=True)
    extra = {"COVERAGE_PAUSE_AT": point, "COVERAGE_PAUSE_FILE": str(pause), **(env or {})}
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **extra})
    deadline = time.monotonic() + 120
    while not (pause.exists() and stopped(proc.pid)):
        assert proc.poll() is None, f"the writer ended before reaching {point}"
        assert time.monotonic() < deadline, f"the writer never reached {point}"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL


def append_person(path: Path, key: int) -> None:
    row = _registration(key, "S1", "food_vendor", "M", 1991, dt.date(2024, 2, 3))
    with storage.write_session(path) as con:
        storage.append(con, "registrations", pd.DataFrame([row]))


@pytest.fixture
def tiny_copy(tmp_path) -> Path:
    return build_tiny_store(tmp_path / "coverage.duckdb")


@pytest.mark.parametrize("point", BEFORE_SWAP)
def test_a_writer_killed_before_its_swap_leaves_the_store_exactly_as_it_was(point, tiny_copy):
    before, rows, kept = (
        digest(tiny_copy),
        registrations(tiny_copy),
        storage.list_versions(tiny_copy),
    )
    kill_at(point, [sys.executable, "-c", WRITER, str(tiny_copy)], tiny_copy.parent)
    assert digest(tiny_copy) == before
    assert registrations(tiny_copy) == rows
    assert storage.list_versions(tiny_copy) == kept
    append_person(tiny_copy, 901)  # the next write works ...
    assert registrations(tiny_copy) == rows + 1
    assert leftovers(tiny_copy.parent) == []  # ... and clears what the killed one left


def test_a_writer_killed_just_after_its_swap_has_written(tiny_copy):
    before, rows = digest(tiny_copy), registrations(tiny_copy)
    kill_at("store.swapped", [sys.executable, "-c", WRITER, str(tiny_copy)], tiny_copy.parent)
    assert registrations(tiny_copy) == rows + 1
    assert [digest(v) for v in storage.list_versions(tiny_copy)] == [before]
    append_person(tiny_copy, 901)
    assert registrations(tiny_copy) == rows + 2
    assert leftovers(tiny_copy.parent) == []


def test_a_demo_build_killed_while_generating_leaves_the_store_as_it_was(tiny_copy):
    before = digest(tiny_copy)
    cmd = [sys.executable, "-m", "dashboard", "demo", "--people", "3000", "--as-of", "2024-06-30"]
    kill_at("demo.chunk", cmd, tiny_copy.parent, {"COVERAGE_DB": str(tiny_copy)})
    assert digest(tiny_copy) == before
    append_person(tiny_copy, 901)
    assert leftovers(tiny_copy.parent) == []


@pytest.fixture
def pinned_reader(tiny_copy, monkeypatch):
    """This thread reads tiny_copy through data_access, as a script run does; unpinned after."""
    monkeypatch.setenv("COVERAGE_DB", str(tiny_copy))
    yield tiny_copy
    vars(reads._pinned).clear()


def registered_in_phnom_penh(cut) -> int:
    """Unsuppressed, on the connection the run reads (the page's table hides this cell)."""
    frame = reads.run(reads.connection(), "coverage_by_province", **cut.params())
    return int(frame.set_index("province_code").loc["12", "registered_count"])


def test_a_reader_pinned_to_a_version_sees_it_whole_while_a_new_one_swaps_in(pinned_reader):
    cut = reads.CoverageFilter(as_of=dt.date(2024, 6, 30))
    reads.pin_version()
    assert registered_in_phnom_penh(cut) == 15  # 1-13, 16, 17 (tests/test_queries.py)
    append_person(pinned_reader, 902)  # a new version: one more person registered in 12
    assert reads.store_summary()["registration_count"] == 19  # still the pinned one
    assert registered_in_phnom_penh(cut) == 15
    reads.pin_version()  # the next script run reads the new version
    assert reads.store_summary()["registration_count"] == 20
    assert registered_in_phnom_penh(cut) == 16


def limit_file_size(limit: int):
    """For a child process: no file may grow past `limit` bytes (writes fail with EFBIG)."""

    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_limited(cmd: list[str], path: Path, limit: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "COVERAGE_DB": str(path)}
    return subprocess.run(
        cmd, cwd=REPO, env=env, preexec_fn=limit_file_size(limit), capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def test_a_full_disk_during_a_build_is_one_clear_line_and_changes_nothing(tiny_copy):
    before = digest(tiny_copy)
    cmd = [sys.executable, "-m", "dashboard", "demo", "--people", "3000", "--as-of", "2024-06-30"]
    result = run_limited(cmd, tiny_copy, 2**20)
    assert result.returncode == 1
    assert result.stderr.startswith("error: not enough disk space to write a new version")
    assert "The store is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(tiny_copy) == before
    assert leftovers(tiny_copy.parent) == []


def test_no_room_for_the_private_copy_is_a_clear_error_and_changes_nothing(tiny_copy):
    before = digest(tiny_copy)
    result = run_limited([sys.executable, "-c", WRITER, str(tiny_copy)], tiny_copy, 2**20)
    assert "store.storage.DiskFull: not enough disk space" in result.stderr
    assert digest(tiny_copy) == before
    assert leftovers(tiny_copy.parent) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 10 MB tmpfs holding a copy of the tiny store (6.5 MB); needs root to mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=10m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); RLIMIT_FSIZE tests cover it")
    try:
        yield build_tiny_store(mount / "coverage.duckdb")
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_tmpfs_refuses_the_copy_up_front(tiny_disk):
    before = digest(tiny_disk)
    with pytest.raises(storage.DiskFull, match=r"MB free; about [\d,]+ MB are needed"):
        append_person(tiny_disk, 903)
    assert digest(tiny_disk) == before
    assert leftovers(tiny_disk.parent) == []


def test_a_tmpfs_filling_up_mid_build_is_a_clear_error(tiny_disk):
    from demo import builder

    before = digest(tiny_disk)
    with pytest.raises(storage.DiskFull, match="The store is unchanged"):
        builder.build(20_000, seed=3, as_of=dt.date(2024, 6, 30), path=tiny_disk)
    assert digest(tiny_disk) == before
    assert leftovers(tiny_disk.parent) == []


def damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        if how == "truncated":
            f.truncate(size // 2)
        elif how == "header":
            f.write(b"\x5a" * 4096)
        else:  # a 4 KB run of junk every 256 KB after the header
            for offset in range(16384, size, 262144):
                f.seek(offset)
                f.write(b"\x5a" * 4096)


DAMAGE = ["truncated", "header", "blocks"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_store_is_one_clear_line_on_the_command_line(how, tiny_copy, monkeypatch, capsys):
    import cli

    damage(tiny_copy, how)
    monkeypatch.setenv("COVERAGE_DB", str(tiny_copy))
    assert cli.main(["table", "coverage", "--as-of", "2024-06-30"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: the store at {tiny_copy} is damaged")
    assert "Nothing was changed" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_store_is_a_clear_message_in_the_app(how, tiny_copy, monkeypatch, as_role):
    from streamlit.testing.v1 import AppTest

    damage(tiny_copy, how)
    monkeypatch.setenv("COVERAGE_DB", str(tiny_copy))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "viewer")
    at.run()
    assert not at.exception
    assert any("data store file is damaged" in e.value for e in at.error)


def older_store(path) -> None:
    """Make the store look built by an older version: a table and the aggregates' mark gone."""
    con = duckdb.connect(str(path))
    try:
        con.execute("drop table area_cube")
        con.execute("delete from store_meta where key = 'aggregates_inputs'")
    finally:
        con.close()


def test_a_store_from_an_older_version_is_a_clear_message_then_upgraded(
    tiny_copy, monkeypatch, as_role
):
    from streamlit.testing.v1 import AppTest

    older_store(tiny_copy)
    monkeypatch.setenv("COVERAGE_DB", str(tiny_copy))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "viewer")
    at.switch_page("app_pages/drilldown.py").run()  # the drill-down reads area_cube
    assert not at.exception
    assert any("built by an older version" in e.value for e in at.error)
    assert storage.upgrade_schema(tiny_copy) is True  # what `make run` does first
    assert storage.upgrade_schema(tiny_copy) is False  # and only once
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "viewer")
    at.switch_page("app_pages/drilldown.py").run()
    assert not at.exception
    assert not at.error
