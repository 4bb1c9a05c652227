"""Issue 16: a browser session asks nothing of any host but the app's own.

Offline, every request to another host fails (a font host's icon was asked for 143 times a
session); online, it tells that host who uses the app. The test records every request of a
fresh session from the sign-in page through every page of the menu.
"""

from urllib.parse import urlsplit

import pytest

import browser

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "root", "offline-test-password"


def test_no_request_leaves_the_apps_own_host(chromium, demo_store_file, tmp_path):
    with browser.served_with_account(demo_store_file, tmp_path, ADMIN, "admin", PASSWORD) as url:
        own = urlsplit(url).netloc
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(url)
        browser.wait_idle(page)
        before_sign_in = len(asked)
        browser.sign_in(page, ADMIN, PASSWORD)
        browser.wait_for_map(page)
        links = page.locator('[data-testid="stSidebarNav"] a')
        visited = []
        for number in range(links.count()):
            links.nth(number).click()
            browser.wait_idle(page)
            visited.append(page.url)
        page.close()
    assert before_sign_in > 0
    assert len(set(visited)) >= 9  # every page of an admin's menu
    elsewhere = sorted(
        {
            u
            for u in asked
            if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != own
        }
    )
    assert elsewhere == []
