"""The briefing pack as PowerPoint: text runs name a Khmer font, charts are PNG images.

PowerPoint picks the font of Khmer text from a run's complex-script typeface (`a:cs`),
so each run names the Khmer face there as well as in `a:latin`; charts are images
whose text Chromium has already shaped. Every shape lies inside the slide: pictures are
scaled into their box, and text boxes, table rows and font sizes are sized beforehand
(`text_fit`) so that the renderer's own layout fits them. Khmer text carries a
zero-width space at each word break, where PowerPoint and LibreOffice break its lines.
"""

import io
import math

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

import i18n
from charts import coverage_charts
from exports import brief as briefing
from exports import khmer_breaks, text_fit
from indicators import formatting

FONT = {"km": "Khmer OS System", "en": "Calibri"}
RED, GREY = RGBColor(0xB0, 0x00, 0x20), RGBColor(0x55, 0x55, 0x55)
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
BLANK = 6  # the blank layout of the default template
SLIDES = 8
INSET = Inches(0.08)  # text box margins, every side
CELL_X, CELL_Y = Inches(0.08), Inches(0.04)  # table cell margins
EDGE = Inches(0.4)
BODY = (EDGE, Inches(1.3), WIDTH - 2 * EDGE, Inches(5.5))  # left, top, width, height
GAP_COLUMNS = (0.34, 0.165, 0.165, 0.165, 0.165)  # shares of the table's width
GAP_ALIGN = (PP_ALIGN.LEFT, *[PP_ALIGN.RIGHT] * 4)


def _points(length) -> float:
    return Emu(length).pt


def _name_font(run, lang: str) -> None:
    """Name the language's font for Latin and complex-script (Khmer) text of a run."""
    run.font.name = FONT[lang]  # a:latin
    properties = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):  # schema order: latin, ea, cs
        element = properties.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            properties.append(element)
        element.set("typeface", FONT[lang])


def _size(size: float, scale: float) -> float:
    """A font size scaled down to a half point (never up: the text was measured smaller)."""
    return math.floor(size * scale * 2) / 2


def _paragraph(paragraph, lang: str, text: str, size: float, bold: bool, colour, after=0.0) -> None:
    """One paragraph of one run: Khmer breaks marked, exact line spacing, the language's font."""
    run = paragraph.add_run()
    run.text = khmer_breaks.with_breaks(text)
    run.font.size, run.font.bold = Pt(size), bold
    if colour is not None:
        run.font.color.rgb = colour
    _name_font(run, lang)
    paragraph.line_spacing = Pt(text_fit.line_height(size, lang))
    paragraph.space_before, paragraph.space_after = Pt(0), Pt(after)


def _text(slide, lang: str, box, lines, align=None) -> None:
    """A text box of paragraphs (text, size in pt, bold, colour or None), shrunk to fit `box`."""
    left, top, width, height = box
    room, tall = _points(width - 2 * INSET), _points(height - 2 * INSET)
    scale = text_fit.scale_to_fit([(t, s, b) for t, s, b, _ in lines], room, tall, lang)
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = INSET
    for i, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        size = _size(size, scale)
        _paragraph(paragraph, lang, text, size, bold, colour, text_fit.space_after(size))
        if align is not None:
            paragraph.alignment = align


def _slide(deck, brief: briefing.Brief, title: str):
    """A blank slide with a title, the demo mark and the generation time."""
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
    lang = brief.lang
    _text(
        slide, lang, (EDGE, Inches(0.2), WIDTH - 2 * EDGE, Inches(1.0)), [(title, 24, True, None)]
    )
    foot_top, half = Inches(6.95), (WIDTH - 2 * EDGE) // 2
    if brief.ctx.is_demo:
        demo = [(i18n.t("export.demo", lang), 10, True, RED)]
        _text(slide, lang, (EDGE, foot_top, half, Inches(0.45)), demo)
    stamp = [(brief.ctx.generated_text(), 9, False, GREY)]
    _text(slide, lang, (EDGE + half, foot_top, half, Inches(0.45)), stamp, PP_ALIGN.RIGHT)
    return slide


