"""A real browser: an outreach file is written to the outbox, and no URL the page knows serves it.

Streamlit serves what `st.download_button` holds at /media/<id> to anyone with the URL,
without checking the session. So the test collects every URL the page links or loads
(links, sources, any /media/ path in its HTML, and every request the network log saw)
and fetches each with a client that holds no cookie and no session: none may return the
file's content.
"""

import re
import shutil
import urllib.error
import urllib.request

import pytest

import browser
import outreach_fixture

pytestmark = pytest.mark.browser

USER, PASSWORD = "dara", "browser-test-password"
HEADER = b"record_id,as_of_month,eligible_programmes"
MEDIA = re.compile(r"""(?:https?://[^\s"'<>()]+)?/media/[^\s"'<>()]+""")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_outreach")
    store = folder / "data" / "coverage.duckdb"
    store.parent.mkdir()
    built = outreach_fixture.build_outreach_store(folder / "built" / "coverage.duckdb")
    shutil.copyfile(built, store)
    with browser.served_with_account(store, folder, USER, "data_manager", PASSWORD) as url:
        yield url, store


def fetch_without_session(url: str) -> bytes:
    """The body a cookie-less, session-less client gets for `url` (b"" on an HTTP error)."""
    opener = urllib.request.build_opener()  # no cookie jar: no session travels with it
    try:
        with opener.open(urllib.request.Request(url), timeout=10) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return error.read()


def test_the_outreach_file_is_written_to_the_outbox_and_no_url_serves_it(chromium, served):
    url, store = served
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    seen: set[str] = set()
    page.on("request", lambda request: seen.add(request.url))
    page.goto(url)
    browser.wait_idle(page)
    browser.sign_in(page, USER, PASSWORD)
    page.get_by_role("link", name="Registry synchronisation").click()
    browser.wait_idle(page)
    agency = page.get_by_role("combobox", name="Agency")
    agency.click()
    agency.press("ArrowDown")  # at the page's bottom edge a click alone leaves the list shut
    page.get_by_role("option", name="S2", exact=True).click()
    browser.wait_idle(page)
    assert agency.input_value() == "S2"
    page.get_by_role("button", name="Write the agency's outreach file").click()
    browser.wait_idle(page)
    page.get_by_text("was written on the server").wait_for(timeout=30_000)

    (written,) = (store.parent / "outbox" / "S2").iterdir()
    content = written.read_bytes()
    assert HEADER in content  # a file worth leaking
    assert b"S2-3," in content
    assert written.name in page.inner_text("body")  # the page says where, in words

    linked = page.eval_on_selector_all(
        "[href], [src]", "nodes => nodes.map(n => n.href || n.src).filter(Boolean)"
    )
    media = {m if m.startswith("http") else url + m for m in MEDIA.findall(page.content())}
    # Only the app's server holds the file: URLs of other hosts (map tiles) are left out.
    urls = {u for u in {*seen, *linked, *media} if u.startswith(url + "/")}
    assert len(urls) > 10  # the network log did see the app's own requests
    # the page's charts and tables download (keys `<chart or table>_download_<format>`,
    # built on click); the outreach file is no download
    button = '[data-testid="stDownloadButton"]'
    shown = page.locator(button).count()
    assert shown > 0
    assert page.locator(f'[class*="_download_"] {button}').count() == shown
    page.close()

    body_of = {u: fetch_without_session(u) for u in sorted(urls)}
    leaks = [u for u, body in body_of.items() if HEADER in body or content.strip() in body]
    assert leaks == []
