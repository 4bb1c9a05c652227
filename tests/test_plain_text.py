"""Text from a file, an account or a setting shows as plain text: never a link or an image.

A population file whose `source` is Markdown with a link and a tracking image, and a
services file whose programme names are HTML (a link, an image), Streamlit directives,
math and a spreadsheet formula, are imported into a copy of the tiny store; an
administrator named like a web address then opens every page ("explain this number"
popovers open too). No Markdown element, label or chart holds a link or an image from
them, and neither do the exported charts, the briefing pack (PDF and PowerPoint) or the
CSV and Excel files — while the text itself is still shown, as it is.
"""

import datetime as dt
import io
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pypdf
import pytest
from google.protobuf import json_format
from PIL import Image
from streamlit.testing.v1 import AppTest

import conftest
import test_app_access
from appdb import accounts
from charts import coverage_charts, sync_charts, uptake_charts
from data_access import reads
from exports import brief, brief_pdf, brief_pptx, files, rendering
from indicators import formatting
from ingest import importer, reference
from markdown_text import links, shown
from store import storage
from ui import auth

pytestmark = pytest.mark.app

SOURCE = "**INJECTED** [Click to verify](https://evil.example) ![b](http://evil.example/beacon.png)"
SERVICE = (
    'INJECTED <a href="https://evil.example/svc">Cash</a> <img src="http://evil.example/s.png">'
    " :red[alarm] :material/home: $x^2$ :streamlit: www.evil.example"
)
FORMULA = '=HYPERLINK("https://evil.example/f","INJECTED")'
FILE_NAME = "population [INJECTED](https://evil.example).csv"
ADMIN = "www.evil.example"  # a valid account name, that GitHub's Markdown would link
JUNE = dt.date(2024, 6, 30)
EVERY_TEXT = (SOURCE, SERVICE, FORMULA, FILE_NAME, ADMIN)


def csv_text(header: list[str], rows: list[list[str]]) -> bytes:
    return pd.DataFrame(rows, columns=header).to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def injected_store(tmp_path_factory):
    """The tiny store, then the population file and the services file above imported."""
    path = conftest.build_tiny_store(tmp_path_factory.mktemp("injected") / "coverage.duckdb")
    header = ["province_code", "year", "sex", "age_band", "population", "informal_workers",
              "source", "reference_date"]  # fmt: skip
    rows = [[code, 2024, "M", "25-34", 1000, 400, SOURCE, "2024-07-01"]
            for code in reference.read_csv("provinces")["province_code"]]  # fmt: skip
    population = importer.Request(
        data=csv_text(header, rows), file_name=FILE_NAME, kind="population", source=None,
        user="test",
    )  # fmt: skip
    assert importer.run(population, path).result == "accepted"
    header = ["service_code", "name_en", "name_km", "ministry", "pillar"]
    rows = [["SVC_HTML", SERVICE, SERVICE, "MLVT", "social assistance"],
            ["SVC_FORMULA", FORMULA, "", "MLVT", "social assistance"]]  # fmt: skip
    services = importer.Request(
        data=csv_text(header, rows), file_name="services.csv", kind="services", source=None,
        user="test",
    )  # fmt: skip
    assert importer.run(services, path).result == "accepted"
    return path


@pytest.fixture
def injected(injected_store, monkeypatch):
    monkeypatch.setenv("COVERAGE_DB", str(injected_store))
    return injected_store


# ---------------------------------------------------------------------------------------
# The one escaper


@pytest.mark.parametrize(
    "text",
    [
        *EVERY_TEXT,
        "a@evil.example",
        "<b>x</b> & <!-- x -->",
        "# heading\n> quote\n- item\n1. item\n| a | b |\n|---|---|",
        "~~gone~~ `code` \\*x\\* %{y} &amp; &#60;",
        "ស្រី: ១២%",
    ],
)
def test_plain_text_shows_as_itself_and_makes_no_markup(text):
    escaped = formatting.plain(text)
    assert links(escaped) == []
    assert shown(escaped).split() == text.split()
    assert not re.search(r"[<>\[\]()*_`$:@!#|~%{}\\]", escaped.replace("&#", ""))


