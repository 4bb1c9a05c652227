"""What the audit log must hold: undo, mappings, keys, exports, every download, failed sign-ins.

A command-line action names the operating-system login as its actor, never a `--user`
(recorded as `as_account`) nor $COVERAGE_USER.
"""

import ast
import hashlib
import json
import os
import pwd
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cli
import conftest
import settings
from appdb import accounts, audit, database
from ingest import batches, importer, mappings
from linkage import pseudonym

LOGIN = "clerk"
KEY = bytes.fromhex("ab" * 32)
HEADER = "record_id,national_id,full_name,sex,birth_date,province_code,registered_on"
APP = str(conftest.REPO / "dashboard" / "app.py")


def entries(action: str) -> list[tuple[str | None, dict | None]]:
    """(user_name, detail) of every audit entry of the action, oldest first."""
    con = database.connect()
    rows = con.execute(
        "select user_name, detail from audit_log where action = :action order by id",
        {"action": action},
    ).fetchall()
    con.close()
    return [(r[0], json.loads(r[1]) if r[1] else None) for r in rows]


@pytest.fixture
def login(monkeypatch) -> str:
    """The password database names this process's user `clerk`; the environment lies."""
    real, uid = pwd.getpwuid, os.getuid()

    def getpwuid(number: int):
        entry = real(number)
        return pwd.struct_passwd((LOGIN, *entry[1:])) if number == uid else entry

    monkeypatch.setattr(pwd, "getpwuid", getpwuid)
    for name in ("USER", "LOGNAME", "COVERAGE_USER"):
        monkeypatch.setenv(name, "mallory")
    return LOGIN


def raw_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    """A store of two accepted MLVT batches: a full extract, then additions and a change."""
    path = tmp_path / "coverage.duckdb"
    monkeypatch.setenv("COVERAGE_DB", str(path))
    a = "A,111122223,Sok Dara,M,1990-01-01,12,2024-01-01"
    files = (
        [a, "B,,Chan Thida,F,1991-01-01,12,2024-01-01"],
        [a, "C,,Ly Vanna,F,1992-01-01,12,2024-02-01"],
    )
    for number, rows in enumerate(files, start=1):
        request = importer.Request(data=raw_file(*rows), file_name=f"mlvt{number}.csv",
                                   kind="registrations", source="MLVT", key=KEY,
                                   append=number == 2)  # fmt: skip
        assert importer.run(request, path).result == "accepted"
    return path


# ---- who acts on the command line ----------------------------------------------------------


def test_the_login_comes_from_the_password_database_not_the_environment(login, monkeypatch):
    assert audit.os_user() == importer.current_user() == LOGIN  # $USER, $COVERAGE_USER ignored

    def unknown(number: int):
        raise KeyError(number)

    monkeypatch.setattr(pwd, "getpwuid", unknown)  # a uid without an entry (containers)
    assert audit.os_user() == f"uid {os.getuid()}"


def test_user_commands_name_the_login(login, monkeypatch, capsys):
    assert cli.main(["user", "add", "ana", "--role", "analyst", "--no-password"]) == 0
    assert cli.main(["user", "role", "ana", "viewer"]) == 0
    assert [user for user, _ in entries("user_add") + entries("user_role")] == [LOGIN, LOGIN]


def test_a_command_line_import_names_the_login_and_the_account_acted_as(
    login, tmp_path, monkeypatch
):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "coverage.duckdb"))
    key_file = tmp_path / "board.key"
    _, fingerprint = pseudonym.init_key(key_file)
    monkeypatch.setenv("COVERAGE_KEY_FILE", str(key_file))
    accounts.add("sok", "data_manager", None, "NSSF")
    file = tmp_path / "nssf.csv"
    file.write_bytes(raw_file("N1,,Keo Bopha,F,1980-01-01,12,2024-03-01"))
    argv = ["import", str(file), "--kind", "registrations", "--source", "NSSF", "--full-extract"]
    assert cli.main([*argv, "--user", "sok"]) == 0
    ((user, detail),) = entries("import")
    assert (user, detail["as_account"], detail["file"]) == (LOGIN, "sok", "nssf.csv")
    # the raw file was encoded on the Board's machine with its key file: a key use
    assert entries("key_use") == [
        (LOGIN, {"purpose": "import", "fingerprint": fingerprint, "source": "NSSF",
                 "file": "nssf.csv", "dry_run": False, "as_account": "sok"}),
    ]  # fmt: skip


