"""The planning page's panels: the target form, the what-if drive, change between months."""

import dataclasses
import datetime as dt
from collections.abc import Iterable

import pandas as pd
import streamlit as st

import i18n
import settings
from appdb import targets
from charts import coverage_charts
from data_access import reads
from exports import files
from indicators import formatting, planning
from ui import admin_tables, auth, downloads, filters, map_controls


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(f"planning.{key}", lang, **values)


def target_form(
    place: str,
    service: str,
    *,
    places: dict[str, str],
    provinces: Iterable[str],
    services: Iterable[str],
    as_of: dt.date,
    lang: str,
) -> None:
    """Analysts set a target for the chosen place and programme (form `planning_target_form`).

    Args:
        place: the chosen province code, or the national code.
        service: the chosen programme code, or targets.ANY.
        places: display name per place code (the national one included).
        provinces: the known province codes.
        services: the known programme codes.
        as_of: the as-of month; the default target date is 31 December two years on.
        lang: the UI language.
    """
    with st.form("planning_target_form"):
        st.markdown(f"**{_t('set_target', lang, place=places[place])}**")
        cols = st.columns([1, 1, 2])
        rate = cols[0].number_input(
            _t("target_rate", lang), 1.0, 100.0, 50.0, key="planning_target_rate"
        )
        date = cols[1].date_input(
            _t("target_date", lang), dt.date(as_of.year + 2, 12, 31), key="planning_target_date"
        )
        note = cols[2].text_input(_t("note", lang), key="planning_target_note")
        if st.form_submit_button(_t("save", lang)):
            row = {"province_code": place, "service_code": service, "note": note}
            row |= {"target_rate": rate / 100, "target_date": date.isoformat()}
            checked = targets.check(row, set(provinces), set(services))
            targets.save(checked, auth.current_user().name)
            st.rerun()


def what_if(f: reads.CoverageFilter, places: dict[str, str], marker: str, lang: str) -> None:
    """Analysts plan a registration drive and see projected coverage, gap and rank.

    Args:
        f: the shared coverage filter.
        places: display name per place code.
        marker: what a suppressed value shows.
        lang: the UI language.
    """
    coverage = reads.coverage_by_province(f)
    st.caption(_t("plan_caption", lang, month=i18n.month_year(f.as_of, lang)))
    cols = st.columns([3, 1, 1])
    chosen = cols[0].multiselect(
        _t("plan_provinces", lang), planning.plannable(coverage), format_func=places.get,
        key=filters.relabelled("planning_provinces"), placeholder=filters.choose(lang, True),
    )  # fmt: skip
    people = int(
        cols[1].number_input(_t("plan_people", lang), 0, 10**7, 1000, key="planning_people")
    )
    split = cols[2].radio(
        _t("plan_split", lang), ["gap", "equal"], key=filters.relabelled("planning_split"),
        format_func=lambda s: _t(f"split.{s}", lang),
    )  # fmt: skip
    plan = planning.what_if(coverage, chosen, people, split)
    labels = formatting.labelled(planning.PLAN_COLUMNS, lambda key: _t(key, lang))
    choices = [(_t("plan_people", lang), i18n.number(people, lang)),
               (_t("plan_split", lang), _t(f"split.{split}", lang))]  # fmt: skip
    ctx = downloads.context(f, coverage, lang, choices)
    title = _t("plan_title", lang, month=i18n.month_year(f.as_of, lang))
    downloads.shown_table(
        formatting.table(formatting.named(plan, places), labels, marker, lang=lang),
        filters.titled(title, f, lang, escaped=False), ctx,
        f"planning_drive_{f.as_of:%Y-%m}", "planning_plan",
    )  # fmt: skip
    downloads.button(
        _t("plan_download", lang),
        lambda: files.to_csv(planning.plan_export(plan, people, split, f.as_of)),
        file_name=f"registration_drive_{f.as_of:%Y-%m}.csv", mime="text/csv",
        key="planning_plan_csv",
        detail={"filters": filters.describe(f, lang), "provinces": chosen, "people": people,
                "split": split},
    )  # fmt: skip


def _month(month: str, lang: str) -> str:
    """A report month ("2025-03") in words."""
    return i18n.month_year(dt.date.fromisoformat(f"{month}-01"), lang)


