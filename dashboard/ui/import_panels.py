"""The import page's panels: templates, the mapping editor, the run, its outcome, rollback.

A data manager limited to one agency saves mappings, imports and rolls back for that
agency alone: each action checks `auth.agency_allowed` first, which audits a refusal.
"""

import datetime as dt

import pandas as pd
import streamlit as st

import i18n
from appdb import app_settings
from data_access import registries
from exports import rendering
from indicators import formatting
from ingest import batches, importer, mappings, templates
from linkage import pseudonym
from ui import auth, downloads, filters

ROW_KINDS = ("registrations", "uptake")  # files of one source; the others are for every agency
# (file name, records) of the last full extract refused for ending more than the share allowed
PENDING_END = "import_data_pending_end"
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def template_buttons(kind: str, lang: str) -> None:
    """Download buttons for the kind's templates (CSV, XLSX with notes) and table schema."""
    st.caption(i18n.t("import.templates_note", lang))
    builds = list(templates.builders(kind).items())  # CSV, XLSX, schema: made on click
    formats = [("csv", "text/csv"), ("xlsx", downloads.XLSX), ("schema", "application/json")]
    with st.container(horizontal=True, vertical_alignment="center", key="import_data_templates"):
        st.caption(i18n.t("import.templates", lang))
        for (name, mime), (file_name, build) in zip(formats, builds, strict=True):
            downloads.button(
                i18n.t(f"import.template_{name}", lang), build, file_name=file_name, mime=mime,
                key=f"import_data_template_{name}", detail={"template": kind},
            )  # fmt: skip


def extract_date_input(lang: str) -> dt.date | None:
    """The file's extract date, optional (a mapping's "$extract_date" constants take it)."""
    return st.date_input(
        i18n.t("import.extract_date", lang), value=None, key="import_data_extract_date",
        help=i18n.t("import.extract_date_help", lang), max_value=dt.date.today(),
    )  # fmt: skip


def mapping_editor(source: str, user: auth.User, lang: str) -> str | None:
    """An expander with the source's column mapping in force, editable and savable.

    Args:
        source: the source registry's code.
        user: who saves the mapping (named in its history; their agency limit applies).
        lang: the UI language.

    Returns:
        The mapping text as shown (the import uses it, saved or not); None when the source
        is not a valid code (said in words).
    """
    try:
        in_force = mappings.text_in_force(source)
    except ValueError as exc:  # a new source's code typed wrongly
        st.error(formatting.plain(exc))
        return None
    with st.expander(i18n.t("import.mapping", lang)):
        mapping_text = st.text_area(
            i18n.t("import.mapping", lang), value=in_force, height=240,
            key=f"import_data_mapping_{source}", help=i18n.t("import.mapping_help", lang),
        )  # fmt: skip
        saved = st.button(i18n.t("import.save_mapping", lang), key="import_data_save_mapping")
        if saved and auth.agency_allowed(user, source, "mapping_save"):
            mappings.save(source, mapping_text, user.name)
            st.success(i18n.t("import.mapping_saved", lang, source=formatting.plain(source)))
    return mapping_text


def mode_choice(kind: str, lang: str) -> bool | None:
    """Full extract or additions and changes, said by the user (no default); None if unsaid.

    Files of other kinds have no such choice (False).
    """
    if kind not in ("registrations", "uptake"):
        return False
    choice = st.radio(
        i18n.t("import.mode", lang), ["full", "additions"], index=None,
        key=filters.relabelled("import_data_mode"),
        format_func=lambda m: i18n.t(f"import.mode_{m}", lang),
    )  # fmt: skip
    return None if choice is None else choice == "additions"


def end_confirmation(upload, lang: str) -> int | None:
    """After a full extract was refused for ending many records: the number typed to confirm.

    Returns the number when the user typed exactly what the refused import would end (for
    the same file), else None.
    """
    pending = st.session_state.get(PENDING_END)
    if not pending or upload is None or pending[0] != upload.name:
        return None
    name, ended = pending
    label = i18n.t("import.confirm_end", lang, records=i18n.number(ended, lang),
                   file=formatting.plain(name))  # fmt: skip
    typed = st.text_input(label, key="import_data_allow_end")
    return ended if typed.strip().translate(KHMER_DIGITS) == str(ended) else None


