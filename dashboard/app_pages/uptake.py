import dataclasses

import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import uptake_charts
from data_access import reads
from indicators import formatting, uptake
from ui import downloads, filters

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
marker = formatting.marker(app_settings.min_count(), lang)
catalogue = reads.service_catalogue()
codes = list(catalogue["service_code"])
names = uptake.programme_names(catalogue, f.as_of, lang)  # "(ended March 2024)" where ended
running = uptake.default_services(catalogue, f.as_of)
coverage = reads.coverage_by_province(f)
places = filters.places(lang)
occupations = filters.labels(lang)["occupation"]
month = f"{f.as_of:%Y-%m}"
cut = dataclasses.replace(f, services=())  # the programmes are chosen on this page
ctx = downloads.context(cut, coverage, lang)


def t(key, **values):
    return i18n.t(f"uptake.{key}", lang, **values)


st.title(t("title"))
st.caption(t("caption"))

with st.expander(t("catalogue_heading")):
    st.caption(t("catalogue_note"))
    downloads.shown_table(
        formatting.catalogue_display(catalogue, lang), t("catalogue_heading"),
        downloads.unfiltered(ctx), f"uptake_catalogue_{month}", "uptake_catalogue",
    )  # fmt: skip

groups_heading = t("groups_heading", month=i18n.month_year(f.as_of, lang))
st.subheader(groups_heading)
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
downloads.shown_table(
    uptake.pivot_display(
        breakdown, service, marker, lang,
        lambda value: uptake.value_label(group, value, lang, occupations), places,
    ).rename(columns={"province_name_en": t("province")}),
    filters.titled(groups_heading, cut, lang, escaped=False),
    downloads.context(cut, coverage, lang, [(t("service"), names[service]),
                                            (t("group"), t(f"group.{group}"))]),
    f"uptake_{service}_by_{group}_{month}", "uptake_breakdown",
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
# a monthly series: neither the as-of month nor the programme filter applies
trend_title = filters.titled(t("trend_title", place=places.get(where)), cut, lang, month=False)
figure = uptake_charts.trend(series, catalogue, trend_title, t("persons"), lang, names, marker)
st.plotly_chart(figure, key="uptake_trend", width="stretch")
programmes = ", ".join(map(names.get, chosen))
trend_ctx = downloads.context(
    cut, coverage, lang, [(t("where"), places[where]), (t("services"), programmes)], month=False
)
downloads.figure_buttons(figure, trend_ctx, f"uptake_trend_{where}_{month}_{lang}",
                         "uptake_trend_download")  # fmt: skip
st.caption(t("marks_note", marker=marker))
marks = uptake.events(series, catalogue, lang)
if not marks.empty:
    st.markdown(f"**{t('events_heading')}**")
    downloads.shown_table(
        uptake.events_display(marks, lang, t), t("events_heading"), trend_ctx,
        f"uptake_events_{where}_{month}", "uptake_events",
    )  # fmt: skip
