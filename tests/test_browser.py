"""A real browser: Chromium drives the served app, sees the map, changes a filter."""

import pytest

import browser

pytestmark = pytest.mark.browser


USER, PASSWORD = "ana", "browser-test-password"


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    with browser.served_with_account(demo_store_file, folder, USER, "viewer", PASSWORD) as url:
        yield url


def table_text(page) -> str:
    return page.locator('[data-testid="stDataFrame"]').first.inner_text()


def test_map_renders_and_a_filter_changes_the_table(chromium, server):
    page = chromium.new_page(viewport={"width": 1500, "height": 1150})
    page.goto(server)
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    browser.wait_for_map(page)
    assert "Demo data" in page.inner_text("body")
    before = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    browser.choose(page, "Sex", "Women")
    browser.wait_for_map(page)
    after = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert after != before
    assert "sex=F" in page.url
    browser.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=browser.SCREENSHOTS / "coverage.png", full_page=False)
    page.close()


def test_a_shared_link_reopens_the_same_view(chromium, server):
    page = chromium.new_page()
    page.goto(f"{server}/?sex=F&age=25-34")
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    boxes = page.locator('[data-testid="stSelectbox"]')
    assert boxes.filter(has_text="Sex").locator("input").input_value() == "Women"
    assert boxes.filter(has_text="Age band").locator("input").input_value() == "25-34"
    page.close()
