import dataclasses
import datetime as dt

import streamlit as st

import i18n
import settings
from appdb import app_settings, targets
from charts import classes, coverage_charts, planning_charts
from data_access import reads
from exports import files
from indicators import formatting, planning
from ui import auth, map_controls

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count())
catalogue = reads.service_catalogue().set_index("service_code")["name_en"]
provinces = reads.province_list().set_index("province_code")["name_en"]
places = {settings.NATIONAL: "Cambodia", **provinces.to_dict()}


def t(key, **values):
    return i18n.t(f"planning.{key}", lang, **values)


def target_form(place: str, service: str) -> None:
    """Analysts set a target for the chosen place and programme."""
    with st.form("planning_target_form"):
        st.markdown(f"**{t('set_target', place=places[place])}**")
        cols = st.columns([1, 1, 2])
        rate = cols[0].number_input(t("target_rate"), 1.0, 100.0, 50.0, key="planning_target_rate")
        date = cols[1].date_input(
            t("target_date"), dt.date(f.as_of.year + 2, 12, 31), key="planning_target_date"
        )
        note = cols[2].text_input(t("note"), key="planning_target_note")
        if st.form_submit_button(t("save")):
            row = {"province_code": place, "service_code": service, "note": note}
            row |= {"target_rate": rate / 100, "target_date": date.isoformat()}
            checked = targets.check(row, set(provinces.index), set(catalogue.index))
            targets.save(checked, auth.current_user().name)
            st.rerun()


def what_if() -> None:
    """Analysts plan a registration drive and see projected coverage, gap and rank."""
    coverage = reads.coverage_by_province(f)
    provinces_only = coverage[coverage["province_code"] != settings.NATIONAL]
    shown = provinces_only[provinces_only["coverage_rate"].notna()]
    st.caption(t("plan_caption", month=f"{f.as_of:%B %Y}"))
    cols = st.columns([3, 1, 1])
    chosen = cols[0].multiselect(
        t("plan_provinces"), shown["province_code"].tolist(), key="planning_provinces",
        format_func=places.get,
    )  # fmt: skip
    people = int(cols[1].number_input(t("plan_people"), 0, 10**7, 1000, key="planning_people"))
    split = cols[2].radio(
        t("plan_split"), ["gap", "equal"], key="planning_split",
        format_func=lambda s: t(f"split.{s}"),
    )  # fmt: skip
    plan = planning.what_if(coverage, chosen, people, split)
    st.dataframe(
        formatting.table(plan, formatting.labelled(planning.PLAN_COLUMNS, t), marker, lang=lang),
        hide_index=True, key="planning_plan",
    )  # fmt: skip
    st.download_button(
        t("plan_download"), files.to_csv(planning.plan_export(plan, people, split, f.as_of)),
        file_name=f"registration_drive_{f.as_of:%Y-%m}.csv", mime="text/csv",
        key="planning_plan_csv",
    )  # fmt: skip


st.title(t("title"))
tab_target, tab_plan, tab_change = st.tabs([t("tab.target"), t("tab.plan"), t("tab.change")])

with tab_target:
    st.caption(t("target_caption"))
    left, right = st.columns(2)
    place = left.selectbox(t("place"), list(places), key="planning_place", format_func=places.get)
    service = right.selectbox(
        t("programme"), [targets.ANY, *catalogue.index], key="planning_service",
        format_func=lambda s: t("any_programme") if s == targets.ANY else catalogue[s],
    )  # fmt: skip
    cut = reads.CoverageFilter(f.as_of, () if service == targets.ANY else (service,))
    rates = planning.series(reads.coverage_trend(cut), place)
    table = targets.all_targets()
    goal = targets.find(table, place, service)
    projection = planning.project(rates, *(goal or (None, None)))
    if goal:
        st.info(t(f"status.{projection.status}", **planning.status_values(goal, projection)))
    else:
        st.info(t("no_target"))
    st.plotly_chart(
        planning_charts.target_chart(
            rates, goal, projection, t("chart_title", place=places[place]),
            {k: t(f"legend.{k}") for k in ("actual", "target", "projection")},
        ),
        key="planning_target_chart", width="stretch",
    )  # fmt: skip
    if auth.can("targets"):
        target_form(place, service)
    else:
        st.caption(t("analysts_only"))
    st.dataframe(table, hide_index=True, key="planning_targets")

with tab_plan:
    if auth.can("plans"):
        what_if()
    else:
        st.info(t("analysts_only"))

with tab_change:
    st.caption(t("change_caption"))
    months = [m.strftime("%Y-%m") for m in reads.report_months()]
    cols = st.columns(2)
    start = cols[0].selectbox(t("from"), months, index=min(3, len(months) - 1), key="planning_from")
    end = cols[1].selectbox(t("to"), months, key="planning_to")
    moved = planning.change(
        reads.coverage_by_province(
            dataclasses.replace(f, as_of=dt.date.fromisoformat(f"{start}-01"))
        ),
        reads.coverage_by_province(
            dataclasses.replace(f, as_of=dt.date.fromisoformat(f"{end}-01"))
        ),
    )
    cls = map_controls.classification(
        "planning_change_map",
        moved.loc[moved["province_code"] != settings.NATIONAL, "rate_change"], lang,
        percent=True, default_breaks=[-0.02, 0.0, 0.02, 0.05], fmt=classes.points,
    )  # fmt: skip
    hover = planning.change_hover(moved, {"before": start, "after": end, "change": t("change")})
    st.plotly_chart(
        coverage_charts.coverage_map(
            moved.assign(hover=hover), t("change_title", start=start, end=end), lang, cls,
            value="rate_change", legend_title=t("change"),
        ),
        key="planning_change_map", width="stretch",
    )  # fmt: skip
    st.dataframe(
        formatting.table(
            moved, formatting.labelled(planning.CHANGE_COLUMNS, t), marker, planning.CHANGE_HIDDEN,
            lang=lang,
        ),
        hide_index=True, key="planning_change_table",
    )  # fmt: skip
