"""A real browser on the needs, gaps, uptake, drill-down and planning pages."""

import browser
import pytest

pytestmark = pytest.mark.browser
PAGES = {
    "gaps": "Targeting errors",
    "uptake": "Monthly trends",
    "drilldown": "Districts and communes",
    "planning": "What-if planner",
}


@pytest.fixture(scope="module")
def chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    app_db = tmp_path_factory.mktemp("browser_app") / "app.sqlite"
    env = {"COVERAGE_DB": str(demo_store_file), "COVERAGE_APP_DB": str(app_db)}
    with browser.streamlit_server(env) as url:
        yield url


def ranking(page) -> str:
    """The province leading the contributions chart (its bars are labelled '1. Name')."""
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    labels = chart.locator(".ytick text").evaluate_all("nodes => nodes.map(n => n.textContent)")
    return next(label for label in labels if label.startswith("1. "))


def test_needs_map_draws_and_a_weight_reranks(chromium, server):
    page = chromium.new_page(viewport={"width": 1500, "height": 1400})
    page.goto(f"{server}/needs")
    browser.wait_idle(page)
    browser.wait_for_map(page)
    assert "Needs assessment" in page.inner_text("body")
    before = ranking(page)
    slider = page.get_by_role("slider").first  # the coverage gap (head count) weight
    slider.focus()
    slider.press("End")  # weight 100: the largest gaps lead
    browser.wait_idle(page)
    browser.wait_for_map(page)
    after = ranking(page)
    assert after != before
    assert page.get_by_role("slider").first.get_attribute("aria-valuetext") == "100"
    page.locator("h1").first.scroll_into_view_if_needed()  # the map and the ranking
    browser.wait_for_map(page)
    page.screenshot(path=browser.SCREENSHOTS / "needs.png", full_page=False)
    page.close()


@pytest.mark.parametrize(("slug", "text"), PAGES.items())
def test_new_pages_render_in_the_browser(chromium, server, slug, text):
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/{slug}")
    browser.wait_idle(page)
    body = page.inner_text("body")
    assert text in body
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
