"""Accounts, lock-out, OIDC role mapping, the audit log, the threshold setting, `user` commands.

Lock-out: 5 failed sign-ins in a row lock an account for 15 minutes (accounts.MAX_FAILURES,
accounts.LOCK_MINUTES); the tests below count them out by hand.
"""

import datetime as dt
import io
import json

import pandas as pd
import pytest

import cli
from appdb import accounts, app_settings, audit, database
from exports import files
from ui import auth

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def ana():
    return accounts.add("ana", "analyst", PASSWORD)


def fail(times: int, start: float = 0) -> list[accounts.SignIn]:
    return [accounts.authenticate("ana", "wrong password!", at(start + i)) for i in range(times)]


def test_the_password_is_kept_only_as_an_argon2id_hash(ana, app_db):
    stored = accounts.get("ana")["password_hash"]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PASSWORD.encode() not in app_db.read_bytes()


def test_right_password_signs_in_with_the_stored_spelling(ana):
    result = accounts.authenticate("ANA", PASSWORD, T0)
    assert (result.ok, result.name, result.reason) == (True, "ana", "ok")
    assert accounts.get("ana")["last_sign_in_at"] == "2026-03-02T09:00:00Z"


def test_wrong_password_and_unknown_name_are_refused(ana):
    assert accounts.authenticate("ana", "not the password", T0).reason == "bad_password"
    unknown = accounts.authenticate("bo", PASSWORD, T0)
    assert (unknown.ok, unknown.name, unknown.reason) == (False, None, "unknown")
    assert accounts.get("bo") is None


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(ana):
    results = fail(5)  # 09:00 ... 09:04
    assert [r.locked_until for r in results[:4]] == [None] * 4
    assert results[4].locked_until == "2026-03-02T09:19:00Z"  # 09:04 + 15 min
    # the right password is refused while the lock lasts, and the refusal counts nothing
    during = accounts.authenticate("ana", PASSWORD, at(18.9))
    assert (during.ok, during.reason) == (False, "locked")
    assert accounts.get("ana")["failed_count"] == 5
    after = accounts.authenticate("ana", PASSWORD, at(19))
    assert after.ok
    assert accounts.get("ana")["failed_count"] == 0


def test_a_success_resets_the_count_of_failures(ana):
    fail(4)
    assert accounts.authenticate("ana", PASSWORD, at(4)).ok
    assert [r.locked_until for r in fail(4, start=5)] == [None] * 4


def test_after_a_lock_runs_out_counting_starts_again(ana):
    fail(5)  # locked until 09:19
    first_after = fail(1, start=30)[0]
    assert first_after.locked_until is None
    assert accounts.get("ana")["failed_count"] == 1


def test_unlock_and_a_new_password_lift_a_lock(ana):
    fail(5)
    accounts.unlock("ana")
    assert accounts.authenticate("ana", PASSWORD, at(5)).ok
    fail(5, start=6)
    accounts.set_password("ana", "another long password")
    assert accounts.authenticate("ana", "another long password", at(12)).ok


@pytest.mark.parametrize(
    ("name", "role", "password", "key"),
    [
        ("bad name", "viewer", None, "accounts.bad_name"),
        ("<b>x</b>", "viewer", None, "accounts.bad_name"),
        ("ana", "superuser", None, "accounts.bad_role"),
        ("ana", "viewer", "short", "accounts.short_password"),
        ("ana", "viewer", " " * 20, "accounts.short_password"),
    ],
)
def test_invalid_accounts_are_refused_in_plain_words(name, role, password, key):
    with pytest.raises(accounts.AccountError) as caught:
        accounts.add(name, role, password)
    assert caught.value.key == key
    assert accounts.list_accounts() == []


def test_names_are_unique_whatever_their_case(ana):
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add("Ana", "viewer", PASSWORD)


def test_the_last_admin_and_one_own_account_are_kept():
    accounts.add("root", "admin", PASSWORD)
    accounts.add("vi", "viewer", PASSWORD)
    with pytest.raises(accounts.AccountError, match="last administrator"):
        accounts.remove("root")
    with pytest.raises(accounts.AccountError, match="last administrator"):
        accounts.set_role("root", "viewer")
    accounts.set_role("vi", "admin")
    with pytest.raises(accounts.AccountError, match="your own"):
        accounts.remove("root", by="root")
    accounts.remove("root", by="vi")
    assert [a["name"] for a in accounts.list_accounts()] == ["vi"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", {"aggregates", "export"}),
        ("analyst", {"aggregates", "export", "needs_weights", "targets", "plans"}),
        (
            "data_manager",
            {"aggregates", "export", "needs_weights", "targets", "plans", "import", "sync_detail"},
        ),
        ("admin", set(auth.PERMISSIONS)),
        (None, set()),
    ],
)
def test_each_role_has_the_rights_of_the_roles_below_it(role, allowed):
    granted = {p for p, least in auth.PERMISSIONS.items() if accounts.allows(role, least)}
    assert granted == allowed


OIDC = {
    "auth": {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "s", "client_id": "c"},
    "roles": {"Ana@Example.org": "analyst", "@ministry.gov.kh": "viewer", "eve@x.org": "root"},
}


