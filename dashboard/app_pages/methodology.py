import streamlit as st

import i18n
from appdb import app_settings
from charts import coverage_charts
from data_access import reads
from exports import rendering
from indicators import formatting
from ui import downloads

summary = st.session_state["store_summary"]
lang = st.session_state.get("lang", i18n.DEFAULT)
threshold = app_settings.min_count()
sources = i18n.t(
    "methodology.sources_caption", lang, attribution=coverage_charts.boundary_attribution(lang)
)
ctx = rendering.ExportContext(
    lang=lang, filters=(), sources=sources, is_demo=bool(summary["is_demo"]), threshold=threshold
)

st.title(i18n.t("methodology.title", lang))
st.markdown(i18n.t("methodology.body", lang, threshold=i18n.digits(threshold, lang)))

services_title = i18n.t("methodology.services", lang)
st.subheader(services_title)
services = reads.service_catalogue()
st.dataframe(
    formatting.catalogue_display(services, lang),
    hide_index=True,
    key="methodology_services",
    placeholder="–",
)
downloads.table_buttons(
    services, services_title, ctx, "service_catalogue", "methodology_services_download"
)

occupations_title = i18n.t("methodology.occupations", lang)
st.subheader(occupations_title)
occupations = reads.informal_occupations()
st.dataframe(
    formatting.catalogue_display(occupations, lang),
    hide_index=True,
    key="methodology_occupations",
    placeholder="–",
)
downloads.table_buttons(
    occupations, occupations_title, ctx, "informal_occupations",
    "methodology_occupations_download",
)  # fmt: skip

st.subheader(i18n.t("methodology.store", lang))
st.markdown(
    i18n.t(
        "methodology.store_text", lang,
        as_of=formatting.cell(summary["data_as_of"], "long_date", False, "", lang),
        built=formatting.moment(summary["built_at"], lang),
        persons=formatting.cell(
            summary["person_count"], "count", summary["person_count_suppressed"],
            formatting.marker(threshold, lang), lang,
        ),
        registrations=i18n.number(summary["registration_count"], lang),
        uptake=i18n.number(summary["uptake_count"], lang),
    )
)  # fmt: skip
st.caption(sources)
