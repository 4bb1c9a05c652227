import streamlit as st

import i18n
from appdb import app_settings
from charts import sync_charts
from data_access import reads
from exports import outreach
from indicators import formatting, overlap
from ingest import compatibility
from ui import auth, filters, review_queue

lang = st.session_state.get("lang", "en")
threshold = app_settings.min_count()
marker = formatting.marker(threshold, lang)
cut = st.session_state["coverage_filter"]
registries = filters.labels(lang)["source"]  # names in the UI language, by code

st.title(i18n.t("sync.title", lang))
st.caption(i18n.t("sync.intro", lang))

st.subheader(i18n.t("sync.overlap", lang))
intersections, sizes = reads.registry_overlap(cut)
if intersections.empty:
    st.info(i18n.t("sync.no_registrations", lang))
else:
    title = i18n.t("sync.overlap_title", lang)
    figure = sync_charts.upset(intersections, sizes, title, marker, lang)
    st.plotly_chart(figure, key="registry_sync_upset", width="stretch")
    st.caption(i18n.t("sync.overlap_note", lang, marker=marker))

detail = auth.can("sync_detail")  # per-source quality, history, agency exports
quality = reads.source_quality_by_province()
sources = sorted(quality["source"].unique())

st.subheader(i18n.t("sync.compatibility", lang))
st.dataframe(
    overlap.compatibility_display(
        compatibility.matrix(reads.source_quality_totals(), lang), lang, registries
    ),
    key="registry_sync_compatibility",
    hide_index=True,
    placeholder="–",
)
st.caption(i18n.t("sync.compatibility_note", lang))

if not detail:
    st.caption(i18n.t("sync.detail_role", lang))
    st.stop()

st.subheader(i18n.t("sync.quality", lang))
st.markdown(f"**{i18n.t('sync.timeliness', lang)}**")
status = overlap.status_display(reads.source_import_status(), lang, registries)
st.dataframe(status, key="registry_sync_status", hide_index=True, placeholder="–")
if sources:
    source = st.selectbox(  # registries by their codes, as their files and mappings name them
        i18n.t("sync.quality_source", lang), sources, key="registry_sync_source",
        placeholder=filters.choose(lang),
    )  # fmt: skip
    st.dataframe(
        overlap.quality_display(quality, source, threshold, lang, filters.places(lang)),
        key="registry_sync_quality",
        hide_index=True,
        placeholder="–",
    )
    st.caption(i18n.t("sync.quality_note", lang, marker=marker))

st.subheader(i18n.t("sync.history", lang))
history = overlap.history_display(reads.import_history(), lang, registries)
st.dataframe(history, key="registry_sync_history", hide_index=True, placeholder="–")

user = auth.current_user()
review_queue.render(user, lang)

st.subheader(i18n.t("sync.back", lang))
st.caption(i18n.t("sync.back_note", lang))
scope, provinces = user.agency, tuple(user.provinces)
agencies = [s for s in registries.index if outreach.allowed(user.role, scope, s, provinces)]
if agencies:
    agency = st.selectbox(
        i18n.t("sync.back_source", lang), agencies, key="registry_sync_agency",
        placeholder=filters.choose(lang),
    )  # fmt: skip
    if st.button(i18n.t("sync.back_prepare", lang), key="registry_sync_prepare"):
        try:
            made = outreach.produce(agency, cut.as_of, user=user.name, role=user.role,
                                    user_agency=scope, provinces=provinces)  # fmt: skip
        except outreach.Refused:
            st.error(i18n.t("sync.back_refused", lang, source=formatting.plain(agency)))
        else:
            st.success(
                i18n.t(
                    "sync.back_written", lang, source=formatting.plain(agency),
                    path=formatting.plain(made.path),
                    records=i18n.number(made.records, lang),
                    month=i18n.month_year(made.month_end, lang),
                )
            )  # fmt: skip
    st.caption(i18n.t("sync.back_collect", lang))
else:
    st.caption(i18n.t("sync.back_none", lang))
