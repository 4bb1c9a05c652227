"""The briefing pack as PDF: fpdf2 with HarfBuzz text shaping and embedded Khmer fonts."""

import io
import logging
import os
from pathlib import Path

from fpdf import FPDF

import i18n
from charts import coverage_charts
from exports import brief as briefing
from indicators import formatting

FONT_DIR = Path(os.environ.get("COVERAGE_FONT_DIR", "/usr/share/fonts/truetype"))
# Debian's fonts-khmeros and fonts-dejavu-core (Makefile: system-packages).
FONTS = {
    "km": ("khmeros/KhmerOSsys.ttf", "khmeros/KhmerOSmuollight.ttf"),
    "en": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
}
SYMBOLS = "dejavu/DejaVuSans.ttf"  # ◼ and ⚑, which Khmer OS lacks
RED, GREY, INK = (176, 0, 32), (90, 90, 90), (20, 20, 20)
MARGIN = 12
# Khmer OS carries hinting tables fontTools cannot subset; they are dropped, harmlessly.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class BriefPDF(FPDF):
    """A4 landscape pages with a footer: demo mark, generation time, page number."""

    def __init__(self, brief: briefing.Brief) -> None:
        """Set up fonts (shaped by HarfBuzz) for the brief's language."""
        super().__init__(orientation="L", unit="mm", format="A4")
        self.brief = brief
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
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

    def heading(self, text: str, size: float = 15) -> None:
        """A section heading on its own line."""
        self.set_font("body", "B", size)
        self.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text: str, size: float = 10, colour=INK, width: float = 0) -> None:
        """A wrapped paragraph starting at the left margin."""
        self.set_font("body", "", size)
        self.set_text_color(*colour)
        self.multi_cell(width, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def picture(self, png: bytes, x: float, y: float, w: float) -> None:
        """A chart image (PNG with shaped text) at a position and width."""
        self.image(io.BytesIO(png), x=x, y=y, w=w)


def _kpi_box(pdf: BriefPDF, x: float, y: float, label: str, value: str) -> None:
    """One key figure: a shaded box with its label (up to two lines) and value."""
    pdf.set_fill_color(238, 243, 250)
    pdf.rect(x, y, 52, 23, style="F")
    pdf.set_xy(x + 1.5, y + 1)
    pdf.set_font("body", "", 8)
    pdf.multi_cell(49, 4.2, label, new_x="LEFT", new_y="NEXT", max_line_height=4.2)
    pdf.set_xy(x + 1.5, y + 11)
    pdf.set_font("body", "B" if pdf.brief.lang == "en" else "", 16)
    pdf.cell(49, 10, value)


def _cover(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.add_page()
    pdf.heading(i18n.t("brief.title", lang, area=brief.area), 17)
    pdf.para(i18n.t("brief.situation", lang, date=i18n.date_text(brief.month, lang)), 11)
    pdf.para(formatting.unlinked(brief.ctx.filter_text()), 8.5, GREY)
    if brief.ctx.is_demo:
        pdf.para(i18n.t("export.demo", lang), 10, RED)
    top = pdf.get_y() + 3
    pdf.picture(images["map"], x=122, y=top, w=163)
    pdf.set_xy(MARGIN, top)
    pdf.heading(i18n.t("brief.kpis", lang), 13)
    grid_top = pdf.get_y()
    for i, (label, value) in enumerate(briefing.kpis(brief)):
        _kpi_box(pdf, MARGIN + (i % 2) * 54, grid_top + (i // 2) * 25, label, value)
    pdf.set_xy(MARGIN, grid_top + 3 * 25)
    pdf.ln(2)
    pdf.para(briefing.rank_text(brief), 10, width=106)


def _ranking_and_trend(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.add_page()
    pdf.picture(images["ranking"], x=MARGIN, y=MARGIN, w=132)
    pdf.picture(images["trend"], x=150, y=MARGIN + 4, w=135)
    if not briefing.has_targets(brief):
        pdf.set_xy(150, MARGIN + 72)
        pdf.para(i18n.t("brief.no_targets", lang), 10, RED, width=135)


def _gap_table(pdf: BriefPDF, title_key: str, frame, note_key: str | None = None) -> None:
    brief, lang = pdf.brief, pdf.brief.lang
    pdf.heading(i18n.t(title_key, lang), 13)
    rows = briefing.gap_rows(frame, brief)
    if not rows:
        pdf.para(i18n.t("brief.no_gaps", lang), 10, GREY)
        return
    pdf.set_font("body", "", 9)
    with pdf.table(col_widths=(70, 26, 30, 22, 30), width=178, align="LEFT",
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                   line_height=5.5, first_row_as_headings=False) as table:  # fmt: skip
        header = table.row()
        for key in briefing.GAP_HEADER:
            header.cell(i18n.t(key, lang))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(formatting.unlinked(value))  # a programme's name: imported
    if note_key:
        pdf.para(i18n.t(note_key, lang), 8, GREY, width=178)
    pdf.ln(3)


def _gaps(pdf: BriefPDF, images: dict[str, bytes]) -> None:
    brief = pdf.brief
    pdf.add_page()
    _gap_table(pdf, "brief.gaps_occupation", brief.by_occupation)
    _gap_table(pdf, "brief.gaps_service", brief.by_service, "brief.gaps_service_note")
    pdf.picture(images["occupation"], x=196, y=MARGIN, w=90)
    pdf.picture(images["service"], x=196, y=105, w=90)


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
    pdf.para(
        i18n.t("chart.boundaries", lang, attribution=coverage_charts.BOUNDARY_ATTRIBUTION), 9, GREY
    )
    pdf.para(formatting.unlinked(brief.ctx.filter_text()), 9, GREY)


def render(brief: briefing.Brief, images: dict[str, bytes]) -> bytes:
    """The brief as PDF bytes.

    Pages: key figures and map; ranking and trend; largest gaps; definitions and sources.
    """
    pdf = BriefPDF(brief)
    _cover(pdf, images)
    _ranking_and_trend(pdf, images)
    _gaps(pdf, images)
    _definitions(pdf)
    return bytes(pdf.output())
