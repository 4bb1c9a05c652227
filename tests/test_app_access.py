"""The rendered app with a mocked user: the sign-in gate, each role's pages and actions, audit.

Local accounts sign in through session state (the `as_role` fixture) or the real form;
OIDC users through AppTest's `user` (st.user) with an `[auth]` section in `at.secrets`.
The page list comes from PAGES in dashboard/app.py, so pages added later are covered too.
"""

import ast
import json
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from appdb import accounts, app_settings, audit, scopes
from ui import auth, downloads, element_preload

pytestmark = pytest.mark.app

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard/app.py")


def app_pages() -> list[tuple[str, str]]:
    """(file, least role) of every entry of PAGES in app.py, read without running it."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            return [(entry.elts[0].value, entry.elts[3].value) for entry in node.value.elts]
    raise AssertionError("no PAGES in app.py")


PAGES = app_pages()
EXPECTED_LEAST_ROLE = {  # by the issue: what each role may see
    "app_pages/coverage.py": "viewer",
    "app_pages/methodology.py": "viewer",
    "app_pages/registry_sync.py": "viewer",  # overlap only; sync detail: data managers
    "app_pages/import_data.py": "data_manager",
    "app_pages/admin.py": "admin",
}


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a test cookie secret",
        "client_id": "coverage-dashboard",
        "client_secret": "test",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
    },
    "roles": {"ana@example.org": "analyst", "@nspc.gov.kh": "viewer"},
}


def signed_in(as_role, role: str, via: str) -> tuple[AppTest, str]:
    """An app whose user holds `role`: a local account, or an OIDC identity (mocked st.user)."""
    at = new_app()
    if via == "password":
        return at, as_role(at, role)
    email = f"{role}@example.org"
    at.secrets = {**OIDC_SECRETS, "roles": {email: role}}
    at.user = {"is_logged_in": True, "email": email}
    return at, email


def rendered_data(at: AppTest) -> int:
    return sum(len(at.get(kind)) for kind in ("metric", "plotly_chart", "dataframe"))


def actions(name: str | None = None) -> list[tuple]:
    log = audit.recent()
    rows = zip(log["user_name"], log["action"], strict=True)
    return [row for row in rows if name is None or row[0] == name]


def test_the_pages_of_the_issue_carry_their_roles():
    listed = dict(PAGES)
    for file, role in EXPECTED_LEAST_ROLE.items():
        assert listed[file] == role
    assert set(listed.values()) <= set(accounts.ROLES)


def test_nothing_is_read_or_shown_before_sign_in(tiny_store):
    at = new_app()
    at.secrets = {"roles": {}}
    with patch(
        "data_access.reads.store_summary", side_effect=AssertionError("read before sign-in")
    ):
        at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert rendered_data(at) == 0
    assert len(at.download_button) == 0
    assert len(at.sidebar.selectbox) == 0  # no filters: their options come from the store


def test_the_sign_in_screen_has_the_browser_load_the_element_code(tiny_store):
    # Every bundle named is in the pinned Streamlit build (a renamed one would be skipped).
    assert len(element_preload.bundle_files()) == len(element_preload.BUNDLES)
    at = new_app()
    at.secrets = {"roles": {}}
    at.run()
    script = " ".join(h.proto.body for h in at.get("html"))
    assert all(name in script for name in element_preload.module_files())
    assert "PlotlyChart." in script
    # with what the bundles import, e.g. the plotly bundle's full-screen wrapper
    assert len(element_preload.module_files()) > len(element_preload.bundle_files())


def signed_in_line(at: AppTest) -> str:
    """The sidebar's "Signed in as <name> (<role>)": the sentence, the name quoted as given."""
    return " ".join(caption.value for caption in at.sidebar.caption[-3:])


def test_sign_in_through_the_form_then_sign_out(tiny_store):
    accounts.add("ana", "analyst", "a long enough password")
    at = new_app()
    at.secrets = {"roles": {}}
    at.run()
    at.text_input(key="signin_username").input("ana")
    at.text_input(key="signin_password").input("a long enough password")
    at.button(key="signin_submit").click().run()
    assert not at.exception
    assert rendered_data(at) > 0
    assert signed_in_line(at) == "Signed in as ana (Analyst)"
    at.button(key="auth_sign_out").click().run()
    assert rendered_data(at) == 0
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert actions("ana") == [("ana", "sign_out"), ("ana", "sign_in")]


def test_the_form_locks_an_account_after_five_failures(tiny_store):
    accounts.add("ana", "analyst", "a long enough password")
    at = new_app()
    at.secrets = {"roles": {}}
    at.run()
    for _ in range(5):
        at.text_input(key="signin_username").input("ana")
        at.text_input(key="signin_password").input("a wrong password")
        at.button(key="signin_submit").click().run()
    assert "locked until" in at.error[0].value
    at.text_input(key="signin_username").input("ana")
    at.text_input(key="signin_password").input("a long enough password")
    at.button(key="signin_submit").click().run()
    assert "locked until" in at.error[0].value
    assert rendered_data(at) == 0
    assert actions("ana") == [("ana", "sign_in_failed")] * 6


