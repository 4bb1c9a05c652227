"""A real browser on the registry synchronisation and import pages of the demo store."""

import pytest

import browser

pytestmark = pytest.mark.browser


USER, PASSWORD = "sophea", "browser-test-password"


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_sync")
    with browser.served_with_account(
        demo_store_file, folder, USER, "data_manager", PASSWORD
    ) as url:
        yield url


def open_page(chromium, server, title: str, **options):
    """Sign in as a data manager, then open a page from the menu (a reload signs out)."""
    page = chromium.new_page(**options)
    page.goto(server)
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    page.get_by_role("link", name=title).click()
    browser.wait_idle(page)
    return page


def test_registry_sync_page_shows_the_overlap_chart_and_history(chromium, server):
    viewport = {"width": 1500, "height": 1150}
    page = open_page(chromium, server, "Registry synchronisation", viewport=viewport)
    body = page.inner_text("body")
    assert "Overlap between registries" in body
    assert "Compatibility matrix" in body
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)
    bars = page.locator('[data-testid="stPlotlyChart"] .bars path')
    assert bars.count() >= 5  # one per combination of registries, and the registry sizes
    assert page.locator('[data-testid="stDataFrame"]').count() >= 4
    browser.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=browser.SCREENSHOTS / "registry_sync.png", full_page=True)
    page.close()


def test_import_page_checks_a_file_in_a_dry_run(chromium, server):
    viewport = {"width": 1400, "height": 1100}
    page = open_page(chromium, server, "Import data", viewport=viewport)
    assert "Import an agency file" in page.inner_text("body")
    browser.choose(page, "Kind of file", "Population estimates")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(browser.REPO / "data" / "samples" / "population.csv")
    )
    browser.wait_idle(page)
    page.get_by_text("Dry run: check and report, write nothing").click()
    browser.wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    browser.wait_idle(page)
    page.get_by_text("the file has no problem and would be accepted").wait_for(timeout=30_000)
    page.screenshot(path=browser.SCREENSHOTS / "import_data.png", full_page=False)
    page.close()
