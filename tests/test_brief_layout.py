"""Briefing packs that fit the page: slides and pages laid out within bounds, Khmer broken
only between words or clusters, labels whole. Measured independently of the pack's own
layout code: shapes read back with python-pptx, text measured with PIL (Raqm shaping) in
the font fontconfig resolves for each run, PDF lines read from its text objects, pages
and charts checked pixel by pixel, the deck rendered through LibreOffice.
"""

import datetime as dt
import functools
import html
import io
import re
import shutil
import subprocess

import pptx
import pypdf
import pytest
from PIL import Image, ImageFont
from pptx.util import Emu, Length

import i18n
from data_access import reads
from exports import brief, brief_pdf, brief_pptx, rendering
from indicators import formatting
from store import storage

OCTOBER = dt.date(2026, 10, 31)  # the demo store's last month
# Dependent vowels U+17B6–U+17C5, signs U+17C6–U+17D1, U+17D3, U+17DD and the coeng U+17D2:
# a line starting with one of them has cut a syllable in two.
NEVER_FIRST = {chr(c) for c in range(0x17B6, 0x17D2)} | {"\u17d2", "\u17d3", "\u17dd"}
ZWSP = "\u200b"
PACKS = [("KH", "en"), ("KH", "km"), ("12", "en"), ("12", "km")]
LONG_KHMER = (  # the number of people receiving social protection, not yet covered ... (no spaces)
    "ចំនួនអ្នកទទួលបានការគាំពារសង្គមដែលមិនទាន់ទទួលបានសេវាពីកម្មវិធីណាមួយទាល់តែសោះ"
)


@pytest.fixture(scope="module", autouse=True)
def _close_export_server():
    yield
    rendering.SERVER.close()


@pytest.fixture(scope="module")
def packs(demo_store_file):
    """(area, lang) -> (content, chart images), built on first use."""
    con = storage.open_read(demo_store_file)

    @functools.cache
    def pack(code: str, lang: str):
        content = brief.build(con, reads.CoverageFilter(as_of=OCTOBER), code, lang, 10,
                              provinces=None)  # fmt: skip
        return content, brief.images(content)

    yield pack
    con.close()


def deck_of(packs, code, lang) -> pptx.Presentation:
    content, images = packs(code, lang)
    return pptx.Presentation(io.BytesIO(brief_pptx.render(content, images)))


# --- PowerPoint: geometry ---------------------------------------------------------------


@pytest.mark.parametrize(("code", "lang"), PACKS)
def test_every_shape_lies_inside_the_slide(packs, code, lang):
    deck = deck_of(packs, code, lang)
    width, height = deck.slide_width, deck.slide_height
    for number, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            where = f"slide {number}, {shape.name}"
            assert shape.left >= 0, where
            assert shape.top >= 0, where
            assert shape.left + shape.width <= width, where
            assert shape.top + shape.height <= height, where
            if shape.has_table:  # the rows and columns, not only the frame, fit
                table = shape.table
                assert sum(c.width for c in table.columns) <= shape.width, where
                assert sum(r.height for r in table.rows) <= shape.height, where


def test_gap_charts_sit_beside_their_table_at_a_readable_size(packs):
    deck = deck_of(packs, "KH", "km")
    for slide in list(deck.slides)[5:7]:  # largest gaps by occupation, by programme
        (table,) = [s for s in slide.shapes if s.has_table]
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]
        assert picture.left >= table.left + table.width  # beside, not over, the table
        assert picture.width >= deck.slide_width * 0.3
        assert picture.left + picture.width <= deck.slide_width


# --- PowerPoint: text fits its box or cell -----------------------------------------------


@functools.cache
def face(family: str, bold: bool) -> ImageFont.FreeTypeFont:
    """The font file fontconfig (so LibreOffice) picks for a family, at 100 px, shaped by Raqm."""
    pattern = f"{family}:bold" if bold else family
    path = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return ImageFont.truetype(path, 100, layout_engine=ImageFont.Layout.RAQM)


