import streamlit as st

import i18n
import settings
from appdb import app_settings, targets
from charts import planning_charts
from data_access import reads
from indicators import formatting, planning
from ui import auth, downloads, filters, planning_panels

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count(), lang)
names = i18n.name_column(lang)
services = reads.service_catalogue().set_index("service_code")
catalogue = services[names].fillna(services["name_en"])
places = filters.places(lang)
provinces = [code for code in places if code != settings.NATIONAL]


def t(key, **values):
    return i18n.t(f"planning.{key}", lang, **values)


st.title(t("title"))
tab_target, tab_plan, tab_change = st.tabs([t("tab.target"), t("tab.plan"), t("tab.change")])

with tab_target:
    st.caption(t("target_caption"))
    left, right = st.columns(2)
    place = left.selectbox(
        t("place"), list(places), key=filters.relabelled("planning_place"),
        format_func=places.get, placeholder=filters.choose(lang),
    )  # fmt: skip
    service = right.selectbox(
        t("programme"), [targets.ANY, *catalogue.index],
        key=filters.relabelled("planning_service"), placeholder=filters.choose(lang),
        format_func=lambda s: t("any_programme") if s == targets.ANY else catalogue[s],
    )  # fmt: skip
    cut = reads.CoverageFilter(f.as_of, () if service == targets.ANY else (service,))
    rates = planning.series(reads.coverage_trend(cut), place)
    table = reads.coverage_targets()  # the nation's and the provinces the user may see
    goal = targets.find(table, place, service)
    projection = planning.project(rates, *(goal or (None, None)))
    if goal:
        st.info(t(f"status.{projection.status}", **planning.status_values(goal, projection)))
    else:
        st.info(t("no_target"))
    programme = t("any_programme") if service == targets.ANY else catalogue[service]
    chart_title = t("chart_title", place=places[place], programme=programme)
    # the series is every month's, of the chosen place and programme: no sidebar filter applies
    ctx = downloads.context(
        reads.CoverageFilter(f.as_of), reads.coverage_by_province(cut), lang,
        [(t("place"), places[place]), (t("programme"), programme)], month=False,
    )  # fmt: skip
    figure = planning_charts.target_chart(
        rates, goal, projection, chart_title,
        {k: t(f"legend.{k}") for k in ("actual", "target", "projection")}, lang,
    )  # fmt: skip
    st.plotly_chart(figure, key="planning_target_chart", width="stretch")
    stem = f"planning_target_{place}_{f.as_of:%Y-%m}_{lang}"
    downloads.figure_buttons(figure, ctx, stem, "planning_target_chart_download")
    if auth.can("targets"):
        planning_panels.target_form(
            place, service, places=places, provinces=provinces,
            services=catalogue.index, as_of=f.as_of, lang=lang,
        )  # fmt: skip
    else:
        st.caption(t("analysts_only"))
    st.subheader(t("targets_title"))
    shown = planning_panels.targets_display(table, places, catalogue, lang)
    downloads.shown_table(shown, t("targets_title"), downloads.unfiltered(ctx),
                          f"planning_targets_{f.as_of:%Y-%m}", "planning_targets")  # fmt: skip

with tab_plan:
    if auth.can("plans"):
        planning_panels.what_if(f, places, marker, lang)
    else:
        st.info(t("analysts_only"))

with tab_change:
    planning_panels.change_between_months(f, places, marker, lang)