def _picture(slide, png: bytes, box) -> None:
    """A chart image scaled (aspect kept) to the largest size inside `box`, centred in it."""
    left, top, width, height = box
    with Image.open(io.BytesIO(png)) as image:
        pixels_wide, pixels_tall = image.size
    scale = min(width / pixels_wide, height / pixels_tall)
    wide, tall = int(pixels_wide * scale), int(pixels_tall * scale)
    slide.shapes.add_picture(io.BytesIO(png), left + (width - wide) // 2, top, wide, tall)


def _title_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.title", lang, area=brief.area))
    situation = i18n.t("brief.situation", lang, date=i18n.date_text(brief.month, lang))
    lines = [(situation, 20, False, None),
             (formatting.unlinked(brief.ctx.filter_text()), 12, False, GREY)]  # fmt: skip
    _text(slide, lang, (EDGE, Inches(1.4), WIDTH - 2 * EDGE, Inches(2)), lines)


def _kpi_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.kpis", lang))
    for i, (label, value) in enumerate(briefing.kpis(brief)):
        box = (Inches(0.4 + (i % 3) * 4.2), Inches(1.4 + (i // 3) * 2.1), Inches(4), Inches(1.95))
        _text(slide, lang, box, [(label, 14, False, GREY), (value, 32, True, None)])
    rank = [(briefing.rank_text(brief), 16, False, None)]
    _text(slide, lang, (EDGE, Inches(5.7), WIDTH - 2 * EDGE, Inches(1.1)), rank)


def _chart_slide(deck, brief: briefing.Brief, title: str, png: bytes, notes=()) -> None:
    """A chart filling the slide's body, or its left part with notes on the right."""
    slide = _slide(deck, brief, title)
    left, top, width, height = BODY
    if not notes:
        _picture(slide, png, BODY)
        return
    _picture(slide, png, (left, top, Inches(8.6), height))
    _text(slide, brief.lang, (Inches(9.2), Inches(1.5), WIDTH - EDGE - Inches(9.2), Inches(4)),
          list(notes))  # fmt: skip


def _row_heights(rows, widths, size: float, lang: str) -> list[int]:
    """Each table row's height (EMU): its tallest cell's lines, plus the cell margins."""
    line = text_fit.line_height(size, lang)
    heights = []
    for r, values in enumerate(rows):
        count = max(
            len(text_fit.lines(value, _points(w - 2 * CELL_X), size, lang, bold=r == 0))
            for value, w in zip(values, widths, strict=True)
        )
        heights.append(Pt(count * line) + 2 * CELL_Y)
    return heights


def _table(slide, lang: str, box, rows: list[list[str]]) -> None:
    """Rows of text (the first is the header) fitted to `box`, each as tall as its text."""
    left, top, width, height = box
    widths = [int(width * share) for share in GAP_COLUMNS]
    size = 12.0
    while size > 7 and sum(_row_heights(rows, widths, size, lang)) > height:
        size -= 0.5
    heights = _row_heights(rows, widths, size, lang)
    shape = slide.shapes.add_table(len(rows), len(widths), left, top, sum(widths), sum(heights))
    for c, w in enumerate(widths):
        shape.table.columns[c].width = w
    for r, values in enumerate(rows):
        shape.table.rows[r].height = heights[r]
        for c, value in enumerate(values):
            cell = shape.table.cell(r, c)
            cell.margin_left = cell.margin_right = CELL_X
            cell.margin_top = cell.margin_bottom = CELL_Y
            cell.text_frame.word_wrap = True
            cell.text = ""
            paragraph = cell.text_frame.paragraphs[0]
            _paragraph(paragraph, lang, value, size, r == 0, None)
            paragraph.alignment = GAP_ALIGN[c]


def _gap_slide(deck, brief: briefing.Brief, title_key: str, frame, png: bytes) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t(title_key, lang))
    rows = briefing.gap_rows(frame, brief)
    left, top, _, height = BODY
    if not rows:
        none = [(i18n.t("brief.no_gaps", lang), 16, False, GREY)]
        _text(slide, lang, (left, top, WIDTH - 2 * EDGE, Inches(1)), none)
        return
    header = briefing.gap_header(frame, lang)
    cells = [header, *[[formatting.unlinked(v) for v in row] for row in rows]]  # names: imported
    _table(slide, lang, (left, top, Inches(7.7), height), cells)
    _picture(slide, png, (Inches(8.3), top, WIDTH - EDGE - Inches(8.3), height))


def _definitions_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.definitions", lang))
    keys = ("def.coverage_rate", "def.registration_rate", "def.registered_not_covered",
            "def.coverage_gap", "def.denominator", "def.over_100")  # fmt: skip
    lines = [(i18n.t(k, lang), 12, False, None) for k in keys]
    attribution = coverage_charts.boundary_attribution(lang)
    boundaries = i18n.t("chart.boundaries", lang, attribution=attribution)
    lines += [
        (brief.ctx.suppression_note(), 12, False, None),
        (formatting.unlinked(brief.ctx.sources), 10, False, GREY),  # an imported source
        (boundaries, 10, False, GREY),
    ]
    _text(slide, lang, BODY, lines)


def render(brief: briefing.Brief, images: dict[str, bytes]) -> bytes:
    """The brief as PPTX bytes.

    Slides (SLIDES): title, key figures, map, ranking, trend, gaps by occupation and by
    programme, definitions and sources.
    """
    lang = brief.lang
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
    _title_slide(deck, brief)
    _kpi_slide(deck, brief)
    _chart_slide(deck, brief, i18n.t("brief.contents_kpis", lang), images["map"])
    month = i18n.month_year(brief.month, lang)
    _chart_slide(deck, brief, i18n.t("brief.ranking_title", lang, month=month),
                 images["ranking"], [(briefing.rank_text(brief), 16, False, None)])  # fmt: skip
    notes = (
        [] if briefing.has_targets(brief) else [(i18n.t("brief.no_targets", lang), 14, False, GREY)]
    )
    _chart_slide(deck, brief, i18n.t("chart.legend_rate", lang), images["trend"], notes)
    _gap_slide(deck, brief, "brief.gaps_occupation", brief.by_occupation, images["occupation"])
    _gap_slide(deck, brief, "brief.gaps_service", brief.by_service, images["service"])
    _definitions_slide(deck, brief)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
