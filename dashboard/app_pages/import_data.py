import streamlit as st

import i18n
from data_access import reads
from indicators import formatting
from ingest import validation
from ui import auth, filters, import_panels, mapping_wizard

lang = st.session_state.get("lang", "en")
user = auth.require("data_manager")  # refuses when reached by URL without the role
NEW = "__new__"

st.title(i18n.t("import.title", lang))
st.caption(i18n.t("import.intro", lang))
if user.agency:  # imports, mappings and rollbacks of that agency only (each action checks)
    st.info(i18n.t("import.scope_note", lang, agency=formatting.plain(user.agency)))

upload = st.file_uploader(
    i18n.t("import.file", lang), type=["csv", "xlsx", "parquet"], key="import_data_file"
)
kind = st.selectbox(
    i18n.t("import.kind", lang), validation.KINDS, key=filters.relabelled("import_data_kind"),
    format_func=lambda k: i18n.t(f"import.kind_{k}", lang), placeholder=filters.choose(lang),
)  # fmt: skip
import_panels.template_buttons(kind, lang)
source, mapping_text, extract_date = None, None, None
if kind in import_panels.ROW_KINDS:
    known = reads.source_registries()["source"].tolist()
    options = [*known, NEW]
    source = st.selectbox(  # registries by their codes, as their files and mappings name them
        i18n.t("import.source", lang), options, key=filters.relabelled("import_data_source"),
        placeholder=filters.choose(lang),
        index=options.index(user.agency) if user.agency in known else 0,
        format_func=lambda s: i18n.t("import.new_source", lang) if s == NEW else s,
    )  # fmt: skip
    if source == NEW:
        source = st.text_input(i18n.t("import.new_source_code", lang), key="import_data_new_source")
    extract_date = import_panels.extract_date_input(lang)
    if source:
        mapping_wizard.wizard(upload, kind, source, user, lang, extract_date)
        mapping_text = import_panels.mapping_editor(source, user, lang)
append = import_panels.mode_choice(kind, lang)  # None until the user says which
dry_run = st.checkbox(i18n.t("import.dry_run", lang), key="import_data_dry_run")
allow_end = import_panels.end_confirmation(upload, lang)
st.caption(i18n.t("import.samples", lang))

outcome = import_panels.run_button(
    upload, kind=kind, source=source, append=append, dry_run=dry_run, mapping_text=mapping_text,
    user=user, lang=lang, allow_end=allow_end, extract_date=extract_date,
)  # fmt: skip
if outcome is not None:
    import_panels.outcome_report(outcome, lang)

import_panels.rollback_panel(user, lang)
