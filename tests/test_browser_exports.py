"""A real browser switches the app to Khmer and downloads the map as PNG."""

import io

import pytest
from PIL import Image

import browser

pytestmark = pytest.mark.browser


USER, PASSWORD = "dara", "browser-test-password"


@pytest.fixture(scope="module")
def server(demo_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_exports")
    with browser.served_with_account(demo_store_file, folder, USER, "viewer", PASSWORD) as url:
        yield url


def test_switch_to_khmer_and_download_the_map_as_png(chromium, server, tmp_path):
    page = chromium.new_page(viewport={"width": 1500, "height": 1150}, accept_downloads=True)
    page.goto(server)
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    page.locator(".st-key-lang").get_by_text("ខ្មែរ").click()
    browser.wait_idle(page)
    browser.wait_for_map(page)
    body = page.inner_text("body")
    assert "ទិន្នន័យសាកល្បង" in body  # the demo banner, in Khmer
    assert "អត្រាវិសាលភាព" in body  # "coverage rate"
    assert "lang=km" in page.url
    # the select boxes are redrawn with Khmer labels too ("all informal work")
    occupation = page.locator(".st-key-filter_occupation input").input_value()
    assert occupation == "ការងារក្រៅប្រព័ន្ធទាំងអស់"
    with page.expect_download(timeout=90_000) as download:
        page.locator(".st-key-coverage_map_download_png button").click()
    assert download.value.suggested_filename.endswith("_km.png")
    path = tmp_path / "map.png"
    download.value.save_as(path)
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert image.format == "PNG"
    assert image.size[0] == 2000  # 1,000 px export at twice screen resolution
    browser.SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=browser.SCREENSHOTS / "coverage_km.png", full_page=False)
    page.close()
