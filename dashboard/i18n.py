"""UI strings and number/date formats by language: data/i18n/<lang>.json, flat keys.

One file per language. Formats are data too: `format.digits` (the ten digits of the
language), `format.group` and `format.decimal` (separators), `format.date` and
`format.month_year` (patterns with {day}, {month}, {year}) and `month.1` … `month.12`.
"""

import datetime as dt
import functools
import json

import pandas as pd

import settings

LANGUAGES = {"en": "English", "km": "ខ្មែរ"}
DEFAULT = "en"
ASCII_DIGITS = "0123456789"


def check(lang: str) -> str:
    """Return `lang` if it is a known language, else raise KeyError."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; choose from: {', '.join(LANGUAGES)}")
    return lang


@functools.cache
def strings(lang: str) -> dict[str, str]:
    """Every string of one language."""
    path = settings.DATA_DIR / "i18n" / f"{check(lang)}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def t(key: str, lang: str = DEFAULT, **values: object) -> str:
    """The string for `key` in `lang`, formatted with `values`; English if missing."""
    text = strings(lang).get(key) or strings(DEFAULT)[key]
    return text.format(**values) if values else text


@functools.cache
def _digit_table(lang: str) -> dict[int, str]:
    return str.maketrans(ASCII_DIGITS, t("format.digits", lang))


def digits(text: object, lang: str) -> str:
    """`text` with its ASCII digits written in the language's own digits."""
    return str(text).translate(_digit_table(lang))


def _localise(text: str, lang: str) -> str:
    """Swap Python's ',' and '.' for the language's separators, then its digits."""
    group, decimal = t("format.group", lang), t("format.decimal", lang)
    swapped = "".join(group if c == "," else decimal if c == "." else c for c in text)
    return digits(swapped, lang)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with thousands grouping, e.g. 12,345 or ១២.៣៤៥."""
    return _localise(f"{value:,.{decimals}f}", lang)


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """A share as a percentage, e.g. 12.5% or ១២,៥%."""
    return _localise(f"{value:.{decimals}%}", lang)


def month_name(month: int, lang: str) -> str:
    """The month's name (1 = January)."""
    return t(f"month.{month}", lang)


def date_text(day: dt.date, lang: str) -> str:
    """A date in words, e.g. 30 June 2024 or ថ្ងៃទី៣០ ខែមិថុនា ឆ្នាំ២០២៤ ('–' if missing)."""
    if day is None or pd.isna(day):
        return "–"
    return t(
        "format.date",
        lang,
        day=digits(day.day, lang),
        month=month_name(day.month, lang),
        year=digits(day.year, lang),
    )


def month_year(day: dt.date, lang: str) -> str:
    """The month of a date in words, e.g. June 2024 or ខែមិថុនា ឆ្នាំ២០២៤."""
    return t(
        "format.month_year", lang, month=month_name(day.month, lang), year=digits(day.year, lang)
    )


def name_column(lang: str) -> str:
    """The name column of a reference table for `lang`: name_km or name_en."""
    return "name_km" if lang == "km" else "name_en"