def test_an_unknown_name_gets_the_same_answer_and_is_not_logged(tiny_store):
    at = new_app()
    at.secrets = {"roles": {}}
    at.run()
    at.text_input(key="signin_username").input("my secret password")
    at.text_input(key="signin_password").input("x")
    at.button(key="signin_submit").click().run()
    assert at.error[0].value == "Username or password is incorrect."
    assert actions() == [(None, "sign_in_failed")]


def test_a_removed_account_is_signed_out_at_its_next_run(tiny_store, as_role):
    at = new_app()
    as_role(at, "viewer")
    at.run()
    assert rendered_data(at) > 0
    accounts.remove("viewer-user")
    at.run()
    assert rendered_data(at) == 0


@pytest.mark.parametrize("via", ["password", "oidc"])
@pytest.mark.parametrize("role", accounts.ROLES)
@pytest.mark.parametrize(("file", "least"), PAGES, ids=[Path(f).stem for f, _ in PAGES])
def test_each_role_sees_exactly_the_pages_it_may(tiny_store, as_role, role, via, file, least):
    at, _ = signed_in(as_role, role, via)
    at.run()
    at.switch_page(file).run()  # every page is registered: its address reaches it
    assert not at.exception
    if accounts.allows(role, least):
        assert not at.error
    else:  # not in the menu, and refused when opened by its address
        assert [e.value for e in at.error] == ["Your role does not give access to this page."]
        assert rendered_data(at) == 0
        log = audit.recent(scopes.REFUSED)
        assert log["action"].tolist() == [scopes.REFUSED]
        detail = json.loads(log["detail"].iloc[0])
        assert detail == {"required": least, "page": Path(file).stem}


@pytest.mark.parametrize(("file", "least"), [(f, r) for f, r in PAGES if r != "viewer"])
def test_a_restricted_page_refuses_a_lesser_role_reaching_it_directly(as_role, file, least):
    below = accounts.ROLES[accounts.ROLES.index(least) - 1]
    at = AppTest.from_file(str(REPO / "dashboard" / file), default_timeout=60)
    name = as_role(at, below)
    at.run()
    assert at.error[0].value == "Your role does not give access to this page."
    assert rendered_data(at) == 0
    assert actions(name) == [(name, "access_refused")]


@pytest.mark.parametrize("via", ["password", "oidc"])
@pytest.mark.parametrize("role", accounts.ROLES)
def test_every_role_exports_and_the_export_is_audited(tiny_store, as_role, role, via, monkeypatch):
    at, name = signed_in(as_role, role, via)
    at.run()
    keys = {b.key for b in at.get("download_button")}
    assert {"coverage_table_download_csv", "coverage_map_download_png"} <= keys
    # A download's file is built on request, outside the script run: the wrapper takes
    # the user at render time and records the export when the file is built.
    monkeypatch.setattr(auth, "current_user", lambda: auth.User(name, role, via))
    build = downloads.audited({"file": "coverage.csv", "filters": "Sex: all"}, lambda: b"x")
    assert "export" not in {action for _, action in actions(name)}
    assert build() == b"x"
    assert actions(name)[0] == (name, "export")
    detail = audit.recent("export")["detail"].iloc[0]
    assert '"file": "coverage.csv"' in detail
    assert '"filters": "Sex: all"' in detail


def admin_page(as_role) -> AppTest:
    at = new_app()
    as_role(at, "admin")
    at.run()
    return at.switch_page("app_pages/admin.py").run()


def test_admin_adds_a_user_who_can_then_sign_in(tiny_store, as_role):
    at = admin_page(as_role)
    at.text_input(key="admin_add_name").input("sok")
    at.selectbox(key="admin_add_role").select("data_manager")
    at.text_input(key="admin_add_password").input("the new colleague's passphrase")
    at.button(key="admin_add_submit").click().run()
    assert not at.exception
    assert at.success[0].value == "Done."
    assert accounts.get("sok")["role"] == "data_manager"
    assert accounts.authenticate("sok", "the new colleague's passphrase").ok
    assert actions("admin-user")[0] == ("admin-user", "user_add")
    assert "passphrase" not in audit.recent("user_add")["detail"].iloc[0]


def test_admin_unlocks_and_cannot_remove_themselves(tiny_store, as_role):
    accounts.add("ana", "analyst", "a long enough password")
    for _ in range(5):
        accounts.authenticate("ana", "a wrong password")
    at = admin_page(as_role)
    at.selectbox(key="admin_manage_name").select("ana")
    at.button(key="admin_unlock").click().run()
    assert accounts.get("ana")["locked_until"] is None
    at.selectbox(key="admin_manage_name").select("admin-user")
    at.button(key="admin_remove").click().run()
    assert at.error[0].value.startswith("You cannot remove your own account")
    assert accounts.get("admin-user") is not None


