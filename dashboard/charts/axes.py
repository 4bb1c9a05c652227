"""Axis ticks and hover text in the page's language: its digits, separators and month names.

plotly writes numbers and dates in English (200k, Jan 2024); these give every axis and
hover label the same text as the tables, through the one cell formatter.
"""

import math
import re

import pandas as pd

import i18n
from indicators import formatting


def rate_texts(rates: pd.Series, lang: str) -> list[str]:
    """Rates as hover text: ⚑ and its meaning above 100%, as everywhere else."""
    over = " " + i18n.t("marker.over_hover", lang).removeprefix(formatting.FLAG).strip()
    return [
        formatting.cell(r, "rate", False, "", lang) + (over if pd.notna(r) and r > 1 else "")
        for r in rates
    ]


def count_ticks(top: float, lang: str) -> dict:
    """About five round ticks (1, 2 or 5 x 10^n apart) from 0 up to `top`, with separators."""
    top = max(float(top) if pd.notna(top) else 0.0, 1.0)
    power = 10 ** math.floor(math.log10(top / 5)) if top >= 5 else 1
    step = next(m * power for m in (1, 2, 5, 10) if top / (m * power) <= 6)
    values = [i * step for i in range(int(top // step) + 2)]
    return {"tickvals": values, "ticktext": [i18n.number(v, lang) for v in values]}


def month_ticks(months: pd.Series, lang: str) -> dict:
    """Ticks on month ends: each January (the year) over long spans, else each quarter."""
    days = pd.to_datetime(pd.Series(months)).drop_duplicates().sort_values()
    if days.empty:
        return {}
    if len(days) > 24:
        shown = days[days.dt.month == 1]
        return {"tickvals": list(shown), "ticktext": [i18n.digits(d.year, lang) for d in shown]}
    shown = days[days.dt.month % 3 == 0]
    return {"tickvals": list(shown), "ticktext": [i18n.month_year(d, lang) for d in shown]}


def hover(
    frame: pd.DataFrame,
    title: str,
    items: list[tuple[str, str, str, list[str]]],
    marker: str,
    lang: str = "en",
) -> pd.Series:
    """Map hover text per row, by the one cell formatter: ⚑, markers and digits as in tables.

    Args:
        frame: one row per area.
        title: the column of the area's name (shown in bold, as plain text).
        items: (label, column, kind, flag columns that hide it) per line.
        marker: the suppression marker.
        lang: the language.
    """
    texts = []
    for _, row in frame.iterrows():
        lines = [f"<b>{formatting.plain(row[title])}</b>"]
        for label, column, kind, flags in items:
            value = formatting.cell(
                row[column], kind, any(bool(row[f]) for f in flags), marker, lang
            )
            over = kind == "rate" and pd.notna(row[column]) and row[column] > 1
            lines.append(i18n.t("format.pair", lang, label=label, value=value))
            lines += [i18n.t("marker.over_hover", lang)] if over else []
        texts.append("<br>".join(lines))
    return pd.Series(texts, index=frame.index, dtype=object)


_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def localised(text: object, lang: str = "en") -> str:
    """Numbers written the English way (1,234.5) inside a text, in `lang`'s separators and digits.

    For text made by code that formats numbers itself; words and punctuation are kept.
    """
    if lang == i18n.DEFAULT:
        return str(text)
    return _NUMBER.sub(lambda m: i18n.number(float(m[0].replace(",", "")), lang,
                                             len(m[0].partition(".")[2])), str(text))  # fmt: skip
