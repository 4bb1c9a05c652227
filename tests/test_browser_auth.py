"""A real browser signs in: with a local account, and through an OIDC provider on loopback.

The provider is oidc-provider-mock (a Flask app in a thread of the test process); the
app reads a secrets file written for the test (`--secrets.files`), never a developer's own.
"""

import secrets
import sqlite3
from urllib.parse import quote

import httpx
import pytest

import browser

pytestmark = pytest.mark.browser

VIEWER, ADMIN, PASSWORD = "vi", "root", "browser-test-password"


@pytest.fixture(scope="module")
def local_server(demo_store_file, tmp_path_factory):
    app_db = tmp_path_factory.mktemp("local") / "app.sqlite"
    browser.add_account(app_db, VIEWER, "viewer", PASSWORD)
    browser.add_account(app_db, ADMIN, "admin", PASSWORD)
    env = {"COVERAGE_DB": str(demo_store_file), "COVERAGE_APP_DB": str(app_db)}
    with browser.streamlit_server(env) as url:
        yield url, app_db


def body(page) -> str:
    return page.inner_text("body")


def nav_links(page) -> list[str]:
    """The page titles in the sidebar menu (each link's text ends with its title)."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.split("\n")[-1] for text in texts]


def test_a_local_account_signs_in_and_sees_only_its_pages(chromium, local_server):
    url, app_db = local_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    browser.wait_idle(page)
    assert "Sign in" in body(page)
    assert page.locator('[data-testid="stMetric"], canvas').count() == 0
    page.get_by_label("Username", exact=True).fill(VIEWER)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Username or password is incorrect.").wait_for()
    browser.sign_in(page, VIEWER, PASSWORD)
    browser.wait_for_map(page)
    assert nav_links(page) == [
        "Coverage map",
        "Needs assessment",
        "Gaps and targeting",
        "Service uptake",
        "Districts and communes",
        "Planning",
        "Registry synchronisation",
        "Definitions and sources",
    ]  # fmt: skip: every page but Import data and Administration
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username", exact=True).wait_for()
    browser.wait_idle(page)  # stale elements of the last run go once the run ends
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.close()
    with sqlite3.connect(app_db) as con:
        log = con.execute("select user_name, action from audit_log order by id").fetchall()
    assert log == [(VIEWER, "sign_in_failed"), (VIEWER, "sign_in"), (VIEWER, "sign_out")]


# How many times the page has fetched the plotly bundle.
PLOTLY_LOADED = (
    "performance.getEntriesByType('resource').filter(e => e.name.includes('/PlotlyChart.')).length"
)


def test_the_map_code_is_loaded_while_the_user_types(chromium, local_server):
    url, _ = local_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    browser.wait_idle(page)
    page.get_by_label("Username", exact=True).focus()
    page.wait_for_function("() => window.__elementPreload === true")
    page.wait_for_function(f"() => {PLOTLY_LOADED} >= 1")
    browser.sign_in(page, VIEWER, PASSWORD)
    browser.wait_for_map(page)
    assert page.evaluate(PLOTLY_LOADED) == 1  # the frontend used the module already loaded
    page.close()


def test_the_admin_url_shows_a_viewer_no_admin_page(chromium, local_server):
    url, app_db = local_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    browser.wait_idle(page)
    browser.sign_in(page, VIEWER, PASSWORD)
    page.goto(f"{url}/admin")  # a new session: signs in again, on the page it asked for
    browser.wait_idle(page)
    browser.sign_in(page, VIEWER, PASSWORD)
    page.get_by_text("Your role does not give access to this page.").wait_for()
    assert "Add a user" not in body(page)
    assert "Audit log" not in body(page)
    assert "Administration" not in nav_links(page)  # not in the menu either
    page.close()
    with sqlite3.connect(app_db) as con:
        refused = con.execute(
            "select user_name, detail from audit_log where action = 'access_refused'"
        ).fetchall()
    assert refused == [(VIEWER, '{"page": "admin", "required": "admin"}')]
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    browser.wait_idle(page)
    browser.sign_in(page, ADMIN, PASSWORD)
    assert nav_links(page)[-1] == "Administration"
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Administration").click()
    page.get_by_text("Add a user").wait_for()
    page.close()


def test_a_shared_link_opens_its_page_and_filters_after_sign_in(chromium, local_server):
    url, _ = local_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{url}/needs?month=2026-09&sex=F")  # as a colleague would paste it
    browser.wait_idle(page)
    browser.sign_in(page, VIEWER, PASSWORD)
    page.get_by_role("heading", name="Needs assessment").first.wait_for()
    browser.wait_idle(page)
    assert "/needs" in page.url
    assert "month=2026-09" in page.url
    assert "sex=F" in page.url
    boxes = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    shown = {b.inner_text(): b.locator("input").input_value() for b in boxes.all()}
    assert shown["As-of month"] == "September 2026"
    assert shown["Sex"] == "Women"
    # Streamlit's frontend first looks for its server under the page's path, then under its
    # parent (streamlit/streamlit#7074, open): those two probes are its only 404s.
    probes = {f"{url}/needs/_stcore/health", f"{url}/needs/_stcore/host-config"}
    assert set(missing) <= probes
    page.close()


@pytest.fixture(scope="module")
def oidc_provider():
    mock = pytest.importorskip("oidc_provider_mock")
    with mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        claims = {"email": "ana@example.org", "email_verified": True, "name": "Ana"}
        httpx.put(f"{issuer}/users/{quote('ana@example.org')}", json=claims).raise_for_status()
        yield issuer


@pytest.fixture(scope="module")
def oidc_server(demo_store_file, tmp_path_factory, oidc_provider):
    folder = tmp_path_factory.mktemp("oidc")
    port = browser.free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "coverage-dashboard"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"

[roles]
"ana@example.org" = "analyst"
""",
        encoding="utf-8",
    )
    env = {"COVERAGE_DB": str(demo_store_file), "COVERAGE_APP_DB": str(folder / "app.sqlite")}
    with browser.streamlit_server(env, secrets=secrets_file, port=port) as url:
        yield url, folder / "app.sqlite"


# The mock provider calls Authlib APIs that Authlib deprecates (Authlib's own
# AuthlibDeprecationWarning forces itself "always" on import, so two of them still show).
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sign_in_through_a_local_oidc_provider(chromium, oidc_server):
    url, app_db = oidc_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    browser.wait_idle(page)
    assert page.get_by_label("Password", exact=True).count() == 0
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.get_by_placeholder("sub").first.fill("ana@example.org")
    page.get_by_role("button", name="Authorize").click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=30_000)
    browser.wait_idle(page)
    assert "ana@example.org" in body(page)
    assert "Analyst" in body(page)
    browser.wait_for_map(page)
    page.close()
    with sqlite3.connect(app_db) as con:
        log = con.execute("select user_name, action from audit_log").fetchall()
    assert log == [("ana@example.org", "sign_in")]
