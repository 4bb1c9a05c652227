import streamlit as st

import i18n
from data_access import reads
from ingest import batches, importer, mappings, validation
from linkage import pseudonym
from ui import auth

lang = st.session_state.get("lang", "en")
user = auth.require("data_manager")  # refuses when reached by URL without the role
NEW = "__new__"

st.title(i18n.t("import.title", lang))
st.caption(i18n.t("import.intro", lang))

upload = st.file_uploader(
    i18n.t("import.file", lang), type=["csv", "xlsx", "parquet"], key="import_data_file"
)
kind = st.selectbox(
    i18n.t("import.kind", lang), validation.KINDS, key="import_data_kind",
    format_func=lambda k: i18n.t(f"import.kind_{k}", lang),
)  # fmt: skip
source, mapping_text = None, None
if kind in ("registrations", "uptake"):
    known = reads.source_registries()["source"].tolist()
    source = st.selectbox(
        i18n.t("import.source", lang), [*known, NEW], key="import_data_source",
        format_func=lambda s: i18n.t("import.new_source", lang) if s == NEW else s,
    )  # fmt: skip
    if source == NEW:
        source = st.text_input(i18n.t("import.new_source_code", lang), key="import_data_new_source")
    if source:
        with st.expander(i18n.t("import.mapping", lang)):
            mapping_text = st.text_area(
                i18n.t("import.mapping", lang), value=mappings.text_in_force(source), height=240,
                key=f"import_data_mapping_{source}", help=i18n.t("import.mapping_help", lang),
            )  # fmt: skip
            if st.button(i18n.t("import.save_mapping", lang), key="import_data_save_mapping"):
                mappings.save(source, mapping_text, user.name)
                st.success(i18n.t("import.mapping_saved", lang, source=source))
append = st.checkbox(i18n.t("import.append", lang), key="import_data_append")
dry_run = st.checkbox(i18n.t("import.dry_run", lang), key="import_data_dry_run")
st.caption(i18n.t("import.samples", lang))

outcome = None
if st.button(i18n.t("import.run", lang), key="import_data_run", type="primary"):
    if upload is None:
        st.warning(i18n.t("import.choose_file", lang))
    else:
        bar = st.progress(0.0, text=i18n.t("import.progress", lang))
        request = importer.Request(
            data=upload.getvalue(), file_name=upload.name, kind=kind, source=source or None,
            append=append, dry_run=dry_run, mapping_text=mapping_text,
        )  # fmt: skip
        request.user = user.name
        try:
            outcome = importer.run(
                request,
                progress=lambda share, stage: bar.progress(
                    share, text=i18n.t(f"import.stage_{stage}", lang)
                ),
            )
            bar.progress(1.0, text=i18n.t("import.stage_done", lang))
        except (pseudonym.KeyMissing, ValueError) as exc:
            st.error(str(exc))

if outcome is not None:
    report = outcome.report
    rows = outcome.stats.get("rows_loaded", report.rows_read)
    if outcome.result == "duplicate":
        st.info(i18n.t("import.duplicate", lang))
    elif outcome.result == "rejected":
        st.error(i18n.t("import.rejected", lang, count=len(report.problems)))
        st.markdown(f"**{i18n.t('import.reasons', lang)}**")
        st.dataframe(report.counts(), key="import_data_reasons")
        st.markdown(f"**{i18n.t('import.problems', lang)}**")
        st.dataframe(report.frame(), key="import_data_problems", hide_index=True)
    elif outcome.dry_run:
        st.success(i18n.t("import.would_accept", lang, rows=f"{rows:,}"))
    else:
        st.success(i18n.t("import.accepted", lang, batch=outcome.batch_id, rows=f"{rows:,}"))
    if outcome.stats.get("link_methods"):
        st.markdown(f"**{i18n.t('import.link_methods', lang)}**")
        st.dataframe(outcome.stats["link_methods"], key="import_data_links")

st.subheader(i18n.t("import.rollback", lang))
st.caption(i18n.t("import.rollback_note", lang))
candidates = reads.rollback_candidates()
if candidates.empty:
    st.info(i18n.t("import.rollback_none", lang))
else:
    labels = {
        row.batch_id: f"{row.batch_id} · {row.source} · {row.kind} · {row.file_name}"
        for row in candidates.itertuples()
    }
    chosen = st.selectbox(
        i18n.t("import.rollback_batch", lang), list(labels), key="import_data_rollback_batch",
        format_func=labels.get,
    )  # fmt: skip
    if st.button(i18n.t("import.rollback_run", lang), key="import_data_rollback"):
        try:
            st.success(batches.rollback(int(chosen)))
        except ValueError as exc:
            st.error(str(exc))