def _coverage_in(f: reads.CoverageFilter, month: str):
    """The coverage table of one report month ("2025-03") under the shared filter."""
    return reads.coverage_by_province(
        dataclasses.replace(f, as_of=dt.date.fromisoformat(f"{month}-01"))
    )


def _legend_points(value: float, lang: str) -> str:
    """A class limit of the change map: +2 pp, +1.5 pp (no decimals for whole points)."""
    return formatting.points(value, lang, 0 if round(100 * value, 6).is_integer() else 1)


def change_between_months(
    f: reads.CoverageFilter, places: dict[str, str], marker: str, lang: str
) -> None:
    """Two report months, the map of the coverage change between them, and its table.

    Args:
        f: the shared coverage filter (its as-of month is replaced by the chosen two).
        places: display name per place code.
        marker: what a suppressed value shows.
        lang: the UI language.
    """
    st.caption(_t("change_caption", lang))
    months = [m.strftime("%Y-%m") for m in reads.report_months()]
    cols = st.columns(2)

    def month(code: str) -> str:
        return _month(code, lang)

    start = cols[0].selectbox(
        _t("from", lang), months, index=min(3, len(months) - 1), format_func=month,
        key=filters.relabelled("planning_from"), placeholder=filters.choose(lang),
    )  # fmt: skip
    end = cols[1].selectbox(
        _t("to", lang), months, format_func=month, key=filters.relabelled("planning_to"),
        placeholder=filters.choose(lang),
    )  # fmt: skip
    moved = formatting.named(planning.change(_coverage_in(f, start), _coverage_in(f, end)), places)
    cls = map_controls.classification(
        "planning_change_map",
        moved.loc[moved["province_code"] != settings.NATIONAL, "rate_change"], lang,
        percent=True, default_breaks=[-0.02, 0.0, 0.02, 0.05],
        fmt=lambda v: _legend_points(v, lang),
    )  # fmt: skip
    change = _t("change", lang)
    labels = {"before": month(start), "after": month(end), "change": change}
    title = _t("change_title", lang, start=month(start), end=month(end))
    map_figure = coverage_charts.coverage_map(
        moved.assign(hover=planning.change_hover(moved, labels, lang)),
        filters.titled(title, f, lang, month=False), lang, cls,
        value="rate_change", legend_title=change,
    )  # fmt: skip
    st.plotly_chart(map_figure, key="planning_change_map", width="stretch")
    ctx = downloads.context(f, _coverage_in(f, end), lang)
    two = tuple((_t(k, lang), _month(m, lang)) for k, m in (("from", start), ("to", end)))
    ctx = dataclasses.replace(ctx, filters=two + ctx.filters[1:])  # they replace the as-of
    stem = f"planning_change_{start}_{end}"
    downloads.map_buttons(map_figure, ctx, stem, "planning_change_map_download")
    labels = formatting.labelled(planning.CHANGE_COLUMNS, lambda key: _t(key, lang))
    shown = formatting.table(moved, labels, marker, planning.CHANGE_HIDDEN, lang=lang)
    downloads.shown_table(shown, filters.titled(title, f, lang, month=False, escaped=False), ctx,
                          stem, "planning_change_table")  # fmt: skip


def targets_display(
    table: pd.DataFrame, places: dict[str, str], catalogue: pd.Series, lang: str
) -> pd.DataFrame:
    """The targets as shown and exported: names, percentages and dates in words."""

    def programme(code: str) -> str:
        return _t("any_programme", lang) if code == targets.ANY else catalogue.get(code, code)

    shown = pd.DataFrame(
        {
            "place": [places.get(c, c) for c in table["province_code"]],
            "programme": [programme(c) for c in table["service_code"]],
            "target": [i18n.percent(r, lang, 1) for r in table["target_rate"]],
            "by": [i18n.date_text(pd.to_datetime(d).date(), lang) for d in table["target_date"]],
            "note": table["note"].fillna(""),
            "set_by": table["set_by"].fillna(""),
            "set_at": [admin_tables.when(v, lang) for v in table["set_at"]],
        }
    )
    return shown.rename(columns={c: _t(f"targets.{c}", lang) for c in shown.columns})
