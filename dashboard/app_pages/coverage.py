import streamlit as st

import i18n
import settings
from appdb import app_settings
from charts import coverage_charts
from data_access import reads
from indicators import formatting
from ui import brief_panel, coverage_kpis, downloads, explain, filters, map_controls, quoted

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

coverage_kpis.render(national, threshold, lang)
explain.coverage_popover(table, f, lang, threshold)

if national["denominator_note"]:
    note = formatting.denominator_note(national["denominator_note"], lang)
    st.info(i18n.t("coverage.denominator_note", lang, note=note))

left, right = st.columns([3, 2])
with left:
    title = filters.titled(i18n.t("coverage.map_title", lang, month=month_text), f, lang)
    default = coverage_charts.coverage_classes(lang)
    classes = map_controls.classification(
        "coverage_map", table.loc[table["province_code"] != settings.NATIONAL, "coverage_rate"],
        lang,
        percent=True, default_breaks=list(default.bounds), default=default,
    )  # fmt: skip
    figure = coverage_charts.coverage_map(table, title, lang, classes)
    st.plotly_chart(figure, key="coverage_map", width="stretch")
    # exported as shown: the classes chosen on screen, drawn as vector shapes
    stem = f"coverage_map_{month:%Y-%m}_{lang}"
    downloads.map_buttons(figure, ctx, stem, "coverage_map_download")
with right:
    st.dataframe(
        formatting.coverage_display(table, threshold, lang),
        key="coverage_table",
        hide_index=True,
        height=520,
        placeholder="–",
    )
    table_title = i18n.t("coverage.table_title", lang, month=month_text)
    downloads.table_buttons(
        table, filters.titled(table_title, f, lang, escaped=False), ctx,
        f"coverage_by_province_{month:%Y-%m}", key="coverage_table_download",
    )  # fmt: skip

st.caption(" ".join([i18n.t("coverage.adjusted_note", lang), formatting.legend(threshold, lang)]))
if formatting.plain(source := national["denominator_source"]):  # as the estimate's file says
    quoted.line(i18n.t("coverage.denominator_source", lang, source=quoted.MARK), source,
                "coverage_denominator_source")  # fmt: skip
else:
    st.caption(i18n.t("coverage.denominator_source", lang, source=i18n.t("coverage.none", lang)))
bars_title = i18n.t("coverage.bars_title", lang)
# Built only while open: the first render and every filter change skip this tall chart.
with st.expander(bars_title, key="coverage_bars_section", on_change="rerun") as section:
    if section.open:
        bars = coverage_charts.rate_bars(table, filters.titled(bars_title, f, lang), lang)
        st.plotly_chart(bars, key="coverage_bars", width="stretch")
        downloads.figure_buttons(
            bars, ctx, f"coverage_rates_{month:%Y-%m}_{lang}", "coverage_bars_download"
        )

brief_panel.render(table, f, month, threshold, lang)
