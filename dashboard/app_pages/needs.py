import streamlit as st

import i18n
from appdb import app_settings
from charts import coverage_charts, needs_charts
from data_access import reads
from exports import files
from indicators import formatting, needs
from ui import auth, explain, map_controls

lang = st.session_state.get("lang", "en")
f = st.session_state["coverage_filter"]
threshold = app_settings.min_count()
values = reads.needs_inputs(f)
labels = {k: i18n.t(f"needs.input.{k}", lang) for k in needs.KEYS}
month = f"{f.as_of:%B %Y}"

st.title(i18n.t("needs.title", lang))
st.caption(i18n.t("needs.caption", lang, month=month))

# Analysts adjust the weights; other roles see the ranking at the documented defaults.
weights = {item.key: float(item.default_weight) for item in needs.INPUTS}
if auth.can("needs_weights"):
    with st.container(border=True, key="needs_weights_box"):
        st.markdown(f"**{i18n.t('needs.weights', lang)}**")
        cols = st.columns(4)
        weights = {
            item.key: float(
                cols[i % 4].slider(
                    labels[item.key], 0, 100, item.default_weight, step=5,
                    key=f"needs_weight_{item.key}",
                )
            )
            for i, item in enumerate(needs.INPUTS)
        }  # fmt: skip
else:
    st.caption(i18n.t("needs.default_weights", lang))

status = needs.status(values)
ranked = needs.rank(values, weights)
explain.needs_popover(ranked, weights, status, f, lang, threshold)

with st.expander(i18n.t("needs.inputs_heading", lang), expanded=False):
    st.markdown(i18n.t("needs.method", lang))
    st.dataframe(
        [
            {
                i18n.t("needs.col.input", lang): labels[item.key],
                i18n.t("needs.col.definition", lang): i18n.t(f"needs.def.{item.key}", lang),
                i18n.t("needs.col.default_weight", lang): item.default_weight,
                i18n.t("needs.col.weight", lang): weights[item.key],
                i18n.t("needs.col.status", lang): i18n.t(f"needs.status.{status[item.key]}", lang),
            }
            for item in needs.INPUTS
        ],
        hide_index=True,
        key="needs_inputs_table",
    )

for key, state in status.items():
    if state != "varies":
        shown = values[key].dropna()
        value = f" ({shown.iloc[0]:.1%})" if state == "constant" and "share" in key else ""
        st.info(i18n.t(f"needs.left_out.{state}", lang, input=labels[key]) + value)

table_labels = labels | {
    "rank": i18n.t("needs.col.rank", lang),
    "province": i18n.t("needs.col.province", lang),
    "index": i18n.t("needs.index", lang),
    "not_ranked": i18n.t("needs.hover.not_ranked", lang),
    "hidden": formatting.marker(threshold),
}
left, right = st.columns([3, 2])
with left:
    cls = map_controls.classification(
        "needs_map", ranked["needs_index"], lang, percent=False, default_breaks=[25, 50, 75],
        scheme="quantiles",
    )  # fmt: skip
    st.plotly_chart(
        coverage_charts.coverage_map(
            ranked.assign(hover=needs.hover(ranked, table_labels)),
            i18n.t("needs.map_title", lang, month=month), lang, cls, value="needs_index",
            legend_title=i18n.t("needs.index", lang),
        ),
        key="needs_map", width="stretch",
    )  # fmt: skip
with right:
    st.dataframe(
        needs.display(ranked, table_labels, formatting.marker(threshold)),
        hide_index=True, key="needs_ranking", height=520,
    )  # fmt: skip
    st.download_button(
        i18n.t("needs.download", lang),
        data=files.to_csv(needs.export_table(ranked, weights, f.as_of)),
        file_name=f"needs_by_province_{f.as_of:%Y-%m}.csv",
        mime="text/csv", key="needs_download_csv",
    )  # fmt: skip

unranked = needs.unranked(ranked, labels)
if unranked:
    st.warning("\n".join([i18n.t("needs.unranked", lang), "", *unranked]))
st.plotly_chart(
    needs_charts.contributions(
        ranked, labels, i18n.t("needs.bars_title", lang), i18n.t("needs.axis", lang)
    ),
    key="needs_contributions", width="stretch",
)  # fmt: skip
st.caption(i18n.t("needs.suppression_note", lang, marker=formatting.marker(threshold)))
