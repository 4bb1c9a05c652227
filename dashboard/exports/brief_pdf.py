"""The briefing pack as PDF: fpdf2 with HarfBuzz text shaping and embedded Khmer fonts.

Lines are broken here, not by fpdf2: fpdf2 measures a line character by character, each
shaped alone, so a Khmer line looked half again as wide as it prints and was cut wherever
that sum ran out, often inside a syllable. Here a line is measured shaped as a whole and
broken only where `khmer_breaks` allows (ICU: between words, or between clusters).
Tables are drawn row by row, each row as tall as its longest cell's text.
"""

import io
import logging
import os
from pathlib import Path

from fpdf import FPDF
from PIL import Image

import i18n
from charts import coverage_charts
from exports import brief as briefing
from exports import khmer_breaks
from indicators import formatting

FONT_DIR = Path(os.environ.get("COVERAGE_FONT_DIR", "/usr/share/fonts/truetype"))
# Debian's fonts-khmeros and fonts-dejavu-core (Makefile: system-packages).
FONTS = {
    "km": ("khmeros/KhmerOSsys.ttf", "khmeros/KhmerOSmuollight.ttf"),
    "en": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
}
SYMBOLS = "dejavu/DejaVuSans.ttf"  # ◼ and ⚑, which Khmer OS lacks
RED, GREY, INK = (176, 0, 32), (90, 90, 90), (20, 20, 20)
HEADER_FILL, KPI_FILL = (226, 234, 245), (238, 243, 250)
MARGIN = 12
BOTTOM = 16  # the footer's band
LEADING = {"km": 0.62, "en": 0.5}  # mm of line per pt of type: Khmer stacks marks
PAD = 0.9  # mm inside a table cell
NARROWEST = 0.13  # the least share of a table's width a column of figures gets
# Khmer OS carries hinting tables fontTools cannot subset; they are dropped, harmlessly.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class BriefPDF(FPDF):
    """A4 landscape pages with a footer: demo mark, generation time, page number."""

    def __init__(self, brief: briefing.Brief) -> None:
        """Set up fonts (shaped by HarfBuzz) for the brief's language."""
        super().__init__(orientation="L", unit="mm", format="A4")
        self.brief = brief
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        regular, bold = FONTS[brief.lang]
        for style, file in (("", regular), ("B", bold)):
            path = FONT_DIR / file
            if not path.is_file():
                raise FileNotFoundError(
                    f"font {path} missing: install fonts-khmeros and fonts-dejavu"
                )
            self.add_font("body", style=style, fname=str(path))
        self.add_font("symbols", fname=str(FONT_DIR / SYMBOLS))
        self.set_fallback_fonts(["symbols"])
        self.set_text_shaping(True)
        self.set_title(i18n.t("brief.title", brief.lang, area=brief.area))
        self.set_lang(brief.lang)

    @property
    def bottom(self) -> float:
        """The lowest y content may reach on a page."""
        return self.page_break_trigger

    def footer(self) -> None:
        """Demo mark, generation time and page number on every page."""
        lang = self.brief.lang
        self.set_y(-13)
        self.set_font("body", "", 8)
        if self.brief.ctx.is_demo:
            self.set_text_color(*RED)
            self.cell(110, 6, i18n.t("export.demo", lang))
        self.set_text_color(*GREY)
        self.cell(110, 6, self.brief.ctx.generated_text())
        self.cell(0, 6, i18n.t("brief.page", lang, n=i18n.digits(self.page_no(), lang)), align="R")
        self.set_text_color(*INK)

    def line_height(self, size: float) -> float:
        """The height in mm of a line of `size` pt type in the brief's language."""
        return size * LEADING[self.brief.lang]

    def lines(self, text: str, width: float) -> list[str]:
        """`text` in the current font, broken into lines no wider than `width` mm."""
        return khmer_breaks.wrap(text, width - 2 * self.c_margin, self.get_string_width)

    def text_height(self, text: str, size: float, width: float, style: str = "") -> float:
        """The height in mm `para` gives `text`."""
        self.set_font("body", style, size)
        return len(self.lines(text, width)) * self.line_height(size)

    def para(self, text: str, size: float = 10, colour=INK, width: float = 0, style="") -> None:
        """A wrapped paragraph from the current position, each line a cell of its own."""
        width = width or (self.w - self.r_margin - self.x)
        self.set_font("body", style, size)
        self.set_text_color(*colour)
        left = self.x
        for line in self.lines(text, width):
            self.set_x(left)
            self.cell(width, self.line_height(size), line, new_x="LEFT", new_y="NEXT")
        self.set_text_color(*INK)

    def heading(self, text: str, size: float = 15, width: float = 0) -> None:
        """A section heading on its own line(s)."""
        self.para(text, size, width=width, style="B")
        self.ln(1)

    def picture(self, png: bytes, x: float, y: float, w: float, h: float) -> tuple[float, float]:
        """A chart image scaled (aspect kept) into the box, at its top left; its size in mm."""
        with Image.open(io.BytesIO(png)) as image:
            pixels_wide, pixels_tall = image.size
        scale = min(w / pixels_wide, h / pixels_tall)
        size = (pixels_wide * scale, pixels_tall * scale)
        self.image(io.BytesIO(png), x=x, y=y, w=size[0], h=size[1])
        return size


