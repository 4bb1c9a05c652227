"""A real browser on the needs, gaps, uptake, drill-down and planning pages."""

import pytest

import browser

pytestmark = pytest.mark.browser
PAGES = {
    "gaps": "Targeting errors",
    "uptake": "Monthly trends",
    "drilldown": "Districts and communes",
    "planning": "What-if planner",
}


USER, PASSWORD = "vanna", "browser-test-password"
TITLES = {
    "needs": "Needs assessment",
    "gaps": "Gaps and targeting",
    "uptake": "Service uptake",
    "drilldown": "Districts and communes",
    "planning": "Planning",
}


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_needs")
    with browser.served_with_account(demo_store_file, folder, USER, "analyst", PASSWORD) as url:
        yield url


def open_page(chromium, server, slug: str, **options):
    """Sign in as an analyst, then open a page from the menu (a reload signs out)."""
    page = chromium.new_page(**options)
    page.goto(server)
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=TITLES[slug]).click()
    browser.wait_idle(page)
    return page


def ranking(page) -> list[str]:
    """The provinces of the contributions chart in rank order (bars labelled '1. Name')."""
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    labels = chart.locator(".ytick text").evaluate_all("nodes => nodes.map(n => n.textContent)")
    ranked = [label for label in labels if label.split(". ", 1)[0].isdigit()]
    return sorted(ranked, key=lambda label: int(label.split(". ", 1)[0]))


def test_needs_map_draws_and_a_weight_reranks(chromium, server):
    page = open_page(chromium, server, "needs", viewport={"width": 1500, "height": 1400})
    browser.wait_for_map(page)
    assert "Needs assessment" in page.inner_text("body")
    before = ranking(page)
    slider = page.get_by_role("slider").first  # the coverage gap (head count) weight
    slider.focus()
    slider.press("End")  # weight 100: the largest gaps lead
    browser.wait_idle(page)
    browser.wait_for_map(page)
    after = ranking(page)
    assert len(after) == len(before) > 1
    assert after != before  # some provinces change places
    assert page.get_by_role("slider").first.get_attribute("aria-valuetext") == "100"
    page.locator("h1").first.scroll_into_view_if_needed()  # the map and the ranking
    browser.wait_for_map(page)
    page.screenshot(path=browser.SCREENSHOTS / "needs.png", full_page=False)
    page.close()


@pytest.mark.parametrize(("slug", "text"), PAGES.items())
def test_new_pages_render_in_the_browser(chromium, server, slug, text):
    page = open_page(chromium, server, slug, viewport={"width": 1400, "height": 1100})
    body = page.inner_text("body")
    assert text in body
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
