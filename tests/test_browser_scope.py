"""A real browser, signed in with a scope: a province's user and one agency's data manager.

On the demo store: a viewer limited to Kampot (07) opens every page of the menu and sees
no other province's name, table row, map area or selector choice; the coverage table's CSV
and the briefing pack hold Kampot and the national row only. A data manager limited to
NSSF is refused IDPOOR's import and rollback and is offered NSSF's export alone; each
refusal is in the audit log.
"""

import csv
import io
import re
import sqlite3

import pypdf
import pytest

import browser
from ingest import reference

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
VIEWER, MANAGER = "kampot", "nssf-manager"
MINE = "07"
NAMES = reference.read_csv("provinces").set_index("province_code")["name_en"]
OTHERS = [name for code, name in NAMES.items() if code != MINE]


def foreign_names(text: str) -> list[str]:
    return [name for name in OTHERS if re.search(rf"\b{re.escape(name)}\b", text)]


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    from appdb import accounts

    app_db = tmp_path_factory.mktemp("browser_scope") / "app.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COVERAGE_APP_DB", str(app_db))
        accounts.add(VIEWER, "viewer", PASSWORD, None, [MINE])
        accounts.add(MANAGER, "data_manager", PASSWORD, "NSSF")
    env = {"COVERAGE_DB": str(demo_store_file), "COVERAGE_APP_DB": str(app_db)}
    with browser.streamlit_server(env) as url:
        yield url, app_db


def signed_in(chromium, url: str, user: str):
    page = chromium.new_page(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
    page.goto(url)
    browser.wait_idle(page)
    browser.sign_in(page, user, PASSWORD)
    return page


def menu(page) -> list[str]:
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.split("\n")[-1] for text in texts]


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    browser.wait_idle(page)
    page.wait_for_timeout(500)  # charts and tables draw after the run ends
    browser.wait_idle(page)


def shown_text(page) -> str:
    """The page's text, its charts' SVG text, and the cells of every table (a canvas grid
    whose accessible cells are in the page)."""
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_text_contents()
    charts = page.locator("svg text").all_text_contents()
    return "\n".join([page.inner_text("body"), *charts, *cells])


def open_list(page, key: str) -> None:
    """Open the list of the select box of that widget key (a click, else the arrow key)."""
    box = page.locator(f".st-key-{key} input")
    box.click()
    page.wait_for_timeout(300)
    if box.get_attribute("aria-expanded") != "true":  # focused but not opened
        page.keyboard.press("ArrowDown")
    page.locator('[role="option"]').first.wait_for(timeout=10_000)


def options(page, key: str) -> list[str]:
    """The choices the select box of that widget key offers (opened, read, closed)."""
    open_list(page, key)
    found = page.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    return found


def pick(page, key: str, option: str) -> None:
    """Choose `option` in the select box of that widget key."""
    open_list(page, key)
    page.locator('[role="option"]').filter(has_text=option).first.click()
    browser.wait_idle(page)


def download(page, key: str, folder) -> bytes:
    """Click the download button of that key; the file it gives."""
    with page.expect_download(timeout=120_000) as started:
        page.locator(f".st-key-{key} button").click()
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    return path.read_bytes()


def refusals(app_db, user: str) -> list[str]:
    """The details of the user's refusals in the audit log, oldest first."""
    with sqlite3.connect(app_db) as con:
        rows = con.execute(
            "select detail from audit_log where user_name = ? and action = 'access_refused' "
            "order by id",
            (user,),
        ).fetchall()
    return [row[0] for row in rows]


def test_a_province_scoped_viewer_sees_only_its_province_on_every_page(chromium, server, tmp_path):
    url, _ = server
    page = signed_in(chromium, url, VIEWER)
    page.locator("canvas.maplibregl-canvas").first.wait_for(timeout=30_000)
    assert "Figures of Kampot and the national row only." in page.inner_text("body")
    assert options(page, "coverage_brief_area") == ["Kampot"]  # a pack of Kampot, not the nation
    titles = menu(page)
    assert "Districts and communes" in titles
    for title in titles:
        open_page(page, title)
        text = shown_text(page)
        assert foreign_names(text) == [], title
        if title in ("Coverage map", "Districts and communes", "Gaps and targeting"):
            assert "Kampot" in text, title
    open_page(page, "Districts and communes")
    assert options(page, "drilldown_province") == ["Kampot"]
    open_page(page, "Coverage map")
    rows = list(csv.DictReader(io.StringIO(
        download(page, "coverage_table_download_csv", tmp_path).decode("utf-8-sig")
    )))  # fmt: skip
    assert [row["province_code"] for row in rows] == [MINE, "KH"]
    pack = download(page, "coverage_brief_download", tmp_path)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pack)).pages)
    assert "Kampot" in text
    assert foreign_names(text) == []
    page.close()


def test_an_agency_data_manager_is_refused_another_agencys_import_export_and_rollback(
    chromium, server
):
    url, app_db = server
    page = signed_in(chromium, url, MANAGER)
    page.locator("canvas.maplibregl-canvas").first.wait_for(timeout=30_000)
    browser.wait_idle(page)
    for _ in range(60):  # the table's cells come after the map on a busy machine
        if len(foreign_names(shown_text(page))) > 5:
            break
        page.wait_for_timeout(500)
    assert len(foreign_names(shown_text(page))) > 5  # no province limit: other provinces shown
    open_page(page, "Import data")
    assert "NSSF" in page.inner_text("body")  # "imports ... for NSSF only"
    pick(page, "import_data_source", "IDPOOR")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(browser.REPO / "data" / "samples" / "registrations.csv")
    )
    browser.wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    browser.wait_idle(page)
    page.get_by_text("this action for IDPOOR is refused").wait_for(timeout=30_000)
    batches = options(page, "import_data_rollback_batch")
    pick(page, "import_data_rollback_batch", next(b for b in batches if "· IDPOOR ·" in b))
    page.get_by_role("button", name="Roll back this batch").click()
    browser.wait_idle(page)
    page.get_by_text("this action for IDPOOR is refused").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0  # not rolled back
    open_page(page, "Registry synchronisation")
    assert options(page, "registry_sync_agency") == ["NSSF"]  # the export of its own agency alone
    page.close()
    assert refusals(app_db, MANAGER) == [
        '{"action": "import", "agency": "IDPOOR", "scope_agency": "NSSF"}',
        '{"action": "rollback", "agency": "IDPOOR", "scope_agency": "NSSF"}',
    ]