def _header_style(pdf: BriefPDF) -> str:
    # Khmer's bold face is a display face (Muol Light): too wide for a table's headers.
    return "B" if pdf.brief.lang == "en" else ""


def _row_lines(pdf: BriefPDF, values, widths, size: float, style: str) -> list[list[str]]:
    pdf.set_font("body", style, size)
    return [pdf.lines(str(v), w - 2 * PAD) for v, w in zip(values, widths, strict=True)]


def column_widths(pdf: BriefPDF, rows, total: float, size: float) -> list[float]:
    """Widths of a table `total` mm wide, the first column taking what the others leave.

    Each column after the first is as wide as its longest word or value, so no word is cut,
    and at least a NARROWEST share of the table, so its header takes few lines.
    """
    needs = []
    for c in range(1, len(rows[0])):
        widest = 0.0
        for r, values in enumerate(rows):
            pdf.set_font("body", _header_style(pdf) if r == 0 else "", size)
            pieces = khmer_breaks.segments(str(values[c])) or [""]
            widest = max(widest, *(pdf.get_string_width(p.rstrip(" ")) for p in pieces))
        needs.append(max(widest + 2 * (PAD + pdf.c_margin) + 0.5, total * NARROWEST))
    return [total - sum(needs), *needs]


def table_height(pdf: BriefPDF, rows, widths, size: float) -> float:
    """The height in mm `table` gives these rows (the first is the header)."""
    styles = [_header_style(pdf)] + [""] * (len(rows) - 1)
    return sum(
        max(map(len, _row_lines(pdf, values, widths, size, style))) * pdf.line_height(size)
        + 2 * PAD
        for values, style in zip(rows, styles, strict=True)
    )


def table(pdf: BriefPDF, rows, widths, aligns, size: float = 9) -> None:
    """Rows of text (the first is the header, shaded), each as tall as its longest cell."""
    left, line = pdf.x, pdf.line_height(size)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    for r, values in enumerate(rows):
        style = _header_style(pdf) if r == 0 else ""
        cells = _row_lines(pdf, values, widths, size, style)
        tall = max(map(len, cells)) * line + 2 * PAD
        if pdf.y + tall > pdf.bottom:
            pdf.add_page()
        x, top = left, pdf.y
        for lines, w, align in zip(cells, widths, aligns, strict=True):
            pdf.set_fill_color(*HEADER_FILL)
            pdf.rect(x, top, w, tall, style="DF" if r == 0 else "D")
            for i, text in enumerate(lines):
                pdf.set_xy(x + PAD, top + PAD + i * line)
                pdf.cell(w - 2 * PAD, line, text, align=align)
            x += w
        pdf.set_xy(left, top + tall)


KPI_BOX = (52, 29)  # mm: two columns of three key figures beside the map
KPI_PITCH = (54, 31)


def _kpi_box(pdf: BriefPDF, x: float, y: float, label: str, value: str) -> None:
    """One key figure: a shaded box with its label (up to two lines) and value."""
    pdf.set_fill_color(*KPI_FILL)
    pdf.rect(x, y, *KPI_BOX, style="F")
    size = 8.5
    while size > 6 and pdf.text_height(label, size, KPI_BOX[0] - 3) > 11:
        size -= 0.5
    pdf.set_xy(x + 1.5, y + 1)
    pdf.para(label, size, width=KPI_BOX[0] - 3)
    pdf.set_xy(x + 1.5, y + 14)
    pdf.set_font("body", "B" if pdf.brief.lang == "en" else "", 18)
    pdf.cell(KPI_BOX[0] - 3, 12, value)