def test_documents_break_what_a_reader_would_make_a_link_of():
    text = formatting.unlinked(SOURCE + " " + SERVICE + " ana@evil.example")
    assert not re.search(r"https?://|www\.|\w@\w", text)
    assert text.replace("\u200b", "") == SOURCE + " " + SERVICE + " ana@evil.example"


# ---------------------------------------------------------------------------------------
# Every page, as an administrator


# Widget values and options are shown as plain text by Streamlit (never read as Markdown),
# and a table's cells travel as Arrow bytes: the outside text may be there as it is.
PLAIN_FIELDS = {"options", "value", "rawValue", "rawValues", "default", "data", "arrowData"}


def strings(value, path=()):
    """(field path, text) of every string in a protobuf message turned into a dict."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, path)
    elif isinstance(value, str):
        yield path, value


def rendered_texts(at: AppTest) -> tuple[list[str], list[str]]:
    """The texts the run sent the browser that it reads as Markdown, and the charts' texts."""
    markdown, charts = [], []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        for path, text in strings(json_format.MessageToDict(proto)):
            if path[-1] == "spec":  # a plotly figure, whose labels plotly reads as HTML
                charts += chart_texts(json.loads(text))
            elif not PLAIN_FIELDS & set(path):
                markdown.append(text)
    return markdown, charts


def chart_texts(spec: dict):
    return [text for _, text in strings(spec)]


def assert_plain(texts, markdown: bool = True) -> int:
    """No text links to or loads anything outside; returns how many texts quote a file.

    Markdown texts quoting a file make no link, image or HTML at all; a chart's labels
    (plotly's own <br> and <b> allowed) hold no <a> or <img>.
    """
    quoting = 0
    for text in texts:
        assert "evil.example" not in text, text  # escaped, it reads evil&#46;example
        assert not re.search(r"<(a|img)\b", text, re.IGNORECASE), text
        if "INJECTED" in text:
            quoting += 1
            assert not markdown or links(text) == [], text
    return quoting


def open_every_page(as_admin) -> dict[str, tuple[list[str], list[str]]]:
    """The texts of every page (Markdown, charts), its popovers and sections opened."""
    texts = {}
    for file, _ in test_app_access.PAGES:
        at = as_admin()
        at.switch_page(file).run()
        for key in ("coverage_explain", "needs_explain", "coverage_bars_section"):
            at.session_state[key] = True
        at.run()
        assert not at.exception, file
        texts[file] = list(rendered_texts(at))
    return texts


@pytest.fixture
def as_admin(injected):
    accounts.add(ADMIN, "admin", "an administrator's long passphrase")

    def open_app() -> AppTest:
        at = AppTest.from_file(test_app_access.APP, default_timeout=60)
        at.secrets = {"roles": {}}
        at.session_state[auth.SESSION_KEY] = ADMIN
        at.run()
        return at

    return open_app


def test_no_page_shows_a_link_or_image_from_a_file_or_an_account(as_admin):
    texts = open_every_page(as_admin)
    for file, (markdown, charts) in texts.items():
        assert assert_plain(markdown) + assert_plain(charts, markdown=False) >= 0, file
    # ... and the text is there, as itself, quoted beside the sentence that introduces it
    # (ui/quoted.py): the coverage caption names the source, "explain this number" too,
    # the sidebar the administrator's name, and the uptake chart its programmes (legend).
    coverage, _ = texts["app_pages/coverage.py"]
    assert {"Denominator:", "Population estimate: source:"} <= set(coverage)
    assert coverage.count(formatting.plain(SOURCE)) == 2  # the caption's and the popover's
    assert shown(formatting.plain(SOURCE)) == SOURCE
    line = ["Signed in as", formatting.plain(ADMIN), "(Administrator)"]
    at = [coverage.index(text) for text in line]
    assert at == sorted(at)  # in the sentence's order,
    assert at[-1] - at[0] < 10  # on one line
    assert formatting.plain(SERVICE) in texts["app_pages/uptake.py"][1]


def test_a_refusal_quoting_a_typed_name_is_plain_text(as_admin):
    at = as_admin()
    at.switch_page("app_pages/admin.py").run()
    at.text_input(key="admin_add_name").input(ADMIN)
    at.text_input(key="admin_add_password").input("yet another long passphrase")
    at.button(key="admin_add_submit").click().run()
    assert [shown(e.value) for e in at.error] == [f"An account named {ADMIN} exists already."]
    assert assert_plain([e.value for e in at.error]) == 0


