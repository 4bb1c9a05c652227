import streamlit as st

import charts
import data_access
import explain
import formatting
import map_controls
import settings

f = st.session_state["coverage_filter"]
threshold = settings.min_count()
table = data_access.coverage_by_province(f)
national = table.set_index("province_code").loc["KH"]
month = national["numerator_reference_date"]

st.title("Social-protection coverage of informal workers")
st.caption(
    f"Coverage on {month:%d %B %Y}: persons in informal work with an active service or "
    "membership episode, de-duplicated across registries, ÷ estimated informal workers."
)


cols = st.columns(5)
cols[0].metric("Coverage rate", formatting.kpi_text(national["coverage_rate"], "rate", threshold))
cols[1].metric(
    "Covered persons", formatting.kpi_text(national["covered_count"], "count", threshold)
)
cols[2].metric(
    "Est. informal workers",
    formatting.kpi_text(national["informal_workers_est"], "count", threshold),
)
cols[3].metric(
    "Registration rate", formatting.kpi_text(national["registration_rate"], "rate", threshold)
)
cols[4].metric(
    "Registered, not covered",
    formatting.kpi_text(national["registered_not_covered_count"], "count", threshold),
)

explain.coverage_popover(table, f, st.session_state.get("lang", "en"), threshold)

if national["denominator_note"]:
    st.info(f"{national['denominator_note']}: rates and gaps are not shown for this cut.")

left, right = st.columns([3, 2])
with left:
    title = f"Coverage rate of informal workers, {month:%B %Y}"
    classes = map_controls.classification(
        "coverage_map", table.loc[table["province_code"] != "KH", "coverage_rate"],
        st.session_state.get("lang", "en"), percent=True,
        default_breaks=list(charts.coverage_classes().bounds), default=charts.coverage_classes(),
    )  # fmt: skip
    st.plotly_chart(charts.coverage_map(table, title, classes), key="coverage_map", width="stretch")
with right:
    st.dataframe(
        formatting.coverage_display(table, threshold),
        key="coverage_table",
        hide_index=True,
        height=520,
    )
    st.download_button(
        "Download table (CSV)",
        data=formatting.to_csv(table),
        file_name=f"coverage_by_province_{month:%Y-%m}.csv",
        mime="text/csv",
        key="coverage_download_csv",
    )

st.caption(
    f"{formatting.marker(threshold)}: fewer than {threshold} persons, or a cell hidden so that "
    "such a count cannot be worked out by subtraction. ⚑: above 100% — registries hold more "
    "people than the estimate; shown, not clipped. Denominator: "
    f"{national['denominator_source'] or 'none'}."
)
st.plotly_chart(
    charts.rate_bars(table, "Covered and registered, share of estimated informal workers"),
    key="coverage_bars",
    width="stretch",
)
