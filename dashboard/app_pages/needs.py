import streamlit as st

import i18n
from appdb import app_settings
from charts import axes, coverage_charts, needs_charts
from data_access import reads
from indicators import formatting, needs
from ui import auth, downloads, explain, filters, map_controls, needs_weights

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
threshold = app_settings.min_count()
values = reads.needs_inputs(f)
labels = {k: i18n.t(f"needs.input.{k}", lang) for k in needs.KEYS}
month = i18n.month_year(f.as_of, lang)
marker = formatting.marker(threshold, lang)

st.title(i18n.t("needs.title", lang))
st.caption(i18n.t("needs.caption", lang, month=month))
if auth.visible_provinces(auth.current_user()):  # ranked among the user's provinces only
    st.info(i18n.t("needs.scoped_note", lang))
if values.empty:  # none of the user's provinces is in this store
    st.info(i18n.t("auth.no_province", lang))
    st.stop()

weights = needs_weights.weights(labels, lang)
status = needs.status(values)
ranked = formatting.named(needs.rank(values, weights), filters.places(lang))
explain.needs_popover(ranked, weights, status, f, lang, threshold)

ctx = downloads.context(f, reads.coverage_by_province(f), lang)
as_of = f"{f.as_of:%Y-%m}"
needs_weights.inputs_table(weights, status, labels, ctx, f"needs_inputs_{as_of}")
needs_weights.left_out_notes(values, status, labels, lang)

table_labels = labels | {
    "rank": i18n.t("needs.col.rank", lang),
    "province": i18n.t("needs.col.province", lang),
    "index": i18n.t("needs.index", lang),
    "not_ranked": i18n.t("needs.hover.not_ranked", lang),
    "hidden": marker,
}
map_title = i18n.t("needs.map_title", lang, month=month)
left, right = st.columns([3, 2])
with left:
    cls = map_controls.classification(
        "needs_map", ranked["needs_index"], lang, percent=False, default_breaks=[25, 50, 75],
        scheme="quantiles",
    )  # fmt: skip
    hover = needs.hover(ranked, table_labels).map(lambda text: axes.localised(text, lang))
    figure = coverage_charts.coverage_map(
        ranked.assign(hover=hover), filters.titled(map_title, f, lang), lang, cls,
        value="needs_index", legend_title=i18n.t("needs.index", lang),
    )  # fmt: skip
    st.plotly_chart(figure, key="needs_map", width="stretch")
    downloads.map_buttons(figure, ctx, f"needs_map_{as_of}_{lang}", "needs_map_download")
with right:
    shown = needs.display(ranked, table_labels, marker).map(lambda v: axes.localised(v, lang))
    downloads.shown_table(
        shown, filters.titled(map_title, f, lang, escaped=False), ctx, f"needs_ranking_{as_of}",
        "needs_ranking", height=520,
    )  # fmt: skip
    needs_weights.download(ranked, weights, f, lang)  # with the weights it was ranked by

partial = needs.partial(ranked, labels)
if partial:
    st.info("\n".join([i18n.t("needs.partial", lang), "", *partial]))
bars_title = filters.titled(i18n.t("needs.bars_title", lang), f, lang)
bars = needs_charts.contributions(ranked, labels, bars_title, i18n.t("needs.axis", lang), lang)
st.plotly_chart(bars, key="needs_contributions", width="stretch")
downloads.figure_buttons(
    bars, ctx, f"needs_contributions_{as_of}_{lang}", "needs_contributions_download"
)
st.caption(i18n.t("needs.suppression_note", lang, marker=marker))