def text_width(text: str, family: str, bold: bool, size: float) -> float:
    """Shaped width in points of `text` at `size` points."""
    return face(family, bold).getlength(text) * size / 100 if text else 0.0


def line_count(text: str, room: float, family: str, bold: bool, size: float, long: list):
    """Lines a renderer needs for `text` when it breaks only at spaces and zero-width spaces.

    A piece wider than the whole line is recorded in `long` (a renderer would have to cut it
    anywhere) and counted as the lines it fills.
    """
    lines, used = 1, 0.0
    for piece in re.split(r"(?<=[ \u200b])", text):
        wide = text_width(piece.rstrip(" " + ZWSP), family, bold, size)
        if wide > room:
            long.append(piece)
            lines += int(wide // room) + (1 if used else 0)
            used = wide % room
        elif used and used + wide > room:
            lines, used = lines + 1, text_width(piece, family, bold, size)
        else:
            used += text_width(piece, family, bold, size)
    return lines


def needed_height(frame, room: float, long: list) -> float:
    """Points the paragraphs of a text frame need, set `room` points wide."""
    total = 0.0
    for paragraph in frame.paragraphs:
        if not paragraph.runs:
            continue
        run = paragraph.runs[0]
        family, bold, size = run.font.name, bool(run.font.bold), run.font.size.pt
        spacing = paragraph.line_spacing
        if isinstance(spacing, Length):
            line = spacing.pt
        else:  # proportional: the font's own line height
            ascent, descent = face(family, bold).getmetrics()
            line = (spacing or 1.0) * (ascent + descent) * size / 100
        count = line_count(paragraph.text, room, family, bold, size, long)
        after = paragraph.space_after.pt if paragraph.space_after is not None else 0.0
        total += count * line + after
    return total


def inner(margins, width: int, height: int) -> tuple[float, float]:
    """Width and height in points inside the margins of a text box or a table cell."""
    return (
        Emu(width - margins.margin_left - margins.margin_right).pt,
        Emu(height - margins.margin_top - margins.margin_bottom).pt,
    )


def boxes(deck):
    """(where, text frame, width and height inside its margins) of every text box and cell."""
    for number, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                frame = shape.text_frame
                yield (
                    f"slide {number} {shape.name}",
                    frame,
                    *inner(frame, shape.width, shape.height),
                )
            if shape.has_table:
                table = shape.table
                for r, row in enumerate(table.rows):
                    for c, column in enumerate(table.columns):
                        cell = table.cell(r, c)  # a cell's margins are its own, not its text's
                        room = inner(cell, column.width, row.height)
                        yield f"slide {number} cell {r},{c}", cell.text_frame, *room


@pytest.mark.parametrize(("code", "lang"), PACKS)
def test_text_fits_its_box_and_every_table_cell(packs, code, lang):
    deck = deck_of(packs, code, lang)
    checked = 0
    for where, frame, room, tall in boxes(deck):
        if not frame.text.strip():
            continue
        long: list[str] = []
        needed = needed_height(frame, room, long)
        assert needed <= tall + 0.5, f"{where}: {frame.text!r} needs {needed:.1f} of {tall:.1f} pt"
        assert not long, f"{where}: {long} is wider than its line"
        checked += 1
    assert checked > 60  # titles, footers, key figures, notes and two tables of cells


def test_khmer_text_in_the_deck_breaks_between_words(packs):
    deck = deck_of(packs, "KH", "km")
    texts = [frame.text for _, frame, _, _ in boxes(deck) if frame.text.strip()]
    # a long Khmer run without spaces carries zero-width spaces where it may break, and
    # never one before a dependent vowel, a sign or a coeng
    khmer = [t for t in texts if re.search(r"[\u1780-\u17ff]{12}", t.replace(ZWSP, ""))]
    assert khmer
    assert all(ZWSP in t for t in khmer)
    for text in khmer:
        assert not re.search(f"{ZWSP}[{''.join(sorted(NEVER_FIRST))}]", text), text


# --- PowerPoint: rendered through LibreOffice --------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="libreoffice-impress not installed")
def test_the_deck_renders_through_libreoffice_one_page_per_slide(packs, tmp_path):
    content, images = packs("KH", "km")
    deck = tmp_path / "brief_km.pptx"
    deck.write_bytes(brief_pptx.render(content, images))
    profile = (tmp_path / "profile").as_uri()  # a profile of its own: no clash with others
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, capture_output=True, timeout=240)  # fmt: skip
    rendered = tmp_path / "brief_km.pdf"
    pages = pypdf.PdfReader(rendered).pages
    assert len(pages) == brief_pptx.SLIDES == 8
    page_w, page_h = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert page_w / page_h == pytest.approx(13.333 / 7.5, rel=0.01)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(rendered), str(tmp_path / "slide")],
                   check=True, timeout=120)  # fmt: skip
    pngs = sorted(tmp_path.glob("slide-*.png"))
    assert len(pngs) == 8
    # every word LibreOffice drew lies on its page
    bbox = subprocess.run(["pdftotext", "-bbox", str(rendered), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', bbox)
    assert len(words) > 100
    for x0, y0, x1, y1 in ((float(v) for v in word) for word in words):
        assert min(x0, y0) >= 0
        assert x1 <= page_w + 0.5
        assert y1 <= page_h + 0.5


# --- PDF ------------------------------------------------------------------------------


def pdf_of(packs, code, lang) -> bytes:
    content, images = packs(code, lang)
    return brief_pdf.render(content, images)


def drawn_lines(data: bytes) -> list[tuple[str, tuple]]:
    """(text, fill colour) of each text object (BT … ET): one line the PDF draws."""
    drawn: list[tuple[str, tuple]] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        _read_text_objects(page, drawn)
    return drawn


def _read_text_objects(page, drawn: list) -> None:
    state = {"parts": [], "colour": ()}

    def before(op, args, *_):
        if op == b"BT":
            state["parts"] = []
        elif op == b"rg":
            state["colour"] = tuple(round(float(a), 2) for a in args)

    def after(op, *_):
        text = "".join(state["parts"]).replace("\n", "")
        if op == b"ET" and text.strip():
            drawn.append((text, state["colour"]))

    page.extract_text(visitor_operand_before=before, visitor_operand_after=after,
                      visitor_text=lambda text, *_: state["parts"].append(text))  # fmt: skip


@pytest.mark.parametrize("code", ["12", "KH"])
def test_khmer_pdf_lines_never_start_inside_a_syllable(packs, code):
    lines = [text.lstrip(" " + ZWSP) for text, _ in drawn_lines(pdf_of(packs, code, "km"))]
    khmer = [line for line in lines if re.match(r"[\u1780-\u17ff]", line)]
    assert len(khmer) > 80  # headings, paragraphs, key figures, table cells
    assert [line for line in khmer if line[0] in NEVER_FIRST] == []


def test_english_table_headers_are_broken_only_between_words(packs):
    # each header is drawn as consecutive lines that join, with spaces, into the header:
    # "Coverage rate" as "Coverage" / "rate", never "Coverag" / "e rate"
    lines = [text.strip() for text, _ in drawn_lines(pdf_of(packs, "12", "en"))]
    headers = [i18n.t(key, "en") for key in brief.GAP_HEADER + ["brief.month"]]
    for header in headers:
        spans = (" ".join(lines[i : i + n]) for i in range(len(lines)) for n in (1, 2, 3, 4))
        assert header in set(spans), header


def test_no_targets_is_a_neutral_note_not_an_alert(packs):
    content, _ = packs("12", "en")
    assert not brief.has_targets(content)
    note = [(t, c) for t, c in drawn_lines(pdf_of(packs, "12", "en")) if "No targets set" in t]
    assert note
    for _, (r, g, b) in note:
        assert r == g == b  # grey ink, not the red of warnings
        assert r < 0.6
    deck = deck_of(packs, "12", "en")
    runs = [run for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for run in p.runs
            if "No targets set" in run.text]  # fmt: skip
    assert runs
    assert all(run.font.color.rgb != brief_pptx.RED for run in runs)


def ink_box(png: Image.Image, level: int = 245) -> tuple[int, int, int, int] | None:
    """Left, top, right, bottom of the pixels darker than `level` (None: a blank image)."""
    return png.convert("L").point(lambda v: 255 if v < level else 0).getbbox()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["en", "km"])
def test_pdf_pages_are_filled_and_nothing_leaves_the_margins(packs, lang, tmp_path):
    """Four pages. Above the footer band, every page's ink lies within the 12 mm margins; the
    three pages of charts reach at least 70% down and 90% across the area inside them."""
    data = pdf_of(packs, "12", lang)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 4
    (tmp_path / "brief.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "brief.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)  # fmt: skip
    pages = sorted(tmp_path.glob("page-*.png"))
    for number, path in enumerate(pages, 1):
        page = Image.open(path)
        per_mm = page.width / 297
        footer_top = int(195 * per_mm)  # the footer's band starts 2 mm below the content
        left, top, right, bottom = ink_box(page.crop((0, 0, page.width, footer_top)))
        margin = (brief_pdf.MARGIN - 1) * per_mm
        assert min(left, top) >= margin, number
        assert right <= page.width - margin, number
        usable = (194 - brief_pdf.MARGIN) * per_mm
        if number < 4:  # the definitions page holds text only, as long as it is
            assert (bottom - brief_pdf.MARGIN * per_mm) / usable >= 0.7, number
            assert (right - left) / (page.width - 2 * brief_pdf.MARGIN * per_mm) >= 0.9, number


# --- Charts: labels whole ----------------------------------------------------------------


def test_province_names_stand_clear_of_the_axis_in_the_ranking(packs):
    """In the Khmer ranking, no name touches the picture's edge or runs into the bars."""
    _, images = packs("12", "km")
    chart = Image.open(io.BytesIO(images["ranking"])).convert("RGB")
    pixels = chart.load()
    rows = range(int(chart.height * 0.15), int(chart.height * 0.85))

    def blue(x, y):
        r, g, b = pixels[x, y]
        return b > 150 and r < 120  # the covered bars (#2171b5)

    bar_start = min(next(x for x in range(chart.width) if blue(x, y)) for y in rows
                    if any(blue(x, y) for x in range(0, chart.width, 4)))  # fmt: skip
    labels = ink_box(chart.crop((0, rows.start, bar_start - 4, rows.stop)), level=160)
    assert labels is not None
    left, _, right, _ = labels
    assert left >= 4  # nothing cut at the picture's left edge
    assert bar_start - 4 - right >= 8  # a gap between the longest name and the axis


def test_gap_chart_names_wrap_between_words_and_stay_whole(packs):
    content, _ = packs("KH", "km")
    figure = brief.figures(content)["service"]
    labels = list(figure.data[0].y)
    names = {formatting.plain(n) for n in brief.top_gaps(content.by_service)["name"]}
    assert {label.replace("<br>", "") for label in labels} == names  # nothing lost or added
    for label in labels:
        for line in label.split("<br>"):
            shown = html.unescape(line)  # plain() writes "." as "&#46;"
            assert len(shown) <= brief.LABEL_CHARACTERS or " " not in shown
            assert line[:1] not in NEVER_FIRST | {""}


def test_exported_figure_footers_wrap_khmer_between_clusters():
    lines = rendering._wrap(LONG_KHMER * 4, "km")
    assert len(lines) > 1
    assert "".join(lines) == LONG_KHMER * 4
    assert all(len(line) <= rendering.WRAP["km"] for line in lines)
    assert [line for line in lines if line[0] in NEVER_FIRST] == []