def test_brief_and_targets_commands_name_the_login_and_the_account(
    tiny_store, login, tmp_path, capsys
):
    accounts.add("vanna", "viewer", None, None, ["12"])
    out = tmp_path / "brief.pdf"
    assert cli.main(["brief", "--province", "01", "--out", str(out), "--user", "vanna"]) == 1
    assert entries("access_refused") == [
        (LOGIN, {"action": "briefing_pack", "province": "01", "scope_provinces": ["12"],
                 "as_account": "vanna"}),
    ]  # fmt: skip
    goals = tmp_path / "targets.csv"
    goals.write_text(
        "province_code,service_code,target_rate,target_date,note\nKH,,40%,2026-12-31,\n"
    )
    assert cli.main(["targets", "import", str(goals), "--user", "ana"]) == 0
    assert entries("targets_import") == [
        (LOGIN, {"file": "targets.csv", "rows": 1, "as_account": "ana"})
    ]


# ---- rollback and restore --------------------------------------------------------------------


def test_rollback_on_the_command_line_records_the_batch_and_what_was_undone(store, login, capsys):
    accounts.add("sok", "data_manager", None, "MLVT")
    assert cli.main(["rollback", "2", "--user", "sok", "--yes"]) == 0
    assert entries("rollback") == [
        (LOGIN, {"batch": 2, "kind": "registrations", "source": "MLVT", "file": "mlvt2.csv",
                 "rows_removed": 2, "rows_reopened": 1, "as_account": "sok"}),
    ]  # fmt: skip


def test_a_refused_rollback_names_the_login_and_the_account(store, login, capsys):
    accounts.add("sok", "data_manager", None, "NSSF")
    assert cli.main(["rollback", "2", "--user", "sok"]) == 1
    assert entries("access_refused") == [
        (LOGIN, {"action": "rollback", "agency": "MLVT", "scope_agency": "NSSF",
                 "as_account": "sok"}),
    ]  # fmt: skip
    assert entries("rollback") == []


def test_restore_on_the_command_line_records_the_version_and_where_the_store_went(
    store, login, capsys
):
    kept = batches.versions()
    assert cli.main(["restore", "1", "--yes"]) == 0
    ((user, detail),) = entries("restore")
    assert (user, detail["version"]) == (LOGIN, kept[0].name)
    assert detail["replaced_kept_as"] == batches.versions()[0].name != kept[0].name
    assert "as_account" not in detail


@pytest.mark.app
def test_rollback_on_the_import_page_names_the_account(store, as_role):
    at = AppTest.from_file(APP, default_timeout=60)
    name = as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    at.selectbox(key="import_data_rollback_batch").set_value(2).run()
    at.checkbox(key="import_data_rollback_confirm").check().run()
    at.button(key="import_data_rollback").click().run()
    assert not at.exception
    ((user, detail),) = entries("rollback")
    assert (user, detail["batch"], detail["rows_removed"]) == (name, 2, 2)


# ---- mappings -----------------------------------------------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_saving_and_changing_a_mapping_records_its_hash_and_size_not_its_text():
    first = json.dumps({"registrations": {"columns": {"ID_CARD_NO": "national_id"}}})
    second = json.dumps({"registrations": {"columns": {"CARD": "national_id"}}})
    mappings.save("MOSVY", first, "ana")
    mappings.save("MOSVY", second, "ana")
    assert entries("mapping_save") == [
        ("ana", {"source": "MOSVY", "sha256": sha(first), "bytes": len(first),
                 "previous_sha256": None}),
        ("ana", {"source": "MOSVY", "sha256": sha(second), "bytes": len(second),
                 "previous_sha256": sha(first)}),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="Expecting property name"):
        mappings.save("MOSVY", "{not json", "ana")
    assert len(entries("mapping_save")) == 2


@pytest.mark.app
def test_a_mapping_saved_on_the_import_page_is_audited(store, as_role):
    at = AppTest.from_file(APP, default_timeout=60)
    name = as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    at.selectbox(key="import_data_source").select("MLVT").run()
    text = json.dumps({"registrations": {"ignore": ["BRANCH"]}})
    at.text_area(key="import_data_mapping_MLVT").input(text).run()
    at.button(key="import_data_save_mapping").click().run()
    assert not at.exception
    assert [
        (user, detail["source"], detail["sha256"]) for user, detail in entries("mapping_save")
    ] == [(name, "MLVT", sha(text))]


# ---- keys ---------------------------------------------------------------------------------------


def test_key_init_fingerprint_and_encode_are_audited(login, tmp_path, capsys):
    key_file = tmp_path / "nssf.key"
    assert cli.main(["key", "init", "--out", str(key_file)]) == 0
    assert cli.main(["key", "fingerprint", "--out", str(key_file)]) == 0
    fingerprint = capsys.readouterr().out.splitlines()[-1]
    raw = tmp_path / "f.csv"
    raw.write_bytes(raw_file("R-1,010203040,Sok Sophea,F,1990-04-12,12,2024-03-02"))
    out = tmp_path / "f.encoded.parquet"
    argv = ["encode", str(raw), "--source", "NSSF", "--out", str(out), "--key-file", str(key_file)]
    assert cli.main(argv) == 0
    assert entries("key_init") == [(LOGIN, {"fingerprint": fingerprint, "file": str(key_file)})]
    assert entries("key_fingerprint") == [
        (LOGIN, {"fingerprint": fingerprint, "file": str(key_file)})
    ]
    assert entries("key_use") == [
        (LOGIN, {"purpose": "encode", "fingerprint": fingerprint, "source": "NSSF",
                 "file": "f.csv", "out": str(out)}),
    ]  # fmt: skip
    assert KEY.hex() not in json.dumps(entries("key_use"))


