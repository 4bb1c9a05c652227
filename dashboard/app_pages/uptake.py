import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import uptake_charts
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
places = filters.places(lang)
occupations = filters.labels(lang)["occupation"]


def t(key, **values):
    return i18n.t(f"uptake.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption"))

with st.expander(t("catalogue_heading")):
    st.caption(t("catalogue_note"))
    st.dataframe(
        formatting.catalogue_display(catalogue, lang),
        hide_index=True,
        key="uptake_catalogue",
        placeholder="–",
    )

st.subheader(t("groups_heading", month=i18n.month_year(f.as_of, lang)))
left, right = st.columns(2)
service = left.selectbox(
    t("service"), codes, key=filters.relabelled("uptake_service"), format_func=names.get,
    index=codes.index(running[0]) if running else 0, placeholder=filters.choose(lang),
)  # fmt: skip
group = right.selectbox(
    t("group"), uptake.GROUP_BY, key=filters.relabelled("uptake_group"),
    format_func=lambda g: t(f"group.{g}"), placeholder=filters.choose(lang),
)  # fmt: skip
breakdown = reads.uptake_by_group(f, group)
st.dataframe(
    uptake.pivot_display(
        breakdown, service, marker, lang,
        lambda value: uptake.value_label(group, value, lang, occupations), places,
    ).rename(columns={"province_name_en": t("province")}),
    hide_index=True, key="uptake_breakdown", placeholder="–",
)  # fmt: skip

st.subheader(t("trend_heading"))
monthly = reads.uptake_monthly(f)
left, right = st.columns([1, 3])
where = left.selectbox(
    t("where"), [settings.NATIONAL, *[p for p in places if p != settings.NATIONAL]],
    key=filters.relabelled("uptake_province"), format_func=places.get,
    placeholder=filters.choose(lang),
)  # fmt: skip
chosen = right.multiselect(
    t("services"), codes, default=running, key=filters.relabelled("uptake_services"),
    format_func=names.get, help=t("services_help"), placeholder=filters.choose(lang, many=True),
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
    st.dataframe(
        uptake.events_display(marks, lang, t), hide_index=True, key="uptake_events", placeholder="–"
    )
