"""Figure and table exports: open each file and check what a reader of a report needs."""

import concurrent.futures
import datetime as dt
import html
import io
import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import pypdf
import pytest
from PIL import Image

from charts import coverage_charts
from data_access import reads
from exports import files, rendering

JUNE = dt.date(2024, 6, 30)
FILTERS = (("As-of month", "June 2024"), ("Sex", "Women"))
SOURCES = "Sources: Registry one, Registry two. Covered persons on 30 June 2024."


@pytest.fixture(scope="module")
def table(tiny_store_file):
    from store import storage

    con = storage.open_read(tiny_store_file)
    try:
        return reads.load_coverage(con, reads.CoverageFilter(as_of=JUNE), 10)
    finally:
        con.close()


def context(lang="en", is_demo=True):
    return rendering.ExportContext(
        lang=lang, filters=FILTERS, sources=SOURCES, is_demo=is_demo, threshold=10,
        generated_at=dt.datetime(2024, 7, 2, 9, 30),
    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _close_export_server():
    yield
    rendering.SERVER.close()


def embedded_fonts(resources) -> set[str]:
    """Names of the embedded fonts used by a PDF resource dictionary, forms included."""
    resources = resources.get_object()
    names = set()
    for font in resources.get("/Font", {}).values():
        font = font.get_object()
        fonts = [d.get_object() for d in font.get("/DescendantFonts", [font])]
        names |= {
            str(f["/BaseFont"])
            for f in fonts
            if "/FontDescriptor" in f
            and any(k in f["/FontDescriptor"] for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        }
    for xobject in resources.get("/XObject", {}).values():
        if "/Resources" in xobject.get_object():
            names |= embedded_fonts(xobject.get_object()["/Resources"])
    return names


def shown(text: str) -> str:
    """A plotly label as plotly shows it (outside text is written as character references)."""
    return html.unescape(text).replace("\u2060", "")


def annotation_texts(fig):
    return [shown(a.text) for a in fig.layout.annotations]


def test_decoration_carries_filters_sources_suppression_demo_and_attribution(table):
    fig = rendering.decorate(
        coverage_charts.coverage_map_static(table, "Coverage, June 2024"), context()
    )
    assert fig.layout.title.text == "Coverage, June 2024"
    assert shown(fig.layout.title.subtitle.text) == "Filters: As-of month: June 2024; Sex: Women"
    texts = annotation_texts(fig)
    assert any(coverage_charts.BOUNDARY_ATTRIBUTION in t for t in texts)
    assert SOURCES in texts
    assert any("Counts are adjusted by small amounts to protect people" in t for t in texts)
    assert any("A count below 10 after adjustment is not shown" in t for t in texts)
    assert any("DEMO DATA" in t for t in texts)
    assert fig.layout.showlegend is not False
    assert len(fig.data) >= len(coverage_charts.ORDER)
    real = rendering.decorate(coverage_charts.rate_bars(table, "Rates"), context(is_demo=False))
    assert not any("DEMO DATA" in t for t in annotation_texts(real))


def test_khmer_decoration_uses_khmer_words_and_digits(table):
    fig = rendering.decorate(coverage_charts.rate_bars(table, "t", "km"), context("km"))
    texts = " ".join(annotation_texts(fig))
    assert "ទិន្នន័យសាកល្បង" in texts  # demo data
    assert "ចំនួនត្រូវបានកែតម្រូវបន្តិចបន្តួច" in texts  # counts are adjusted by small amounts
    assert "ក្រោម ១០" in texts  # below 10
    assert shown(fig.layout.title.subtitle.text).startswith("តម្រង៖ As-of month៖ June 2024")


def test_png_is_twice_the_figure_size(table):
    fig = coverage_charts.coverage_map_static(table, "Coverage")
    png = rendering.figure_bytes(fig, context(), "png")
    image = Image.open(io.BytesIO(png))
    decorated = rendering.decorate(fig, context())
    assert image.format == "PNG"
    assert image.size == (2 * decorated.layout.width, 2 * decorated.layout.height)
    assert image.size[0] >= 2000


def test_svg_parses_and_the_map_is_vector(table):
    fig = coverage_charts.coverage_map_static(table, "Coverage map title")
    svg = rendering.figure_bytes(fig, context(), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert "Coverage map title" in text
    assert "DEMO DATA" in text
    assert "Sources:" in text
    assert b"<image" not in svg  # no raster layer: provinces are paths
    assert svg.count(b"<path") > 25


def test_pdf_parses_with_its_text_and_fonts(table):
    fig = coverage_charts.rate_bars(table, "Rates by province", "km")
    pdf = pypdf.PdfReader(io.BytesIO(rendering.figure_bytes(fig, context("km"), "pdf")))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Rates by province" in text
    # Chromium maps Khmer ligature glyphs to no text, but plain clusters read back
    assert "កំពង់ធំ" in text  # Kampong Thom, in Khmer
    assert any("Khmer" in f for f in embedded_fonts(pdf.pages[0]["/Resources"]))
    assert pdf.metadata.title == "Rates by province"  # not the printing browser's page name


def test_one_export_server_serves_every_render(table):
    fig = coverage_charts.rate_bars(table, "Rates")
    rendering.SERVER.close()
    before = rendering.SERVER.starts
    for fmt in ("png", "svg", "pdf", "png"):
        rendering.render(fig, fmt)
    assert rendering.SERVER.starts == before + 1  # one browser start for four renders


def test_concurrent_exports_each_get_their_own_figure(table):
    # two Streamlit sessions exporting at once must not receive each other's bytes
    titles = [f"Figure number {i}" for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        svgs = list(
            pool.map(lambda t: rendering.render(coverage_charts.rate_bars(table, t), "svg"), titles)
        )
    for title, svg in zip(titles, svgs, strict=True):
        assert title in "".join(ET.fromstring(svg).itertext())


def test_unknown_format_is_refused(table):
    with pytest.raises(ValueError, match="unknown export format"):
        rendering.render(coverage_charts.rate_bars(table, "Rates"), "gif")


def read_book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_data_and_metadata_sheets(table):
    book = read_book(files.to_xlsx(table, "Coverage by province", context()))
    assert book.sheetnames == ["data", "metadata"]
    rows = list(book["data"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header == list(files.export_frame(table).columns)
    by_code = {r[header.index("province_code")]: r for r in rows[1:]}
    assert len(by_code) == 26
    # Banteay Meanchey (01): 1 registered person -> hidden (empty) and flagged
    bmc = by_code["01"]
    assert bmc[header.index("registered_count")] is None
    assert bmc[header.index("registered_count_suppressed")] is True
    # no complements: Phnom Penh's covered 13 stays (record keys 0: not perturbed), and so
    # do the estimate and Battambang's true zero
    assert by_code["12"][header.index("covered_count")] == 13
    assert by_code["12"][header.index("informal_workers_est")] == 1000
    assert by_code["02"][header.index("covered_count")] == 0
    meta = {r[0]: r[1] for r in book["metadata"].iter_rows(min_row=2, values_only=True)}
    assert meta["Title"] == "Coverage by province"
    assert meta["Generated"] == "2024-07-02 09:30:00"
    assert meta["Filters: Sex"] == "Women"
    assert meta["Sources"] == SOURCES
    assert meta["Demo data"] == "yes"
    assert "Counts are adjusted by small amounts" in meta["Disclosure control"]
    assert meta["Columns: coverage_rate"] == "Coverage rate"
    assert sum(k == "Definitions" for k, *_ in book["metadata"].iter_rows(values_only=True)) == 6
    definitions = [
        r[1] for r in book["metadata"].iter_rows(values_only=True) if r[0] == "Definitions"
    ]
    assert any(d.startswith("Coverage rate =") for d in definitions)


FORMULAS = ["=1+1", "+CMD", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_xlsx_and_csv_neutralise_formulas():
    frame = pd.DataFrame({"province_code": ["01"] * 6, "label": FORMULAS, "n": range(6)})
    book = read_book(files.to_xlsx(frame, '=HYPERLINK("x")', context()))
    cells = [c for row in book["data"].iter_rows(min_row=2) for c in row if c.column == 2]
    assert [c.value for c in cells] == ["'" + f for f in FORMULAS]
    assert {c.data_type for c in cells} == {"s"}
    every_cell = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in every_cell)
    assert book["metadata"]["B2"].value == '\'=HYPERLINK("x")'
    csv = files.to_csv(frame).decode("utf-8-sig")
    assert "'=1+1" in csv
    assert "'@SUM(A1)" in csv
    assert "\n=1+1" not in csv