def _cover(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.add_page()
    pdf.heading(i18n.t("brief.title", lang, area=brief.area), 17)
    pdf.para(i18n.t("brief.situation", lang, date=i18n.date_text(brief.month, lang)), 11)
    pdf.para(formatting.unlinked(brief.ctx.filter_text()), 8.5, GREY)
    if brief.ctx.is_demo:
        pdf.para(i18n.t("export.demo", lang), 10, RED)
    top = pdf.get_y() + 3
    pdf.picture(images["map"], 124, top, pdf.w - MARGIN - 124, pdf.bottom - top)
    pdf.set_xy(MARGIN, top)
    pdf.heading(i18n.t("brief.kpis", lang), 13, width=106)
    grid_top = pdf.get_y()
    for i, (label, value) in enumerate(briefing.kpis(brief)):
        x, y = MARGIN + (i % 2) * KPI_PITCH[0], grid_top + (i // 2) * KPI_PITCH[1]
        _kpi_box(pdf, x, y, label, value)
    pdf.set_xy(MARGIN, grid_top + 3 * KPI_PITCH[1] + 2)
    pdf.para(briefing.rank_text(brief), 10, width=106)


TREND_COLUMNS = [("coverage_rate", "column.coverage_rate"),
                 ("registration_rate", "column.registration_rate"),
                 ("target_rate", "chart.target")]  # fmt: skip


def trend_rows(brief: briefing.Brief) -> list[list[str]]:
    """The trend as table rows: month, coverage rate, registration rate (target where set)."""
    lang, threshold = brief.lang, brief.ctx.threshold
    columns = TREND_COLUMNS if briefing.has_targets(brief) else TREND_COLUMNS[:2]
    header = [i18n.t("brief.month", lang), *(i18n.t(key, lang) for _, key in columns)]
    rows = [
        [i18n.month_year(row["month_end"], lang),
         *(formatting.kpi_text(row, column, "rate", threshold, lang) for column, _ in columns)]
        for _, row in brief.trend.iterrows()
    ]  # fmt: skip
    return [header, *rows]


def _ranking_and_trend(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    """The ranking down the left; the trend, its note and its table month by month right."""
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.add_page()
    usable = pdf.bottom - MARGIN
    pdf.picture(images["ranking"], MARGIN, MARGIN, 130, usable)
    left, width = 150.0, pdf.w - MARGIN - 150
    rows = trend_rows(brief)
    widths = column_widths(pdf, rows, width, 8.5)
    note = "" if briefing.has_targets(brief) else i18n.t("brief.no_targets", lang)
    below = table_height(pdf, rows, widths, 8.5) + pdf.text_height(note, 9, width) + 14
    _, tall = pdf.picture(images["trend"], left, MARGIN, width, min(95, usable - below))
    pdf.set_xy(left, MARGIN + tall + 2)
    if note:  # a plain fact, not a warning
        pdf.para(note, 9, GREY, width=width)
    pdf.set_xy(left, pdf.y + 3)
    pdf.heading(i18n.t("brief.trend_table", lang), 11, width=width)
    pdf.set_x(left)
    table(pdf, rows, widths, ["LEFT", *["RIGHT"] * (len(rows[0]) - 1)], 8.5)


GAP_WIDTH = 160  # mm of the gap tables; their charts beside them
GAP_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def _gap_section(pdf: BriefPDF, title_key: str, frame, png: bytes, note_key=None) -> None:
    """A gap table with its chart beside it; on a new page if it does not fit this one."""
    brief, lang = pdf.brief, pdf.brief.lang
    rows = briefing.gap_rows(frame, brief)
    header = briefing.gap_header(frame, lang)
    cells = [header, *[[formatting.unlinked(v) for v in row] for row in rows]]  # imported names
    widths = column_widths(pdf, cells, GAP_WIDTH, 9)
    chart_x = MARGIN + GAP_WIDTH + 5
    chart_w = pdf.w - MARGIN - chart_x
    with Image.open(io.BytesIO(png)) as image:
        chart_h = chart_w * image.size[1] / image.size[0]
    note = i18n.t(note_key, lang) if note_key else ""
    tall = max(table_height(pdf, cells, widths, 9), chart_h) + 16
    tall += pdf.text_height(note, 8, GAP_WIDTH) if note else 0
    if pdf.y + tall > pdf.bottom:
        pdf.add_page()
    pdf.heading(i18n.t(title_key, lang), 13)
    if not rows:
        pdf.para(i18n.t("brief.no_gaps", lang), 10, GREY)
        pdf.ln(4)
        return
    top = pdf.y
    pdf.picture(png, chart_x, top, chart_w, pdf.bottom - top)
    table(pdf, cells, widths, GAP_ALIGN, 9)
    if note:
        pdf.para(note, 8, GREY, width=GAP_WIDTH)
    pdf.set_xy(MARGIN, max(pdf.y, top + chart_h) + 5)


def _gaps(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    brief = pdf.brief
    pdf.add_page()
    _gap_section(pdf, "brief.gaps_occupation", brief.by_occupation, images["occupation"])
    _gap_section(pdf, "brief.gaps_service", brief.by_service, images["service"],
                 "brief.gaps_service_note")  # fmt: skip


def _definitions(pdf: BriefPDF) -> None:
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.add_page()
    pdf.heading(i18n.t("brief.definitions", lang))
    for key in ("def.coverage_rate", "def.registration_rate", "def.registered_not_covered",
                "def.coverage_gap", "def.denominator", "def.over_100"):  # fmt: skip
        pdf.para(i18n.t(key, lang), 10)
        pdf.ln(1.5)
    pdf.para(brief.ctx.suppression_note(), 10)
    pdf.ln(3)
    pdf.para(formatting.unlinked(brief.ctx.sources), 9, GREY)  # names an imported source
    attribution = coverage_charts.boundary_attribution(lang)
    pdf.para(i18n.t("chart.boundaries", lang, attribution=attribution), 9, GREY)
    pdf.para(formatting.unlinked(brief.ctx.filter_text()), 9, GREY)


def render(brief: briefing.Brief, images: dict[str, bytes]) -> bytes:
    """The brief as PDF bytes.

    Pages: key figures and map; ranking, trend and its months; the largest gaps (tables
    and charts); definitions and sources.
    """
    pdf = BriefPDF(brief)
    _cover(pdf, images)
    _ranking_and_trend(pdf, images)
    _gaps(pdf, images)
    _definitions(pdf)
    return bytes(pdf.output())
