"""Turns suppressed indicator frames into display tables with markers for hidden cells."""

import pandas as pd

import i18n
from indicators import protection

# Columns of the coverage table as displayed (labels: i18n keys column.<name>).
COLUMNS = [
    "province_name",
    "covered_count",
    "informal_workers_est",
    "coverage_rate",
    "registered_count",
    "registration_rate",
    "registered_not_covered_count",
    "coverage_gap_count",
    "numerator_reference_date",
    "denominator_reference_date",
]
RATES = {"coverage_rate", "registration_rate"}
# The SQL explains a missing denominator in English; pages show the translation.
NOTES = {
    "No population estimate exists for the persons of one registry": "note.source",
    "No estimate of informal workers exists for this occupation": "note.occupation",
    "No population estimate exists for this cut": "note.cut",
}


def marker(threshold: int, lang: str = "en") -> str:
    """The on-screen marker of a suppressed count."""
    return f"◼ <{i18n.digits(threshold, lang)}"


def denominator_note(note: str, lang: str = "en") -> str:
    """The query's note on a missing denominator, in `lang`."""
    return i18n.t(NOTES[note], lang) if note in NOTES else note


def _cell(value, column: str, hidden: bool, threshold: int, lang: str) -> str:
    if hidden:
        return marker(threshold, lang)
    if pd.isna(value):
        return "–"
    if column in RATES:
        flag = " ⚑" if value > 1 else ""
        return f"{i18n.percent(value, lang)}{flag}"
    if column.endswith("_date"):
        return i18n.date_text(pd.Timestamp(value), lang)
    return i18n.number(value, lang)


def _hidden(frame: pd.DataFrame, column: str) -> pd.Series:
    """Whether each row's value in `column` is hidden, by the counts it derives from."""
    counts = (column,) if column in protection.COUNTS else ()
    sources = protection.DERIVED.get(column, counts)
    if not sources:
        return pd.Series(False, index=frame.index)
    return frame[[f"{s}_suppressed" for s in sources]].any(axis=1)


def coverage_display(frame: pd.DataFrame, threshold: int, lang: str = "en") -> pd.DataFrame:
    """The coverage table as text: suppressed cells show a marker, rates over 100% a flag."""
    out = pd.DataFrame(index=frame.index)
    names = frame["province_name_km" if lang == "km" else "province_name_en"]
    for column in COLUMNS:
        label = i18n.t(f"column.{column}", lang)
        if column == "province_name":
            out[label] = names
            continue
        hidden = _hidden(frame, column)
        out[label] = [
            _cell(value, column, h, threshold, lang)
            for value, h in zip(frame[column], hidden, strict=True)
        ]
    return out.reset_index(drop=True)


def kpi_text(value, kind: str, threshold: int, lang: str = "en") -> str:
    """A KPI value as text: a marker for a hidden count, a dash for a hidden rate."""
    if value is None or pd.isna(value):
        return marker(threshold, lang) if kind == "count" else "–"
    return i18n.percent(value, lang) if kind == "rate" else i18n.number(value, lang)


def catalogue_display(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A reference table (services, occupations) with the name in `lang` and labelled columns."""
    out = frame.drop(columns=["name_en", "name_km"]).copy()
    out.insert(1, "name", frame[i18n.name_column(lang)].fillna(frame["name_en"]))
    return out.rename(columns={c: i18n.t(f"column.{c}", lang) for c in out.columns})


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
