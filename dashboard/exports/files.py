"""The one writer of table files: CSV, JSON and Excel workbooks, formulas neutralised here alone.

A workbook has a data sheet and a metadata sheet. Text a spreadsheet would read as a
formula is prefixed with an apostrophe (OWASP) in every format.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd

import i18n

if TYPE_CHECKING:  # plotly, which rendering loads, is not needed to write a table
    from exports import rendering

DATA_SHEET = "data"
METADATA_SHEET = "metadata"
DEFINITIONS = (
    "def.coverage_rate",
    "def.registration_rate",
    "def.registered_not_covered",
    "def.coverage_gap",
    "def.denominator",
    "def.over_100",
)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text a spreadsheet would read as a formula with an apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as exported: hidden cells empty with flag columns, text neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    for column in out.columns:
        if column.endswith(("_date", "_on")) and not pd.api.types.is_string_dtype(out[column]):
            out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM, so spreadsheets read Khmer names) of the export frame."""
    return export_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_json(frame: pd.DataFrame) -> str:
    """JSON records of the export frame; hidden cells are null."""
    return export_frame(frame).to_json(orient="records", force_ascii=False, indent=1)


def _value(value):
    """A cell value openpyxl can write: missing values empty, text neutralised."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralise(value)


def _write_row(sheet, values, bold: bool = False) -> None:
    from openpyxl.styles import Font

    sheet.append([_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # A string cell is never read as a formula, even one that starts with "=".
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)


def column_definitions(columns, lang: str) -> list[tuple[str, str]]:
    """(column, meaning) for the columns that have a label, and every flag column."""
    rows = []
    for column in columns:
        key = f"column.{column}"
        base = column.removesuffix("_suppressed")
        if key in i18n.strings("en"):
            rows.append((column, i18n.t(key, lang)))
        elif column.endswith("_suppressed") and f"column.{base}" in i18n.strings("en"):
            label = i18n.t(f"column.{base}", lang)
            rows.append((column, f"{label}: {i18n.t('export.flag_column', lang)}"))
    return rows


def metadata_rows(title: str, ctx: rendering.ExportContext, columns) -> list[tuple[str, str]]:
    """The metadata sheet's (item, value) rows: title, time, filters, definitions, sources."""
    lang = ctx.lang
    rows = [
        (i18n.t("export.meta_title", lang), title),
        (i18n.t("export.meta_generated", lang), ctx.generated_at.isoformat(sep=" ")),
        (i18n.t("export.meta_language", lang), i18n.LANGUAGES[lang]),
        (
            i18n.t("export.meta_demo", lang),
            i18n.t("export.yes" if ctx.is_demo else "export.no", lang),
        ),
    ]
    rows += [(f"{i18n.t('export.meta_filters', lang)}: {k}", v) for k, v in ctx.filters]
    rows += [(i18n.t("export.meta_sources", lang), ctx.sources)]
    rows += [(i18n.t("export.meta_suppression", lang), ctx.suppression_note())]
    rows += [(i18n.t("export.meta_definitions", lang), i18n.t(key, lang)) for key in DEFINITIONS]
    rows += [
        (f"{i18n.t('export.meta_columns', lang)}: {c}", m)
        for c, m in column_definitions(columns, lang)
    ]
    return rows


def to_xlsx(frame: pd.DataFrame, title: str, ctx: rendering.ExportContext) -> bytes:
    """XLSX bytes: sheet `data` (the export frame) and sheet `metadata`.

    Hidden cells are empty with their flag columns, as in the CSV; text a spreadsheet
    would read as a formula is neutralised and every text cell is typed as a string.
    """
    import openpyxl  # here, not at the top: a page run builds no workbook, only a click does

    data = export_frame(frame)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    _write_row(sheet, data.columns, bold=True)
    for row in data.itertuples(index=False):
        _write_row(sheet, row)
    meta = book.create_sheet(METADATA_SHEET)
    _write_row(
        meta,
        [i18n.t("export.meta_item", ctx.lang), i18n.t("export.meta_value", ctx.lang)],
        bold=True,
    )
    for item, value in metadata_rows(title, ctx, data.columns):
        _write_row(meta, [item, value])
    meta.column_dimensions["A"].width = 40
    meta.column_dimensions["B"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
