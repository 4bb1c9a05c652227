"""Service uptake: monthly series and breakdowns by group, published by the cell-key method.

A service's receiving count in a province and month is the very cell the coverage page
shows for that month with that programme alone chosen: the same persons, so the same
cell key and the same published value. Every count, each month and each group value, is
perturbed on its own (indicators/disclosure.py): a province's total need not equal the
sum of its published group cells, and subtracting them recovers noise, not people.
"""

import datetime as dt
from collections.abc import Mapping

import pandas as pd

import i18n
from indicators import disclosure, formatting

GROUP_BY = ("sex", "age_band", "occupation", "disability", "poverty")
MARK_SPACING = 40  # programme dates closer than 1/40 of the time axis share one mark
COUNTS = ("receiving_count",)


def publish_monthly(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The uptake_monthly rows with published receiving counts and their flags.

    Returns:
        month_end, province_code, service_code, receiving_count (missing where suppressed),
        receiving_count_suppressed.
    """
    return disclosure.publish(frame, COUNTS, threshold)


def publish_by_group(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The uptake_by_group rows with published receiving counts and their flags."""
    return disclosure.publish(frame, COUNTS, threshold)


def pivot_display(
    frame: pd.DataFrame,
    service: str,
    marker: str,
    lang: str = "en",
    value_label=str,
    places: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One service's breakdown as text: a row per province (national last), a column per value.

    Args:
        frame: uptake_by_group rows (province_code, province_name_en, service_code,
            group_value, receiving_count and its flag).
        service: the service shown.
        marker: what a suppressed count shows.
        lang: the language of the numbers.
        value_label: a group value's column header in words (see `value_label`).
        places: province names by code in `lang` (default: the English names).
    """
    rows = frame[frame["service_code"] == service]
    text = [
        formatting.cell(v, "count", bool(hidden), marker, lang)
        for v, hidden in zip(
            rows["receiving_count"], rows["receiving_count_suppressed"], strict=True
        )
    ]
    table = rows.assign(text=text).pivot(
        index=["province_code", "province_name_en"], columns="group_value", values="text"
    )
    table = table.rename(columns={v: value_label(v) for v in table.columns})
    table = table.reset_index(level=1).reset_index()
    if places is not None:
        named = table["province_code"].map(places)
        table["province_name_en"] = named.fillna(table["province_name_en"])
    return table.drop(columns="province_code").rename_axis(columns=None)


def value_label(group: str, value: str, lang: str, occupations: Mapping[str, str]) -> str:
    """A group value as words: "Women", "25-34 years", "IDPoor level 1" or an occupation.

    Args:
        group: one of GROUP_BY.
        value: the stored value (a code).
        lang: the language.
        occupations: occupation names in `lang` by code.
    """
    if group == "occupation":
        return str(occupations.get(value, value))
    keys = {
        "sex": f"sex.{value}",
        "age_band": "uptake.value.age_band",
        "disability": f"uptake.value.disability.{value}",
        "poverty": f"uptake.value.poverty.{value}",
    }
    key = "uptake.value.unknown" if value == "unknown" else keys.get(group, "")
    if key not in i18n.strings(i18n.DEFAULT):
        return i18n.digits(value, lang)  # a value the catalogue of words does not know
    return i18n.t(key, lang, band=i18n.digits(value, lang))


def series(monthly: pd.DataFrame, province: str, services: list[str]) -> pd.DataFrame:
    """The monthly series of one province (or KH) for the chosen services; hidden points missing."""
    rows = monthly[(monthly["province_code"] == province) & monthly["service_code"].isin(services)]
    return rows[["month_end", "service_code", "receiving_count", "receiving_count_suppressed"]]


def month_end(as_of: dt.date) -> pd.Timestamp:
    """The last day of the as-of month: the day every figure of that month is measured on."""
    return pd.Timestamp(as_of).to_period("M").to_timestamp("M")


def running(catalogue: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Per programme (indexed by service_code): whether it runs on the as-of month's last day.

    Started on or before that day, and not ended before it (as coverage counts an episode).
    """
    day = month_end(as_of)
    started = pd.to_datetime(catalogue["started_on"])
    ended = pd.to_datetime(catalogue["ended_on"])
    on = (started.isna() | (started <= day)) & (ended.isna() | (ended >= day))
    return pd.Series(on.to_numpy(), index=catalogue["service_code"])


def default_services(catalogue: pd.DataFrame, as_of: dt.date, among=None) -> list[str]:
    """The programmes a selector opens on: those running in the as-of month (catalogue order).

    Args:
        catalogue: service_code, started_on, ended_on.
        as_of: the as-of month.
        among: the codes the selector offers (default: the whole catalogue).
    """
    on = running(catalogue, as_of)
    offered = list(on.index) if among is None else list(among)
    return [code for code in offered if on.get(code, True)]


def catalogue_names(catalogue: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """Each programme's name from the catalogue in `lang` (English where none is given)."""
    english = catalogue["name_en"]
    chosen = catalogue.get(i18n.name_column(lang), english).fillna(english)
    return dict(zip(catalogue["service_code"], chosen, strict=True))


def programme_names(catalogue: pd.DataFrame, as_of: dt.date, lang: str = "en") -> dict[str, str]:
    """Each programme's name in `lang`, marked where it does not run in the as-of month.

    "COVID-19 cash transfer (ended March 2024)", "… (starts April 2024)": the month in
    the language's words and digits; a running programme is its name alone.

    Args:
        catalogue: service_code, name_en, name_km, started_on, ended_on.
        as_of: the as-of month (any day of it).
        lang: the language.
    """
    day, names, plain_names = month_end(as_of), {}, catalogue_names(catalogue, lang)
    for row in catalogue.itertuples():
        name = plain_names[row.service_code]
        started, ended = pd.Timestamp(row.started_on), pd.Timestamp(row.ended_on)
        if pd.notna(ended) and ended < day:
            name = i18n.t("programme.ended", lang, name=name, month=i18n.month_year(ended, lang))
        elif pd.notna(started) and started > day:
            name = i18n.t("programme.starts", lang, name=name, month=i18n.month_year(started, lang))
        names[row.service_code] = name
    return names


def events(series: pd.DataFrame, catalogue: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Starts and ends of the shown programmes within the series' months, numbered by date.

    Args:
        series: month_end, service_code (the programmes and months shown).
        catalogue: service_code, name_en (name_km), started_on, ended_on.
        lang: the language of the programme names.

    Returns:
        One row per event: mark (1, 2, … in date order; events close in time share one),
        day, service_code, name, kind ("start" or "end").
    """
    columns = ["mark", "day", "service_code", "name", "kind"]
    if series.empty:
        return pd.DataFrame(columns=columns)
    first, last = pd.Timestamp(series["month_end"].min()), pd.Timestamp(series["month_end"].max())
    shown = catalogue[catalogue["service_code"].isin(series["service_code"].unique())]
    names = catalogue_names(catalogue, lang)
    rows = [
        (pd.Timestamp(day), code, names.get(code, code), kind)
        for code, start, end in zip(
            shown["service_code"], shown["started_on"], shown["ended_on"], strict=True
        )
        for day, kind in ((start, "start"), (end, "end"))
        if pd.notna(day) and first <= pd.Timestamp(day) <= last
    ]
    found = pd.DataFrame(rows, columns=columns[1:]).sort_values(["day", "kind", "name"])
    gap = max((last - first) / MARK_SPACING, pd.Timedelta(days=1))
    marks, mark, anchor = [], 0, None
    for day in found["day"]:
        if anchor is None or day - anchor > gap:
            mark, anchor = mark + 1, day
        marks.append(mark)
    return found.assign(mark=marks)[columns].reset_index(drop=True)


def event_text(row, lang: str) -> str:
    """One event in words: '1 April 2024: Family Package starts'."""
    day = i18n.date_text(row.day, lang)
    what = i18n.t(f"uptake.event.{row.kind}", lang, name=formatting.plain(row.name))
    return i18n.t("format.pair", lang, label=day, value=what)


def events_display(marked: pd.DataFrame, lang: str, label) -> pd.DataFrame:
    """The key of the marks as a table with worded headers: mark, date, programme, event."""
    return pd.DataFrame(
        {
            label("col.mark"): [i18n.digits(m, lang) for m in marked["mark"]],
            label("col.date"): [i18n.date_text(d, lang) for d in marked["day"]],
            label("col.programme"): list(marked["name"]),
            label("col.event"): [label(f"event_kind.{k}") for k in marked["kind"]],
        }
    )
