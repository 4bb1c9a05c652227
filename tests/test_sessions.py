"""Sessions: an idle time-out, pages not permitted by their address, failed sign-ins audited.

AppTest keeps one session across runs; the time of its last interaction is in session
state (auth.ACTIVE_KEY), which the tests move back to let time pass.
"""

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

import i18n
import settings
import test_app_access
from appdb import accounts, audit, scopes
from test_app_access import OIDC_SECRETS, actions, rendered_data
from ui import auth

pytestmark = pytest.mark.app


def new_app() -> AppTest:
    return AppTest.from_file(test_app_access.APP, default_timeout=60)


def idle_for(at: AppTest, minutes: float) -> None:
    at.session_state[auth.ACTIVE_KEY] = time.time() - minutes * 60


def test_the_idle_time_out_is_configurable(monkeypatch):
    monkeypatch.delenv("COVERAGE_IDLE_MINUTES", raising=False)
    assert settings.idle_minutes() == 30
    monkeypatch.setenv("COVERAGE_IDLE_MINUTES", "5")
    assert settings.idle_minutes() == 5
    for bad in ("0", "-3", "ten", "1441"):
        monkeypatch.setenv("COVERAGE_IDLE_MINUTES", bad)
        with pytest.raises(ValueError, match="COVERAGE_IDLE_MINUTES"):
            settings.idle_minutes()


@pytest.mark.parametrize("lang", ["en", "km"])
def test_an_idle_session_is_signed_out_audited_and_told_why(tiny_store, as_role, lang):
    at = new_app()
    name = as_role(at, "analyst")
    at.session_state["lang"] = lang
    at.run()
    assert rendered_data(at) > 0
    idle_for(at, 29)  # each interaction counts from now on
    at.run()
    assert rendered_data(at) > 0
    assert time.time() - at.session_state[auth.ACTIVE_KEY] < 60
    idle_for(at, 31)
    at.run()
    assert not at.exception
    assert rendered_data(at) == 0
    assert len(at.text_input) == 2  # the sign-in form
    expected = i18n.t("auth.expired", lang, minutes=i18n.digits(30, lang))
    assert [w.value for w in at.warning] == [expected]
    assert actions() == [(name, "session_expired")]
    detail = json.loads(audit.recent("session_expired")["detail"].iloc[0])
    assert detail == {"via": "password", "idle_minutes": 30}
    # signing in again shows the app, and the message is gone
    at.text_input(key="signin_username").input(name)
    at.text_input(key="signin_password").input("test-password-analyst")
    at.button(key="signin_submit").click().run()
    assert rendered_data(at) > 0
    assert not at.warning


def test_the_time_out_follows_the_setting(tiny_store, as_role, monkeypatch):
    monkeypatch.setenv("COVERAGE_IDLE_MINUTES", "5")
    at = new_app()
    as_role(at, "viewer")
    at.run()
    idle_for(at, 4)
    at.run()
    assert rendered_data(at) > 0
    idle_for(at, 6)
    at.run()
    assert rendered_data(at) == 0
    assert "after 5 minutes without activity" in at.warning[0].value


def test_an_idle_oidc_session_is_signed_out_of_its_identity_too(tiny_store):
    at = new_app()
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": "ana@example.org"}
    at.run()
    assert rendered_data(at) > 0
    idle_for(at, 31)
    at.run()
    assert at.user == {"is_logged_in": False}  # st.logout() ran
    assert rendered_data(at) == 0
    assert actions() == [("ana@example.org", "session_expired"), ("ana@example.org", "sign_in")]


@pytest.mark.parametrize(
    ("role", "file"),
    [("viewer", "app_pages/admin.py"), ("analyst", "app_pages/import_data.py"),
     ("data_manager", "app_pages/admin.py")],
)  # fmt: skip
def test_a_page_not_permitted_says_so_when_opened_by_its_address(tiny_store, as_role, role, file):
    at = new_app()
    name = as_role(at, role)
    at.run()
    at.switch_page(file).run()  # what opening /admin or /import_data in the browser does
    assert not at.exception
    assert [e.value for e in at.error] == [i18n.t("auth.refused")]
    assert rendered_data(at) == 0
    assert not at.get("form")  # nothing of the page itself
    assert actions(name) == [(name, scopes.REFUSED)]
    detail = json.loads(audit.recent(scopes.REFUSED)["detail"].iloc[0])
    least = dict(test_app_access.PAGES)[file]
    assert detail == {"required": least, "page": file.removeprefix("app_pages/")[:-3]}


def sign_in_with(name: str, password: str, page: str | None = None) -> AppTest:
    """The app after a sign-in through its form, on `page` (its address) if given."""
    at = new_app()
    at.secrets = {"roles": {}}
    at.run()
    if page:  # the address of a page, opened before signing in
        at.switch_page(page).run()
    at.text_input(key="signin_username").input(name)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    return at


def test_the_page_asked_for_opens_after_the_sign_in_or_says_it_is_not_permitted(tiny_store):
    accounts.add("ana", "analyst", "a long enough password")
    at = sign_in_with("ana", "a long enough password", page="app_pages/needs.py")
    assert at.title[0].value == i18n.t("needs.title")
    at = sign_in_with("ana", "a long enough password", page="app_pages/admin.py")
    assert [e.value for e in at.error] == [i18n.t("auth.refused")]
    assert actions("ana")[0] == ("ana", scopes.REFUSED)


@pytest.mark.parametrize(
    ("typed", "user", "tried"),
    [("ana", "ana", "ana"), (" ANA ", "ana", "ANA"), ("bo", None, "bo"),
     ("my secret password", None, None)],  # a passphrase typed as the name is not kept
)  # fmt: skip
def test_a_failed_sign_in_is_audited_with_the_name_tried(tiny_store, typed, user, tried):
    accounts.add("ana", "analyst", "a long enough password")
    at = sign_in_with(typed, "not the password")
    assert at.error[0].value == i18n.t("auth.failed")
    log = audit.recent("sign_in_failed")
    assert log["user_name"].tolist() == [user]
    assert json.loads(log["detail"].iloc[0])["tried"] == tried
