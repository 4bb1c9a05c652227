import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import coverage_charts, uptake_charts
from data_access import reads
from indicators import formatting, uptake
from ui import filters

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count(), lang)
catalogue = reads.service_catalogue()
codes = list(catalogue["service_code"])
names = uptake.programme_names(catalogue, f.as_of, lang)  # "(ended March 2024)" where ended
running = uptake.default_services(catalogue, f.as_of)
coverage = reads.coverage_by_province(f)
places = dict(
    zip(coverage["province_code"], coverage_charts.province_names(coverage, lang), strict=True)
)
occupations = filters.labels(lang)["occupation"]


def t(key, **values):
    return i18n.t(f"uptake.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption"))

with st.expander(t("catalogue_heading")):
    st.caption(t("catalogue_note"))
    st.dataframe(
        formatting.catalogue_display(catalogue, lang), hide_index=True, key="uptake_catalogue"
    )

st.subheader(t("groups_heading", month=i18n.month_year(f.as_of, lang)))
left, right = st.columns(2)
service = left.selectbox(
    t("service"), codes, key="uptake_service", format_func=names.get,
    index=codes.index(running[0]) if running else 0,
)  # fmt: skip
group = right.selectbox(
    t("group"), uptake.GROUP_BY, key="uptake_group", format_func=lambda g: t(f"group.{g}")
)
breakdown = reads.uptake_by_group(f, group)
st.dataframe(
    uptake.pivot_display(
        breakdown, service, marker, lang,
        lambda value: uptake.value_label(group, value, lang, occupations), places,
    ).rename(columns={"province_name_en": t("province")}),
    hide_index=True, key="uptake_breakdown",
)  # fmt: skip

st.subheader(t("trend_heading"))
monthly = reads.uptake_monthly(f)
left, right = st.columns([1, 3])
where = left.selectbox(
    t("where"), [settings.NATIONAL, *[p for p in places if p != settings.NATIONAL]],
    key="uptake_province", format_func=places.get,
)  # fmt: skip
chosen = right.multiselect(
    t("services"), codes, default=running, key="uptake_services", format_func=names.get,
    help=t("services_help"),
)  # fmt: skip
series = uptake.series(monthly, where, chosen)
st.plotly_chart(
    uptake_charts.trend(
        series, catalogue, t("trend_title", place=places.get(where)), t("persons"), lang,
        names, marker,
    ),
    key="uptake_trend", width="stretch",
)  # fmt: skip
st.caption(t("marks_note", marker=marker))
marks = uptake.events(series, catalogue, lang)
if not marks.empty:
    st.markdown(f"**{t('events_heading')}**")
    st.dataframe(uptake.events_display(marks, lang, t), hide_index=True, key="uptake_events")
