"""Turns suppressed indicator frames into display tables with markers for hidden cells."""

import pandas as pd

import indicators

COLUMNS = {
    "province_name_en": "Province",
    "covered_count": "Covered persons",
    "informal_workers_est": "Est. informal workers",
    "coverage_rate": "Coverage rate",
    "registered_count": "Registered persons",
    "registration_rate": "Registration rate",
    "registered_not_covered_count": "Registered, not covered",
    "coverage_gap_count": "Coverage gap (est.)",
    "numerator_reference_date": "Numerator date",
    "denominator_reference_date": "Estimate date",
}
RATES = {"coverage_rate", "registration_rate"}


def marker(threshold: int) -> str:
    """The on-screen marker of a suppressed count."""
    return f"◼ <{threshold}"


def _cell(value, column: str, hidden: bool, threshold: int) -> str:
    if hidden:
        return marker(threshold)
    if pd.isna(value):
        return "–"
    if column in RATES:
        flag = " ⚑" if value > 1 else ""
        return f"{value:.1%}{flag}"
    if column.endswith("_date"):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return f"{int(value):,}"


def _hidden(frame: pd.DataFrame, column: str) -> pd.Series:
    """Whether each row's value in `column` is hidden, by the counts it derives from."""
    counts = (column,) if column in indicators.COUNTS else ()
    sources = indicators.DERIVED.get(column, counts)
    if not sources:
        return pd.Series(False, index=frame.index)
    return frame[[f"{s}_suppressed" for s in sources]].any(axis=1)


def coverage_display(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The coverage table as text: suppressed cells show a marker, rates over 100% a flag."""
    out = pd.DataFrame(index=frame.index)
    for column, label in COLUMNS.items():
        hidden = _hidden(frame, column)
        out[label] = [
            value if column == "province_name_en" else _cell(value, column, h, threshold)
            for value, h in zip(frame[column], hidden, strict=True)
        ]
    return out.reset_index(drop=True)


def kpi_text(value, kind: str, threshold: int) -> str:
    """A KPI value as text: a marker for a hidden count, a dash for a hidden rate."""
    if value is None or pd.isna(value):
        return marker(threshold) if kind == "count" else "–"
    return f"{value:.1%}" if kind == "rate" else f"{int(value):,}"


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
    for column in ("numerator_reference_date", "denominator_reference_date"):
        if column in out:
            out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM, so spreadsheets read Khmer names) of the export frame."""
    return export_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_json(frame: pd.DataFrame) -> str:
    """JSON records of the export frame; hidden cells are null."""
    return export_frame(frame).to_json(orient="records", force_ascii=False, indent=1)
