import streamlit as st

import i18n
from appdb import app_settings
from charts import axes, coverage_charts, needs_charts
from data_access import reads
from indicators import formatting, needs
from ui import auth, explain, filters, map_controls, needs_weights

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

needs_weights.inputs_table(weights, status, labels, lang)
needs_weights.left_out_notes(values, status, labels, lang)

table_labels = labels | {
    "rank": i18n.t("needs.col.rank", lang),
    "province": i18n.t("needs.col.province", lang),
    "index": i18n.t("needs.index", lang),
    "not_ranked": i18n.t("needs.hover.not_ranked", lang),
    "hidden": marker,
}
left, right = st.columns([3, 2])
with left:
    cls = map_controls.classification(
        "needs_map", ranked["needs_index"], lang, percent=False, default_breaks=[25, 50, 75],
        scheme="quantiles",
    )  # fmt: skip
    st.plotly_chart(
        coverage_charts.coverage_map(
            ranked.assign(
                hover=needs.hover(ranked, table_labels).map(
                    lambda text: axes.localised(text, lang)
                )
            ),
            i18n.t("needs.map_title", lang, month=month), lang, cls, value="needs_index",
            legend_title=i18n.t("needs.index", lang),
        ),
        key="needs_map", width="stretch",
    )  # fmt: skip
with right:
    st.dataframe(
        needs.display(ranked, table_labels, marker).map(lambda v: axes.localised(v, lang)),
        hide_index=True, key="needs_ranking", height=520, placeholder="–",
    )  # fmt: skip
    needs_weights.download(ranked, weights, f, lang)

partial = needs.partial(ranked, labels)
if partial:
    st.info("\n".join([i18n.t("needs.partial", lang), "", *partial]))
st.plotly_chart(
    needs_charts.contributions(
        ranked, labels, i18n.t("needs.bars_title", lang), i18n.t("needs.axis", lang), lang
    ),
    key="needs_contributions", width="stretch",
)  # fmt: skip
st.caption(i18n.t("needs.suppression_note", lang, marker=marker))
