import functools

import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import coverage_charts
from data_access import reads
from exports import brief, brief_files
from indicators import formatting
from ui import downloads, explain, map_controls

f = st.session_state["coverage_filter"]
lang = st.session_state.get("lang", i18n.DEFAULT)
threshold = app_settings.min_count()
table = reads.coverage_by_province(f)
national = table.set_index("province_code").loc[settings.NATIONAL]
month = national["numerator_reference_date"]
month_text = i18n.month_year(month, lang)
ctx = downloads.context(f, table, lang)

st.title(i18n.t("coverage.title", lang))
st.caption(i18n.t("coverage.caption", lang, date=i18n.date_text(month, lang)))

kpis = [
    ("coverage_rate", "rate"),
    ("covered_count", "count"),
    ("informal_workers_est", "count"),
    ("registration_rate", "rate"),
    ("registered_not_covered_count", "count"),
]
for col, (name, kind) in zip(st.columns(5), kpis, strict=True):
    col.metric(
        i18n.t(f"column.{name}", lang), formatting.kpi_text(national[name], kind, threshold, lang)
    )

explain.coverage_popover(table, f, st.session_state.get("lang", "en"), threshold)

if national["denominator_note"]:
    note = formatting.denominator_note(national["denominator_note"], lang)
    st.info(i18n.t("coverage.denominator_note", lang, note=note))

left, right = st.columns([3, 2])
with left:
    title = i18n.t("coverage.map_title", lang, month=month_text)
    default = coverage_charts.coverage_classes(lang)
    classes = map_controls.classification(
        "coverage_map", table.loc[table["province_code"] != settings.NATIONAL, "coverage_rate"],
        lang,
        percent=True, default_breaks=list(default.bounds), default=default,
    )  # fmt: skip
    figure = coverage_charts.coverage_map(table, title, lang, classes)
    st.plotly_chart(figure, key="coverage_map", width="stretch")
    downloads.figure_buttons(
        functools.partial(coverage_charts.coverage_map_static, table, title, lang), ctx,
        f"coverage_map_{month:%Y-%m}_{lang}", key="coverage_map_download",
    )  # fmt: skip
with right:
    st.dataframe(
        formatting.coverage_display(table, threshold, lang),
        key="coverage_table",
        hide_index=True,
        height=520,
    )
    downloads.table_buttons(
        table, i18n.t("coverage.table_title", lang, month=month_text), ctx,
        f"coverage_by_province_{month:%Y-%m}", key="coverage_table_download",
    )  # fmt: skip

st.caption(
    i18n.t(
        "coverage.legend_caption", lang, marker=formatting.marker(threshold, lang),
        threshold=i18n.digits(threshold, lang),
        source=national["denominator_source"] or i18n.t("coverage.none", lang),
    )
)  # fmt: skip
bars_title = i18n.t("coverage.bars_title", lang)
# Built only while open: the first render and every filter change skip this tall chart.
with st.expander(bars_title, key="coverage_bars_section", on_change="rerun") as section:
    if section.open:
        bars = coverage_charts.rate_bars(table, bars_title, lang)
        st.plotly_chart(bars, key="coverage_bars", width="stretch")
        downloads.figure_buttons(
            bars, ctx, f"coverage_rates_{month:%Y-%m}_{lang}", "coverage_bars_download"
        )

st.subheader(i18n.t("brief.header", lang))
st.caption(i18n.t("brief.caption", lang))
provinces = table[table["province_code"] != settings.NATIONAL]
areas = dict(
    zip(provinces["province_code"], coverage_charts.province_names(provinces, lang), strict=True)
)
with st.container(horizontal=True, vertical_alignment="bottom"):
    area = st.selectbox(
        i18n.t("brief.area", lang), [None, *areas], key="coverage_brief_area",
        format_func=lambda c: i18n.t("brief.national", lang) if c is None else areas[c],
    )  # fmt: skip
    fmt = st.segmented_control(
        i18n.t("brief.format", lang), list(brief_files.FORMATS), default="pdf",
        key="coverage_brief_format", format_func=str.upper,
    )  # fmt: skip
    con = reads.connection()
    st.download_button(
        i18n.t("brief.download", lang), icon=":material/download:", on_click="ignore",
        data=downloads.audited(
            {"action": "briefing_pack", "area": area or settings.NATIONAL, "format": fmt or "pdf"},
            lambda: brief_files.document(brief.build(con, f, area, lang, threshold), fmt or "pdf"),
        ),
        file_name=f"brief_{area or settings.NATIONAL}_{month:%Y-%m}_{lang}.{fmt or 'pdf'}",
        mime=brief_files.FORMATS[fmt or "pdf"], key="coverage_brief_download",
    )  # fmt: skip