def test_encode_on_an_agency_machine_creates_no_app_database(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("COVERAGE_APP_DB")
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "data" / "coverage.duckdb"))
    key_file = tmp_path / "nssf.key"
    pseudonym.init_key(key_file)
    raw = tmp_path / "f.csv"
    raw.write_bytes(raw_file("R-1,010203040,Sok Sophea,F,1990-04-12,12,2024-03-02"))
    argv = ["encode", str(raw), "--source", "NSSF", "--out", str(tmp_path / "f.parquet"),
            "--key-file", str(key_file)]  # fmt: skip
    assert cli.main(argv) == 0
    assert not settings.app_db_path().exists()


# ---- exports and downloads ----------------------------------------------------------------------


def test_export_parquet_names_the_login_and_the_account(
    bit63_store_file, tmp_path, monkeypatch, login, capsys
):
    monkeypatch.setenv("COVERAGE_DB", str(bit63_store_file))
    accounts.add("root", "admin", "a long enough password")
    assert cli.main(["export-parquet", str(tmp_path / "a")]) == 0
    assert cli.main(["export-parquet", str(tmp_path / "b"), "--full-backup", "--user", "ROOT"]) == 0
    ((user, detail),) = entries("parquet_export")
    assert (user, "as_account" in detail) == (LOGIN, False)
    ((user, detail),) = entries("parquet_full_backup")
    assert (user, detail["as_account"]) == (LOGIN, "root")


def test_every_download_button_is_the_one_audited_helper():
    # Any other st.download_button could hand out a file that the audit log never sees.
    root = conftest.REPO / "dashboard"
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = {}  # node -> the innermost function holding it (ast.walk goes outside in)
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                owner |= {node: getattr(function, "name", "lambda") for node in ast.walk(function)}
        for node in ast.walk(tree):
            named = isinstance(node, ast.Attribute) and node.attr == "download_button"
            named |= isinstance(node, ast.alias) and node.name.endswith("download_button")
            if named:
                found.append((path.relative_to(root).as_posix(), owner.get(node)))
    assert found == [("ui/downloads.py", "button")]


@pytest.mark.app
def test_the_needs_ranking_download_is_audited_with_its_filters_and_weights(
    needs_store, signed_in, monkeypatch
):
    signed_in("analyst")
    builds = conftest.capture_builds(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/needs.py").run()
    assert not at.exception
    builds["needs_by_province_2024-06.csv"]()
    ((user, detail),) = entries("export")
    assert user == "analyst-user"
    assert detail["weights"]["gap_count"] > 0
    assert detail["filters"]


@pytest.mark.app
def test_the_drive_plan_download_is_audited_with_the_plan_chosen(
    tiny_store, signed_in, monkeypatch
):
    signed_in("analyst")
    builds = conftest.capture_builds(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/planning.py").run()
    at.multiselect(key="planning_provinces").select("12").run()
    assert not at.exception
    builds["registration_drive_2024-06.csv"]()
    ((user, detail),) = entries("export")
    assert (user, detail["provinces"], detail["people"], detail["split"]) == (
        "analyst-user",
        ["12"],
        1000,
        "gap",
    )


@pytest.mark.app
def test_the_audit_log_download_is_audited(tiny_store, as_role, monkeypatch):
    builds = conftest.capture_builds(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    as_role(at, "admin")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    assert builds["audit_log.csv"]().startswith(b"\xef\xbb\xbf")  # the CSV, with its BOM
    ((user, detail),) = entries("export")
    assert (user, detail) == (
        "admin-user",
        {"file": "audit_log.csv", "table": "audit_log", "format": "csv", "shown_action": None},
    )


# ---- sign-in -------------------------------------------------------------------------------------


def failed_sign_in(name: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = {"roles": {}}
    at.run()
    at.text_input(key="signin_username").input(name)
    at.text_input(key="signin_password").input("a wrong password")
    at.button(key="signin_submit").click().run()


@pytest.mark.app
def test_a_failed_sign_in_records_the_name_tried_unless_it_may_be_a_password(tiny_store):
    accounts.add("ana", "analyst", "a long enough password")
    for name in ("ANA", "nobody", "my secret passphrase"):
        failed_sign_in(name)
    assert entries("sign_in_failed") == [
        ("ana", {"reason": "bad_password", "locked_until": None, "tried": "ANA"}),
        (None, {"reason": "unknown", "locked_until": None, "tried": "nobody"}),
        (None, {"reason": "unknown", "locked_until": None, "tried": None}),  # has spaces
    ]
