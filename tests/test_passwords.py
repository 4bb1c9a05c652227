"""Passwords: long, hard to guess (zxcvbn), never the user name; refused saying why.

The same rule holds wherever a password is set: the Admin page's form, the command line
(`user add`, `user passwd`) and the first administrator's random password.
"""

import io

import pytest
from streamlit.testing.v1 import AppTest

import cli
import i18n
import test_app_access
from appdb import accounts, audit


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("aaaaaaaaaaaa", "accounts.weak.repeats"),
        (" " * 11 + "x", "accounts.weak.repeats"),
        ("abcabcabcabcabc", "accounts.weak.repeats"),
        ("password1234", "accounts.weak.common"),
        ("qwertyuiopasdf", "accounts.weak.common"),
        ("abcdefghijklmnop", "accounts.weak.sequence"),
        ("1234567890123", "accounts.weak.common"),
        ("Correcthorse1", "accounts.weak.other"),
        ("short", "accounts.short_password"),
        (" " * 20, "accounts.short_password"),
        ("sophea-password-2024", "accounts.password_has_name"),
        ("SOPHEA", "accounts.short_password"),
        ("sophea@nspc.gov.kh", "accounts.password_has_name"),
    ],
)
def test_common_repetitive_and_simple_passwords_are_refused_saying_why(password, key):
    with pytest.raises(accounts.AccountError) as caught:
        accounts.add("sophea", "admin", password)
    assert caught.value.key == key
    assert accounts.get("sophea") is None
    with pytest.raises(accounts.AccountError):
        accounts.add("sophea@nspc.gov.kh", "admin", password)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "a long enough password", "Tr0ub4dor&3-kampot"]
)
def test_long_unguessable_passwords_are_kept(password):
    accounts.add("sophea", "admin", password)
    assert accounts.authenticate("sophea", password).ok


def test_a_short_name_may_appear_in_a_password():
    # "vi" is in "service" and "vivid": only names of three or more letters are looked for
    accounts.add("vi", "viewer", "a vivid service passphrase")
    assert accounts.authenticate("vi", "a vivid service passphrase").ok
    with pytest.raises(accounts.AccountError, match="user name"):
        accounts.add("kampot.data.team", "viewer", "Kampot.Data.Team")  # the name, never


def test_every_reason_is_said_in_every_language():
    keys = {*accounts.WEAKNESSES.values(), "accounts.weak.other", "accounts.password_has_name"}
    for lang in i18n.LANGUAGES:
        assert keys <= set(i18n.strings(lang)), lang
    english = {i18n.t(key) for key in keys}
    assert len(english) == len(keys)  # each reason in its own words


def test_a_new_password_is_checked_too():
    accounts.add("ana", "analyst", "a long enough password")
    with pytest.raises(accounts.AccountError) as caught:
        accounts.set_password("ana", "111111111111")
    assert caught.value.key == "accounts.weak.repeats"
    assert accounts.authenticate("ana", "a long enough password").ok


def test_the_first_administrator_gets_a_password_the_rule_accepts():
    for _ in range(50):
        accounts.check_password(accounts.new_password("admin"), "admin")


def run_cli(monkeypatch, capsys, args: list[str], stdin: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    return code, capsys.readouterr().err


def test_the_command_line_refuses_a_weak_password_saying_why(monkeypatch, capsys):
    code, err = run_cli(monkeypatch, capsys, ["user", "add", "root", "--role", "admin"],
                        "aaaaaaaaaaaa\n")  # fmt: skip
    assert code == 1
    assert err == f"error: {i18n.t('accounts.weak.repeats')}\n"
    assert accounts.get("root") is None
    accounts.add("root", "admin", "a long enough password")
    code, err = run_cli(monkeypatch, capsys, ["user", "passwd", "root"], "root-password-12\n")
    assert (code, err) == (1, f"error: {i18n.t('accounts.password_has_name')}\n")
    assert accounts.authenticate("root", "a long enough password").ok
    assert "user_password" not in set(audit.recent()["action"])


@pytest.mark.app
@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_admin_form_refuses_a_weak_password_saying_why(tiny_store, as_role, lang):
    at = AppTest.from_file(test_app_access.APP, default_timeout=60)
    as_role(at, "admin")
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("app_pages/admin.py").run()
    at.text_input(key="admin_add_name").input("sok")
    at.text_input(key="admin_add_password").input("           x")
    at.button(key="admin_add_submit").click().run()
    assert [e.value for e in at.error] == [i18n.t("accounts.weak.repeats", lang)]
    assert accounts.get("sok") is None
    assert "user_add" not in set(audit.recent()["action"])
