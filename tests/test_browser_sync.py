"""A real browser on the registry synchronisation and import pages of the demo store."""

import browser
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def server(demo_store_file):
    with browser.streamlit_server({"COVERAGE_DB": str(demo_store_file)}) as url:
        yield url


def test_registry_sync_page_shows_the_overlap_chart_and_history(chromium, server):
    page = chromium.new_page(viewport={"width": 1500, "height": 1150})
    page.goto(f"{server}/registry_sync")
    browser.wait_idle(page)
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
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/import_data")
    browser.wait_idle(page)
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
