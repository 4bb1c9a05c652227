"""Outreach back to the agencies: an agency's own records needing action, minimal and private.

The store is tests/outreach_fixture.py (two agencies, worked out by hand, record keys 0).
Each test copies it into its own folder, so that the outbox beside it is the test's own.
"""

import json
import shutil
import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cli
import i18n
import outreach_fixture
from appdb import accounts, audit, database
from exports import outbox, outreach
from markdown_text import shown
from store import storage

REPO = Path(__file__).resolve().parent.parent
HEADER = "record_id,as_of_month,eligible_programmes"
OTHER = {"S1": ("S2", "Registry two"), "S2": ("S1", "Registry one")}


@pytest.fixture(scope="module")
def outreach_store_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outreach")
    return outreach_fixture.build_outreach_store(folder / "coverage.duckdb")


@pytest.fixture
def store(outreach_store_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "coverage.duckdb"
    path.parent.mkdir()
    shutil.copyfile(outreach_store_file, path)
    monkeypatch.setenv("COVERAGE_DB", str(path))
    return path


def audit_rows(app_db: Path) -> list[tuple]:
    con = database.connect(app_db)
    rows = con.execute("select user_name, action, detail from audit_log order by id").fetchall()
    con.close()
    return [(r[0], r[1], json.loads(r[2])) for r in rows if r[1].startswith("agency_outreach")]


def rows_of(path: Path) -> tuple[str, list[tuple]]:
    """The file's header and its rows as (record_id, eligible_programmes)."""
    lines = path.read_text("utf-8-sig").splitlines()
    rows = []
    for line in lines[1:]:
        record, month, eligible = line.split(",")
        assert month == "2024-06"
        rows.append((record, eligible))
    return lines[0], rows


def produce(store: Path, source: str, as_of=outreach_fixture.JUNE, **who):
    con = storage.open_read(store)
    try:
        return outreach.produce(source, as_of, con=con, **who)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("role", "user_agency", "source", "allowed"),
    [
        ("data_manager", None, "S1", True),
        ("data_manager", "", "S2", True),
        ("data_manager", "S1", "S1", True),
        ("data_manager", "S1", "S2", False),
        ("admin", None, "S2", True),
        ("admin", "S1", "S2", True),
        ("analyst", None, "S1", False),
        ("analyst", "S1", "S1", False),
        ("viewer", None, "S1", False),
        (None, None, "S1", False),
        ("boss", None, "S1", False),
    ],
)
def test_who_may_produce_an_agencys_file(role, user_agency, source, allowed):
    assert outreach.allowed(role, user_agency, source) is allowed
    # an account limited to provinces never: the file lists records of every province
    assert outreach.allowed(role, user_agency, source, ("12",)) is False


@pytest.mark.parametrize("source", ["S1", "S2"])
def test_the_file_holds_the_agencys_records_needing_action(store, app_db, source):
    made = produce(store, source, user="dm", role="data_manager")
    header, rows = rows_of(made.path)
    assert header == HEADER
    assert rows == outreach_fixture.EXPECTED_JUNE[source]
    assert made.records == len(rows)
    text = made.path.read_text("utf-8-sig")
    assert all(word not in text for word in OTHER[source])  # no other agency, by code or name
    assert made.path.parent == store.parent / "outbox" / source
    assert made.path.name.startswith(f"{source}_outreach_2024-06_")
    assert audit_rows(app_db) == [
        ("dm", "agency_outreach",
         {"source": source, "as_of": "2024-06-30", "records": len(rows), "file": str(made.path)}),
    ]  # fmt: skip


def test_a_past_month_uses_that_months_programmes_and_episodes(store):
    made = produce(store, "S2", as_of=outreach_fixture.D(2024, 3, 5), user="a", role="admin")
    lines = made.path.read_text("utf-8-sig").splitlines()
    rows = [tuple(line.split(",")) for line in lines[1:]]
    expected = outreach_fixture.EXPECTED_MARCH_S2
    assert rows == [(r, "2024-03", e) for r, e in expected]
    assert made.path.name.startswith("S2_outreach_2024-03_")


def test_the_file_and_its_folders_are_the_owners_alone(store):
    made = produce(store, "S1", user="dm", role="data_manager")
    again = produce(store, "S1", user="dm", role="data_manager")
    assert again.path != made.path  # a second file, never an overwrite
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.path.parent.parent.stat().st_mode) == 0o700
    assert not list(made.path.parent.glob(".*"))  # no partial file left behind


@pytest.mark.parametrize(
    ("role", "user_agency"), [("viewer", None), ("analyst", None), ("data_manager", "S1")]
)
def test_refused_and_audited(store, app_db, role, user_agency):
    with pytest.raises(outreach.Refused):
        produce(store, "S2", user="someone", role=role, user_agency=user_agency)
    assert not (store.parent / "outbox").exists()
    assert audit_rows(app_db) == [
        ("someone", "agency_outreach_refused",
         {"source": "S2", "role": role, "agency": user_agency, "provinces": []}),
    ]  # fmt: skip