# ---------------------------------------------------------------------------------------
# Charts, exported charts, files and the briefing pack


def test_charts_and_their_exports_carry_no_link(injected_store):
    con = storage.open_read(injected_store)
    try:
        table = reads.load_coverage(con, reads.CoverageFilter(as_of=JUNE), 10)
        catalogue = reads.run(con, "service_catalogue")
        registries = reads.run(con, "source_registries")
    finally:
        con.close()
    ctx = rendering.ExportContext(
        lang="en", filters=(("Programmes", SERVICE),), is_demo=False, threshold=10,
        sources=rendering.source_line(table, registries, "en"),
    )  # fmt: skip
    series = pd.DataFrame({"month_end": [pd.Timestamp(JUNE)] * 2,
                           "service_code": ["SVC_HTML", "SVC_FORMULA"],
                           "receiving_count": [12, 14]})  # fmt: skip
    gaps = pd.DataFrame({"name": [SERVICE, FORMULA], "coverage_gap_count": [5, 6]})
    sizes = pd.DataFrame({"source": ["S1"], "person_count": [12], "suppressed": [False]})
    figures = [
        uptake_charts.trend(series, catalogue, "Uptake", "Persons"),
        coverage_charts.gap_bars(gaps, "Gaps"),
        coverage_charts.coverage_map(table, "Map", attribution=SOURCE),
        sync_charts.upset(pd.DataFrame({"sources": [["S1"]], "person_count": [12],
                                        "suppressed": [False]}), sizes, "Overlap", "◼"),
    ]  # fmt: skip
    texts = [t for fig in figures for t in chart_texts(rendering.decorate(fig, ctx).to_dict())]
    # the legend, the bars, the attribution, the sources line and the subtitle
    assert assert_plain(texts, markdown=False) >= 4


def test_the_briefing_pack_links_to_nothing(injected_store):
    con = storage.open_read(injected_store)
    try:
        content = brief.build(con, reads.CoverageFilter(as_of=JUNE), "12", "en", 10,
                              provinces=None)  # fmt: skip
    finally:
        con.close()
    assert SOURCE in content.ctx.sources  # the file's text, kept as it is
    labels = [t for fig in brief.figures(content).values() for t in chart_texts(fig.to_dict())]
    assert assert_plain(labels, markdown=False) >= 1  # the programme's gap bar
    blank = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(blank, "PNG")
    images = dict.fromkeys(("map", "ranking", "trend", "occupation", "service"), blank.getvalue())
    pdf = pypdf.PdfReader(io.BytesIO(brief_pdf.render(content, images)))
    assert all("/Annots" not in page for page in pdf.pages)  # no link annotation at all
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "INJECTED" in text
    assert not re.search(r"https?://|www\.", text)  # what a PDF reader would make a link of
    deck = zipfile.ZipFile(io.BytesIO(brief_pptx.render(content, images)))
    parts = [n for n in deck.namelist() if n.endswith((".xml", ".rels"))]
    slides = "".join(deck.read(n).decode() for n in parts)
    assert "INJECTED" in slides
    assert "hlinkClick" not in slides
    assert "relationships/hyperlink" not in slides
    assert not re.search(r"https?://evil|www\.evil", slides)


def test_csv_and_excel_keep_the_text_and_make_no_link(injected_store):
    con = storage.open_read(injected_store)
    try:
        catalogue = reads.run(con, "service_catalogue")
    finally:
        con.close()
    assert set(catalogue["name_en"]) >= {SERVICE, FORMULA}
    ctx = rendering.ExportContext(lang="en", filters=(("Programmes", FORMULA),),
                                  sources=SOURCE, is_demo=False, threshold=10)  # fmt: skip
    written = pd.read_csv(io.BytesIO(files.to_csv(catalogue)), encoding="utf-8-sig")
    assert {SERVICE, f"'{FORMULA}"} <= set(written["name_en"])  # as it is; never a formula
    book = openpyxl.load_workbook(io.BytesIO(files.to_xlsx(catalogue, "Programmes", ctx)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert all(c.hyperlink is None and c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert {SERVICE, f"'{FORMULA}", SOURCE} <= values
