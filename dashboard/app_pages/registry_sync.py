import streamlit as st

import i18n
from appdb import app_settings
from charts import sync_charts
from data_access import reads, registries
from exports import outreach
from indicators import formatting, overlap
from ingest import compatibility
from ui import auth, downloads, filters, review_queue

lang = st.session_state.get("lang", "en")
threshold = app_settings.min_count()
marker = formatting.marker(threshold, lang)
cut = st.session_state["coverage_filter"]
registry_names = filters.labels(lang)["source"]  # names in the UI language, by code
on_month = reads.CoverageFilter(cut.as_of)  # the overlap's only filter: the as-of month
ctx = downloads.context(on_month, reads.coverage_by_province(cut), lang)
listing = downloads.unfiltered(ctx)  # the tables below are of the whole store
month = f"{cut.as_of:%Y-%m}"

st.title(i18n.t("sync.title", lang))
st.caption(i18n.t("sync.intro", lang))

st.subheader(i18n.t("sync.overlap", lang))
intersections, sizes = registries.registry_overlap(cut)
if intersections.empty:
    st.info(i18n.t("sync.no_registrations", lang))
else:
    title = filters.titled(i18n.t("sync.overlap_title", lang), on_month, lang)
    figure = sync_charts.upset(intersections, sizes, title, marker, lang)
    st.plotly_chart(figure, key="registry_sync_upset", width="stretch")
    downloads.figure_buttons(
        figure, ctx, f"registry_sync_overlap_{month}_{lang}", "registry_sync_upset_download"
    )
    st.caption(i18n.t("sync.overlap_note", lang, marker=marker))

detail = auth.can("sync_detail")  # per-source quality, history, agency exports
quality = registries.source_quality_by_province()
sources = sorted(quality["source"].unique())

st.subheader(i18n.t("sync.compatibility", lang))
downloads.shown_table(
    overlap.compatibility_display(
        compatibility.matrix(registries.source_quality_totals(), lang), lang, registry_names
    ),
    i18n.t("sync.compatibility", lang), listing, f"registry_sync_compatibility_{month}",
    "registry_sync_compatibility",
)  # fmt: skip
st.caption(i18n.t("sync.compatibility_note", lang))

if not detail:
    st.caption(i18n.t("sync.detail_role", lang))
    st.stop()

st.subheader(i18n.t("sync.quality", lang))
st.markdown(f"**{i18n.t('sync.timeliness', lang)}**")
status = overlap.status_display(registries.source_import_status(), lang, registry_names)
downloads.shown_table(
    status, i18n.t("sync.timeliness", lang), listing, f"registry_sync_timeliness_{month}",
    "registry_sync_status",
)  # fmt: skip
if sources:
    source = st.selectbox(  # registries by their codes, as their files and mappings name them
        i18n.t("sync.quality_source", lang), sources, key="registry_sync_source",
        placeholder=filters.choose(lang),
    )  # fmt: skip
    downloads.shown_table(
        overlap.quality_display(quality, source, threshold, lang, filters.places(lang)),
        i18n.t("sync.quality", lang),
        downloads.unfiltered(ctx, [(i18n.t("sync.quality_source", lang), source)]),
        f"registry_sync_quality_{source}_{month}", "registry_sync_quality",
    )  # fmt: skip
    st.caption(i18n.t("sync.quality_note", lang, marker=marker))

st.subheader(i18n.t("sync.history", lang))
history = overlap.history_display(registries.import_history(), lang, registry_names)
downloads.shown_table(
    history, i18n.t("sync.history", lang), listing, f"registry_sync_import_history_{month}",
    "registry_sync_history",
)  # fmt: skip

user = auth.current_user()
review_queue.render(user, listing, f"registry_sync_review_queue_{month}")

st.subheader(i18n.t("sync.back", lang))
st.caption(i18n.t("sync.back_note", lang))
scope, provinces = user.agency, tuple(user.provinces)
agencies = [s for s in registry_names.index if outreach.allowed(user.role, scope, s, provinces)]
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