def test_the_outbox_takes_only_a_registry_code(tmp_path):
    with pytest.raises(ValueError, match="source must be a code"):
        outbox.write("../S1", "x", b"data", base=tmp_path)


# --- the command line --------------------------------------------------------------------


def test_the_command_writes_to_the_outbox_as_the_named_account(store, app_db, capsys):
    accounts.add("dara", "data_manager", "a long enough password", agency="S2")
    code = cli.main(["outreach", "S2", "--as-of", "2024-06-15", "--user", "dara"])
    out = capsys.readouterr().out
    assert code == 0
    (path,) = (store.parent / "outbox" / "S2").iterdir()
    assert str(path) in out
    assert rows_of(path) == (HEADER, outreach_fixture.EXPECTED_JUNE["S2"])
    # the actor is the operating-system login; the account acted as is a detail
    ((user, action, detail),) = audit_rows(app_db)
    assert (user, action, detail["as_account"]) == (audit.os_user(), "agency_outreach", "dara")


def test_the_command_writes_to_out_instead(store, tmp_path, capsys):
    accounts.add("root", "admin", "a long enough password")
    out = tmp_path / "s1.csv"
    argv = ["outreach", "S1", "--as-of", "2024-06-30", "--user", "root", "--out", str(out)]
    assert cli.main(argv) == 0
    assert rows_of(out) == (HEADER, outreach_fixture.EXPECTED_JUNE["S1"])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not (store.parent / "outbox").exists()
    assert cli.main(["outreach", "S1", "--user", "root", "--out", str(out)]) == 1  # no overwrite
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("role", "agency", "provinces"),
    [("viewer", None, None), ("analyst", None, None), ("data_manager", "S1", None),
     ("data_manager", "S2", ["12"]), ("admin", None, ["12"])],
)  # fmt: skip
def test_the_command_refuses_who_may_not(store, app_db, capsys, role, agency, provinces):
    accounts.add("sok", role, "a long enough password", agency=agency, provinces=provinces)
    assert cli.main(["outreach", "S2", "--user", "sok"]) == 1
    assert "may not produce the outreach file of S2" in capsys.readouterr().err
    assert [r[1] for r in audit_rows(app_db)] == ["agency_outreach_refused"]
    assert not (store.parent / "outbox").exists()


def test_the_command_needs_an_account_and_a_known_agency(store, capsys):
    assert cli.main(["outreach", "S1", "--user", "nobody"]) == 1
    assert "no account named 'nobody'" in capsys.readouterr().err
    accounts.add("root", "admin", "a long enough password")
    assert cli.main(["outreach", "NOPE", "--user", "root"]) == 1
    assert "unknown source 'NOPE'" in capsys.readouterr().err


# --- the page ------------------------------------------------------------------------------


def sync_page(at_user, agency: str | None = None) -> AppTest:
    name, role = at_user
    if accounts.get(name) is None:
        accounts.add(name, role, f"test-password-{role}", agency=agency)
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    at.secrets = {"roles": {}}
    at.session_state["auth_user"] = name
    at.run()
    at.switch_page("app_pages/registry_sync.py").run()
    assert not at.exception
    return at


@pytest.mark.app
def test_the_page_writes_to_the_outbox_and_offers_no_download(store, app_db):
    at = sync_page(("dara", "data_manager"))
    assert at.selectbox(key="registry_sync_agency").options == ["S1", "S2"]
    at.selectbox(key="registry_sync_agency").select("S2").run()
    charts_and_tables = {b.key for b in at.get("download_button")}  # the page's own figures
    assert all("_download_" in key for key in charts_and_tables)
    at.button(key="registry_sync_prepare").click().run()
    assert not at.exception
    (path,) = (store.parent / "outbox" / "S2").iterdir()
    assert rows_of(path) == (HEADER, outreach_fixture.EXPECTED_JUNE["S2"])
    assert str(path) in shown(at.success[0].value)  # where it was written, in words
    assert {b.key for b in at.get("download_button")} == charts_and_tables  # the file: none
    assert i18n.t("sync.back_collect") in [c.value for c in at.caption]
    assert [(r[0], r[1]) for r in audit_rows(app_db)] == [("dara", "agency_outreach")]


@pytest.mark.app
def test_the_page_offers_a_scoped_data_manager_their_own_agency_only(store):
    at = sync_page(("vanna", "data_manager"), agency="S1")
    assert at.selectbox(key="registry_sync_agency").options == ["S1"]


@pytest.mark.app
@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_the_page_shows_no_outreach_below_data_manager(store, role):
    at = sync_page((f"{role}-x", role))
    assert not at.get("button") or "registry_sync_prepare" not in [b.key for b in at.button]
    assert i18n.t("sync.back") not in [h.value for h in at.subheader]


def test_bench_prints_precision_and_recall_at_two_dirt_rates(capsys):
    assert cli.main(["bench", "linkage", "--people", "600"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("dirt")]
    assert lines[0].startswith("dirt 10%:")
    assert lines[1].startswith("dirt 30%:")
    assert "precision" in lines[0]
    assert "recall" in lines[1]