def test_admin_sees_accounts_in_plain_words(tiny_store, as_role):
    accounts.add("ana", "analyst", "a long enough password")
    accounts.add("ops@nspc.gov.kh", "data_manager")  # signs in through the provider
    for _ in range(5):
        accounts.authenticate("ana", "a wrong password")
    at = admin_page(as_role)
    table = at.dataframe[0].value.set_index("User")
    ana, ops = table.loc["ana"], table.loc["ops@nspc.gov.kh"]
    assert (ana["Role"], ops["Role"]) == ("Analyst", "Data manager")
    assert ana["Password"] == "Set"
    assert ops["Password"].startswith("None: signs in through")
    assert (ana["Failed sign-ins"], ops["Failed sign-ins"]) == ("5", "0")
    assert ana["Locked until (UTC)"] != ""
    assert ops["Locked until (UTC)"] == ""  # not "None"
    assert (ana["Agency"], ana["Provinces"]) == ("Every agency", "Every province")
    shown = table.astype(str).to_numpy().ravel()
    assert not [v for v in shown if v == "None" or "T" in v and v[:4].isdigit()]


def test_admin_sets_the_threshold_that_every_page_then_uses(tiny_store, as_role):
    at = admin_page(as_role)
    at.number_input(key="admin_threshold_value").set_value(25)
    at.button(key="admin_threshold_save").click().run()
    assert app_settings.min_count() == 25
    assert actions("admin-user")[0] == ("admin-user", "threshold_set")
    at.switch_page("app_pages/coverage.py").run()
    assert any("fewer than 25 persons" in c.value for c in at.caption)


def test_admin_views_and_exports_the_audit_log(tiny_store, as_role):
    audit.record("ana", "import", {"file": "nssf.csv", "rows": 120})
    at = admin_page(as_role)
    log = at.dataframe[-1].value  # the accounts table comes first, then the log
    assert list(log.columns) == ["No.", "When (UTC)", "User", "Action", "Detail"]
    row = log[log["User"] == "ana"].iloc[0]
    assert (row["Action"], row["Detail"]) == ("File imported", "file: nssf.csv; rows: 120")
    stamp = pd.Timestamp(audit.recent("import")["at"].iloc[0])  # the stored UTC time
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    expected = f"{stamp.day} {months[stamp.month - 1]} {stamp.year}, {stamp:%H:%M}"
    assert row["When (UTC)"] == expected
    # The CSV is built, and its export recorded, when the browser asks for it (as every
    # download: tests/test_audit_log.py builds it); showing the button records nothing.
    assert at.download_button(key="admin_audit_download").label == "Download the audit log (CSV)"
    assert "export" not in {action for _, action in actions("admin-user")}


def oidc_app(**user) -> AppTest:
    at = new_app()
    at.secrets = OIDC_SECRETS
    at.user = user
    return at


def test_oidc_shows_only_the_provider_button_before_sign_in(tiny_store):
    at = oidc_app(is_logged_in=False)
    with patch(
        "data_access.reads.store_summary", side_effect=AssertionError("read before sign-in")
    ):
        at.run()
    assert not at.exception
    assert len(at.text_input) == 0
    assert [b.label for b in at.button] == ["Sign in with your organisation account"]
    assert rendered_data(at) == 0


def test_oidc_user_gets_the_role_from_secrets_and_one_audited_sign_in(tiny_store):
    at = oidc_app(is_logged_in=True, email="ana@example.org", name="Ana")
    at.run()
    at.run()
    assert not at.exception
    assert rendered_data(at) > 0
    # the address as plain text: its "@" and "." written so that no link is made of it
    assert "ana&#64;example&#46;org (Analyst)" in signed_in_line(at)
    assert actions() == [("ana@example.org", "sign_in")]


def test_oidc_admin_from_the_accounts_table_reaches_the_admin_page(tiny_store):
    accounts.add("root@nspc.gov.kh", "admin")  # the domain alone would make a viewer
    at = oidc_app(is_logged_in=True, email="root@nspc.gov.kh")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception
    assert at.title[0].value == "Administration"


def test_oidc_sign_out_is_audited_and_leaves_the_provider_session(tiny_store):
    at = oidc_app(is_logged_in=True, email="ana@example.org")
    at.run()
    at.button(key="auth_sign_out").click().run()
    assert at.user == {"is_logged_in": False}  # st.logout() ran
    assert rendered_data(at) == 0
    assert actions() == [("ana@example.org", "sign_out"), ("ana@example.org", "sign_in")]


@pytest.mark.parametrize(
    "claims",
    [{"email": "bo@example.org"}, {"email": "sok@nspc.gov.kh", "email_verified": False}],
    ids=["not listed", "not verified"],
)
def test_oidc_user_without_a_role_sees_nothing(tiny_store, claims):
    at = oidc_app(is_logged_in=True, **claims)
    at.run()
    assert not at.exception
    assert "has no role" in at.error[0].value
    assert rendered_data(at) == 0
    assert actions() == [(claims["email"], "sign_in_refused")]


def test_the_sign_in_form_in_khmer(tiny_store):
    at = new_app()
    at.secrets = {"roles": {}}
    at.session_state["lang"] = "km"
    at.run()
    assert [t.label for t in at.text_input] == ["ឈ្មោះអ្នកប្រើ", "ពាក្យសម្ងាត់"]
