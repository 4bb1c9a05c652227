import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import uptake_charts
from data_access import reads
from indicators import formatting, uptake

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count())
catalogue = reads.service_catalogue()
names = catalogue.set_index("service_code")["name_en"]


def t(key, **values):
    return i18n.t(f"uptake.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption"))

with st.expander(t("catalogue_heading")):
    st.caption(t("catalogue_note"))
    st.dataframe(catalogue, hide_index=True, key="uptake_catalogue")

st.subheader(t("groups_heading", month=f"{f.as_of:%B %Y}"))
left, right = st.columns(2)
service = left.selectbox(
    t("service"), catalogue["service_code"], key="uptake_service", format_func=names.get
)
group = right.selectbox(
    t("group"), uptake.GROUP_BY, key="uptake_group", format_func=lambda g: t(f"group.{g}")
)
breakdown = reads.uptake_by_group(f, group)
st.dataframe(
    uptake.pivot_display(breakdown, service, marker).rename(
        columns={"province_name_en": t("province")}
    ),
    hide_index=True, key="uptake_breakdown",
)  # fmt: skip

st.subheader(t("trend_heading"))
monthly = reads.uptake_monthly(f)
provinces = reads.coverage_by_province(f).set_index("province_code")["province_name_en"]
left, right = st.columns([1, 3])
where = left.selectbox(
    t("where"), [settings.NATIONAL, *provinces.index.drop(settings.NATIONAL, errors="ignore")],
    key="uptake_province",
    format_func=provinces.get,
)  # fmt: skip
chosen = right.multiselect(
    t("services"), list(catalogue["service_code"]), default=list(catalogue["service_code"]),
    key="uptake_services", format_func=names.get,
)  # fmt: skip
st.plotly_chart(
    uptake_charts.trend(
        uptake.series(monthly, where, chosen), catalogue,
        t("trend_title", place=provinces.get(where)), t("persons"),
    ),
    key="uptake_trend", width="stretch",
)  # fmt: skip
st.caption(t("trend_note", marker=marker))
