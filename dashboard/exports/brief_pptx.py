"""The briefing pack as PowerPoint: text runs name a Khmer font, charts are PNG images.

PowerPoint picks the font of Khmer text from a run's complex-script typeface (`a:cs`),
so each run names the Khmer face there as well as in `a:latin`; charts are images
whose text Chromium has already shaped.
"""

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

import i18n
from charts import coverage_charts
from exports import brief as briefing
from indicators import formatting

FONT = {"km": "Khmer OS System", "en": "Calibri"}
RED, GREY = RGBColor(0xB0, 0x00, 0x20), RGBColor(0x55, 0x55, 0x55)
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
BLANK = 6  # the blank layout of the default template
SLIDES = 8
ATTRIBUTION = coverage_charts.BOUNDARY_ATTRIBUTION


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


def _text(slide, lang: str, left, top, width, height, lines) -> None:
    """A text box of paragraphs: each line is (text, size in pt, bold, colour or None)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.bold = Pt(size), bold
        if colour is not None:
            run.font.color.rgb = colour
        _name_font(run, lang)


def _slide(deck, brief: briefing.Brief, title: str):
    """A blank slide with a title, the demo mark and the generation time."""
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
    lang = brief.lang
    _text(
        slide, lang, Inches(0.4), Inches(0.2), Inches(12.5), Inches(0.9), [(title, 24, True, None)]
    )
    footer = [(brief.ctx.generated_text(), 9, False, GREY)]
    if brief.ctx.is_demo:
        footer.insert(0, (i18n.t("export.demo", lang), 10, True, RED))
    _text(slide, lang, Inches(0.4), Inches(6.85), Inches(12.5), Inches(0.5), footer)
    return slide


def _picture(slide, png: bytes, left, top, height) -> None:
    slide.shapes.add_picture(io.BytesIO(png), left, top, height=height)


def _title_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.title", lang, area=brief.area))
    situation = i18n.t("brief.situation", lang, date=i18n.date_text(brief.month, lang))
    lines = [(situation, 20, False, None),
             (formatting.unlinked(brief.ctx.filter_text()), 12, False, GREY)]  # fmt: skip
    _text(slide, lang, Inches(0.4), Inches(1.4), Inches(12.5), Inches(2), lines)


def _kpi_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.kpis", lang))
    for i, (label, value) in enumerate(briefing.kpis(brief)):
        left, top = Inches(0.4 + (i % 3) * 4.2), Inches(1.4 + (i // 3) * 2.0)
        _text(slide, lang, left, top, Inches(4), Inches(1.8),
              [(label, 14, False, GREY), (value, 32, True, None)])  # fmt: skip
    _text(
        slide,
        lang,
        Inches(0.4),
        Inches(5.6),
        Inches(12.5),
        Inches(1),
        [(briefing.rank_text(brief), 16, False, None)],
    )


def _chart_slide(deck, brief: briefing.Brief, title: str, png: bytes, notes=()) -> None:
    slide = _slide(deck, brief, title)
    _picture(slide, png, Inches(0.4), Inches(1.1), Inches(4.0 if notes else 5.6))
    if notes:
        _text(slide, brief.lang, Inches(9.2), Inches(1.4), Inches(3.8), Inches(4), list(notes))


def _gap_slide(deck, brief: briefing.Brief, title_key: str, frame, png: bytes) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t(title_key, lang))
    rows = briefing.gap_rows(frame, brief)
    if not rows:
        _text(
            slide,
            lang,
            Inches(0.4),
            Inches(1.4),
            Inches(12),
            Inches(1),
            [(i18n.t("brief.no_gaps", lang), 16, False, GREY)],
        )
        return
    shape = slide.shapes.add_table(
        len(rows) + 1, 5, Inches(0.4), Inches(1.3), Inches(7.4), Inches(0.4) * (len(rows) + 1)
    )
    for r, values in enumerate([[i18n.t(k, lang) for k in briefing.GAP_HEADER], *rows]):
        for c, value in enumerate(values):
            cell = shape.table.cell(r, c)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text, run.font.size = formatting.unlinked(value), Pt(11)  # names: imported
            _name_font(run, lang)
    _picture(slide, png, Inches(8.0), Inches(1.3), Inches(4.0))


def _definitions_slide(deck, brief: briefing.Brief) -> None:
    lang = brief.lang
    slide = _slide(deck, brief, i18n.t("brief.definitions", lang))
    keys = ("def.coverage_rate", "def.registration_rate", "def.registered_not_covered",
            "def.coverage_gap", "def.denominator", "def.over_100")  # fmt: skip
    lines = [(i18n.t(k, lang), 12, False, None) for k in keys]
    boundaries = i18n.t("chart.boundaries", lang, attribution=ATTRIBUTION)
    lines += [
        (brief.ctx.suppression_note(), 12, False, None),
        (formatting.unlinked(brief.ctx.sources), 10, False, GREY),  # an imported source
        (boundaries, 10, False, GREY),
    ]
    _text(slide, lang, Inches(0.4), Inches(1.2), Inches(12.5), Inches(5.5), lines)


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
    _chart_slide(
        deck,
        brief,
        i18n.t("brief.ranking_title", lang, month=i18n.month_year(brief.month, lang)),
        images["ranking"],
    )
    notes = (
        () if briefing.has_targets(brief) else ((i18n.t("brief.no_targets", lang), 14, False, RED),)
    )
    _chart_slide(deck, brief, i18n.t("chart.legend_rate", lang), images["trend"], notes)
    _gap_slide(deck, brief, "brief.gaps_occupation", brief.by_occupation, images["occupation"])
    _gap_slide(deck, brief, "brief.gaps_service", brief.by_service, images["service"])
    _definitions_slide(deck, brief)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