def run_button(
    upload,
    *,
    kind: str,
    source: str | None,
    append: bool | None,
    dry_run: bool,
    mapping_text: str | None,
    user: auth.User,
    lang: str,
    allow_end: int | None = None,
    extract_date: dt.date | None = None,
) -> importer.Outcome | None:
    """The run button: import the uploaded file with a progress bar; errors in words.

    Args:
        upload: the uploaded file, or None (the button then asks for one).
        kind: what the file holds (validation.KINDS).
        source: the source registry's code (empty or None: the file has none).
        append: whether the rows add to the source's earlier ones (None: not said yet).
        dry_run: whether to check the file without loading it.
        mapping_text: the column mapping shown in the editor, if any.
        user: who runs the import (their agency limit applies).
        lang: the UI language.
        allow_end: how many records the user confirmed a full extract may end.
        extract_date: the day the file was extracted, if given.

    Returns:
        What the import did, or None when it did not run or failed.
    """
    if not st.button(i18n.t("import.run", lang), key="import_data_run", type="primary"):
        return None
    if not auth.agency_allowed(user, source if kind in ROW_KINDS else None, "import"):
        return None
    if upload is None:
        st.warning(i18n.t("import.choose_file", lang))
        return None
    if append is None:
        st.warning(i18n.t("import.choose_mode", lang))
        return None
    bar = st.progress(0.0, text=i18n.t("import.progress", lang))
    request = importer.Request(
        data=upload.getvalue(), file_name=upload.name, kind=kind, source=source or None,
        append=append, dry_run=dry_run, mapping_text=mapping_text, allow_end=allow_end,
        extract_date=extract_date,
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
    except (pseudonym.KeyMissing, ValueError) as exc:  # may quote the file: plain text
        st.error(formatting.plain(exc))
        return None
    ending = outcome.stats.get("confirm_end")
    st.session_state[PENDING_END] = (upload.name, ending) if ending else None
    return outcome


def _counted(counts: dict, key: str, lang: str) -> pd.DataFrame:
    """A {name: count} dict as a table with worded headers (`key`: what the names are)."""
    return pd.DataFrame(
        {i18n.t(f"import.col_{key}", lang): list(counts),
         i18n.t("import.col_count", lang): [i18n.number(n, lang) for n in counts.values()]}
    )  # fmt: skip


def _worded(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report's problems or notices (file, row, column, value, reason) with worded headers."""
    return problems.rename(columns=lambda c: i18n.t(f"import.col_{c}", lang))


def _report_context(outcome: importer.Outcome, lang: str) -> rendering.ExportContext:
    """What a validation report's export says about itself: the file and its kind."""
    report = outcome.report
    said = ((i18n.t("import.file", lang), report.file_name),
            (i18n.t("import.kind", lang), i18n.t(f"import.kind_{report.kind}", lang)))  # fmt: skip
    return rendering.ExportContext(
        lang=lang, filters=said, sources=report.file_name, is_demo=False,
        threshold=app_settings.min_count(),
    )  # fmt: skip


def outcome_report(outcome: importer.Outcome, lang: str) -> None:
    """An import's outcome in words: duplicate, rejected (with its problems) or accepted.

    Its tables (the validation report) download as CSV and XLSX.

    Args:
        outcome: what the import did.
        lang: the UI language.
    """
    report = outcome.report
    rows = outcome.stats.get("rows_loaded", report.rows_read)
    ctx = _report_context(outcome, lang)
    stem = f"import_{{}}_{dt.date.today():%Y-%m-%d}"

    def table(frame, heading: str, what: str) -> None:
        st.markdown(f"**{i18n.t(heading, lang)}**")
        downloads.shown_table(
            frame, i18n.t(heading, lang), ctx, stem.format(what), f"import_data_{what}"
        )

    if outcome.result == "duplicate":
        st.info(i18n.t("import.duplicate", lang))
    elif outcome.result == "rejected":
        st.error(i18n.t("import.rejected", lang, count=len(report.problems)))
        table(_counted(report.counts(), "reason", lang), "import.reasons", "reasons")
        table(_worded(report.frame(), lang), "import.problems", "problems")
    elif outcome.dry_run:
        st.success(i18n.t("import.would_accept", lang, rows=i18n.number(rows, lang)))
    else:
        batch = i18n.digits(outcome.batch_id, lang)
        st.success(i18n.t("import.accepted", lang, batch=batch, rows=i18n.number(rows, lang)))
    if report.notices:  # codes a mapping set to its default: said, not refused
        table(_worded(report.notices_frame(), lang), "import.wizard_preview_notes", "notices")
    if plan := outcome.stats.get("plan"):
        counts = {k: i18n.number(v, lang) for k, v in plan.items()}
        st.info(i18n.t("import.plan", lang, **counts))
    if outcome.stats.get("confirm_end"):
        st.warning(i18n.t("import.confirm_end_note", lang))
    if outcome.stats.get("note") == importer.NO_KEY_DRY_RUN:
        st.caption(i18n.t("import.no_key_dry_run", lang))
    if methods := outcome.stats.get("link_methods"):
        said = {formatting.word("link.method", m, lang): n for m, n in methods.items()}
        table(_counted(said, "method", lang), "import.link_methods", "links")


def rollback_panel(user: auth.User, lang: str) -> None:
    """Choose one of the batches that can still be rolled back, and roll it back.

    Args:
        user: who rolls back (their agency limit applies).
        lang: the UI language.
    """
    st.subheader(i18n.t("import.rollback", lang))
    st.caption(i18n.t("import.rollback_note", lang))
    candidates = registries.rollback_candidates()
    if candidates.empty:
        st.info(i18n.t("import.rollback_none", lang))
        return
    labels = {
        row.batch_id: " · ".join([i18n.digits(row.batch_id, lang), row.source,
                                  formatting.word("import.kind_", row.kind, lang), row.file_name])
        for row in candidates.itertuples()
    }  # fmt: skip
    chosen = st.selectbox(
        i18n.t("import.rollback_batch", lang), list(labels), format_func=labels.get,
        key=filters.relabelled("import_data_rollback_batch"), placeholder=filters.choose(lang),
    )  # fmt: skip
    sources = dict(zip(candidates["batch_id"], candidates["source"], strict=True))
    batch = _batch_words(int(chosen), lang)
    effect = i18n.t("import.rollback_effect", lang, **batch)
    confirmed = st.checkbox(
        i18n.t("import.rollback_confirm", lang, effect=effect), key="import_data_rollback_confirm"
    )
    clicked = st.button(i18n.t("import.rollback_run", lang), key="import_data_rollback")
    if clicked and auth.agency_allowed(user, sources[chosen], "rollback"):
        if not confirmed:
            st.warning(i18n.t("import.rollback_unconfirmed", lang))
            return
        try:
            batches.rollback(int(chosen), user=user.name)
        except ValueError as exc:  # said by the store in English: quoted as it is
            st.error(formatting.plain(exc))
        else:
            st.success(i18n.t("import.rolled_back", lang, **batch))


def _batch_words(batch_id: int, lang: str) -> dict[str, str]:
    """A batch's number, kind, source, file and counts as a sentence's values in `lang`."""
    effects = registries.rollback_effects().set_index("batch_id")
    found = effects.loc[batch_id].to_dict() if batch_id in effects.index else {}
    return {
        "batch": i18n.digits(batch_id, lang),
        "kind": formatting.word("import.kind_", found.get("kind"), lang),
        "source": formatting.plain(found.get("source") or ""),
        "file": formatting.plain(found.get("file_name") or ""),
        "rows": i18n.number(found.get("rows_loaded") or 0, lang),
        "reopened": i18n.number(found.get("reopened_count") or 0, lang),
    }