@pytest.mark.parametrize(
    ("email", "verified", "role"),
    [
        ("ana@example.org", True, "analyst"),  # by address, case-insensitive
        ("ANA@example.org", None, "analyst"),  # no email_verified claim at all
        ("sok@ministry.gov.kh", True, "viewer"),  # by domain
        ("sok@ministry.gov.kh", False, None),  # the provider says: not verified
        ("bo@example.org", True, None),  # not listed
        ("eve@x.org", True, None),  # listed with a role that does not exist
        ("", True, None),
    ],
)
def test_oidc_identities_get_roles_from_secrets(email, verified, role):
    assert auth.role_for_identity(email, verified, OIDC) == role


def test_an_account_named_by_the_email_wins_over_secrets():
    accounts.add("ana@example.org", "admin")
    assert auth.role_for_identity("ana@example.org", True, OIDC) == "admin"
    assert accounts.authenticate("ana@example.org", "", T0).reason == "unknown"  # no password


def test_oidc_providers_unnamed_and_named():
    assert auth.oidc_providers({}) == []
    assert auth.oidc_providers({"roles": {}}) == []
    assert auth.oidc_providers(OIDC) == ["default"]
    named = {"auth": {"redirect_uri": "r", "google": {"client_id": "c"}, "client_kwargs": {}}}
    assert auth.oidc_providers(named) == ["google"]


def test_audit_records_who_what_and_filters_as_json():
    audit.record("ana", "export", {"filters": {"as_of": dt.date(2024, 6, 30), "sex": "F"}})
    audit.record(None, "sign_in_failed", {"reason": "unknown"})
    log = audit.recent()
    assert list(log["action"]) == ["sign_in_failed", "export"]  # newest first
    assert json.loads(log["detail"].iloc[1]) == {"filters": {"as_of": "2024-06-30", "sex": "F"}}
    assert audit.actions() == ["export", "sign_in_failed"]
    assert list(audit.recent("export")["user_name"]) == ["ana"]


def test_audit_csv_neutralises_what_a_spreadsheet_would_run():
    audit.record("=HYPERLINK(1)", "export", None)
    frame = pd.read_csv(io.BytesIO(files.to_csv(audit.recent())), encoding="utf-8-sig")
    assert list(frame.columns) == audit.COLUMNS
    assert frame["user_name"].iloc[0] == "'=HYPERLINK(1)"


def test_threshold_setting_wins_over_the_environment(monkeypatch, app_db):
    monkeypatch.setenv("COVERAGE_MIN_COUNT", "12")
    assert not app_db.exists()
    assert app_settings.min_count() == 12
    assert not app_db.exists()  # reading the threshold creates no database
    app_settings.set_min_count(25, "root")
    assert app_settings.min_count() == 25
    assert database.execute("setting_value", {"name": "min_count"})[0]["updated_by"] == "root"
    app_settings.set_min_count(None, "root")
    assert app_settings.min_count() == 12
    monkeypatch.delenv("COVERAGE_MIN_COUNT")
    assert app_settings.min_count() == 10


@pytest.mark.parametrize("value", [1, 0, 1001])
def test_threshold_outside_its_range_is_refused(value):
    with pytest.raises(ValueError, match="from 2 to 1000"):
        app_settings.set_min_count(value, "root")


def run_cli(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_reads_the_password_from_standard_input(monkeypatch, capsys):
    code, out, _ = run_cli(
        monkeypatch, capsys, ["user", "add", "ana", "--role", "analyst"], f"{PASSWORD}\n"
    )
    assert (code, out) == (0, "Added ana (analyst).\n")
    assert accounts.authenticate("ana", PASSWORD, T0).ok
    entry = audit.recent().iloc[0]
    assert (entry["user_name"], entry["action"]) == (audit.os_user(), "user_add")
    assert PASSWORD not in entry["detail"]


def test_user_add_prompts_twice_at_a_terminal(monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert cli.main(["user", "add", "ana", "--role", "analyst"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert accounts.get("ana") is None


def test_user_commands_unlock_role_remove_list(monkeypatch, capsys, ana):
    fail(5)
    assert run_cli(monkeypatch, capsys, ["user", "unlock", "ana"])[0] == 0
    assert accounts.get("ana")["locked_until"] is None
    assert run_cli(monkeypatch, capsys, ["user", "role", "ana", "viewer"])[0] == 0
    listed = run_cli(monkeypatch, capsys, ["user", "list"])[1]
    assert listed == "ana\tviewer\tpassword, 0 failed\n"
    assert "$argon2" not in listed
    code, _, err = run_cli(monkeypatch, capsys, ["user", "remove", "bo"])
    assert (code, err) == (1, "error: No account is named bo.\n")
    assert run_cli(monkeypatch, capsys, ["user", "remove", "ana"])[0] == 0
    assert accounts.list_accounts() == []


def test_first_run_creates_admin_once_and_prints_its_password(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here: local accounts
    code, out, _ = run_cli(monkeypatch, capsys, ["user", "first-run"])
    assert code == 0
    password = out.split("as admin with password ")[1].split()[0]
    assert accounts.authenticate("admin", password, T0).ok
    assert accounts.get("admin")["role"] == "admin"
    again = run_cli(monkeypatch, capsys, ["user", "first-run"])[1]
    assert "password" not in again.split("\n")[0]
    assert [a["name"] for a in accounts.list_accounts()] == ["admin"]
