"""Overlap between registries and data quality per source, published by the cell-key method.

Every count (each intersection of registries, each registry's size, each quality count) is
perturbed on its own (indicators/disclosure.py), with the key sum of exactly the persons or
records it counts: a registry's size is perturbed as a cell of its own, not summed from
published intersections, so subtracting intersections from it recovers noise. Quality
shares are computed from published counts and hidden where either count is suppressed.
"""

import json
import re

import pandas as pd

import i18n
from indicators import disclosure, formatting

QUALITY_FIELDS = ("id", "name", "birth_date", "sex", "commune", "occupation")


def publish_overlap(frame: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Intersections and registry sizes, published.

    Args:
        frame: registry_overlap rows (source_mask, sources, source_count, person_count,
            person_ksum).
        threshold: the suppression threshold.

    Returns:
        (intersections with `person_count` missing where suppressed and a `suppressed`
        flag, registry sizes: source, person_count, suppressed).
    """
    members = frame["sources"].map(list)
    sources = sorted({s for names in members for s in names})
    sizes = pd.DataFrame({"source": sources})
    for column in ("person_count", "person_ksum"):
        sizes[column] = [int(frame.loc[members.map(lambda m, s=s: s in m), column].sum())
                         for s in sources]  # fmt: skip
    out = disclosure.publish(frame, ["person_count"], threshold)
    sizes = disclosure.publish(sizes, ["person_count"], threshold)
    for table in (out, sizes):
        table["suppressed"] = table.pop("person_count_suppressed")
    return out, sizes


def publish_quality(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Quality rows (per province, or per source from source_totals) with every count published."""
    counts = [c for c in frame.columns if c.endswith("_count")]
    return disclosure.publish(frame, counts, threshold)


def quality_table(published: pd.DataFrame) -> pd.DataFrame:
    """Per source and province: record count and shares complete, unlinked, duplicated.

    Args:
        published: publish_quality rows; shares are of published counts, missing where
            either count is suppressed.
    """
    out = published[["source", "province_code", "province_name_en", "record_count"]].copy()
    records = published["record_count"]
    for field in QUALITY_FIELDS:
        out[f"with_{field}_share"] = disclosure.ratio(published[f"with_{field}_count"], records)
    out["unlinked_share"] = disclosure.ratio(published["unlinked_count"], records)
    out["duplicate_share"] = disclosure.ratio(published["duplicate_count"], records)
    return out


def source_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The province rows (true counts and key sums) summed per source, to publish as cells."""
    counts = [c for c in frame.columns if c.endswith(("_count", "_ksum"))]
    return frame.groupby("source", as_index=False)[counts].sum()


DISPLAY = {
    "province_name": "sync.col_province", "record_count": "sync.col_records",
    "with_id_share": "sync.col_with_id", "with_name_share": "sync.col_with_name",
    "with_birth_date_share": "sync.col_with_birth_date", "with_sex_share": "sync.col_with_sex",
    "with_commune_share": "sync.col_with_commune",
    "with_occupation_share": "sync.col_with_occupation",
    "unlinked_share": "sync.col_unlinked", "duplicate_share": "sync.col_duplicates",
}  # fmt: skip


def quality_display(
    published: pd.DataFrame, source: str, threshold: int, lang: str, places=None
) -> pd.DataFrame:
    """One source's quality table (publish_quality rows) as text: shares in %, markers.

    Args:
        published: publish_quality rows.
        source: the source shown.
        threshold: the disclosure threshold (its marker).
        lang: the language.
        places: province names in `lang` by code (default: the English names).
    """
    table = formatting.named(quality_table(published[published["source"] == source]), places or {})
    marker = formatting.marker(threshold, lang)
    out = pd.DataFrame(index=table.index)
    for column, key in DISPLAY.items():
        values = table[column]
        if column == "province_name":
            text = values
        elif column == "record_count":
            text = values.map(lambda v: marker if pd.isna(v) else i18n.number(v, lang))
        else:
            text = values.map(lambda v: marker if pd.isna(v) else i18n.percent(v, lang, 0))
        out[i18n.t(key, lang)] = text
    return out.reset_index(drop=True)


STATUS_LABELS = {
    "source": "sync.col_source", "name_en": "sync.col_name",
    "last_accepted_at": "sync.col_last_accepted", "days_since_import": "sync.col_days_since",
    "last_result": "sync.col_last_result", "last_file_name": "sync.col_last_file",
    "last_valid_row_share": "sync.col_valid_rows",
}  # fmt: skip
HISTORY_LABELS = {
    "batch_id": "sync.col_batch", "imported_at": "sync.col_imported_at",
    "file_name": "sync.col_file", "kind": "sync.col_kind", "source": "sync.col_source",
    "rows_read": "sync.col_rows_read", "rows_loaded": "sync.col_rows_loaded",
    "result": "sync.col_result", "user_name": "sync.col_user",
    "key_fingerprint": "sync.col_key", "note": "sync.col_note",
}  # fmt: skip


def labelled(frame: pd.DataFrame, labels: dict[str, str], lang: str) -> pd.DataFrame:
    """The frame with its columns renamed to their labels in the display language."""
    return frame.rename(columns={c: i18n.t(k, lang) for c, k in labels.items()})


def _registry(names, code) -> str:
    """A registry's name (`names` by code), its code where it has none, '' for none."""
    return "" if not isinstance(code, str) else str(names.get(code, code))


def status_display(status: pd.DataFrame, lang: str, names) -> pd.DataFrame:
    """The timeliness table (source_import_status rows) in words of `lang`, labelled.

    Args:
        status: source_import_status rows.
        lang: the language.
        names: registry names in `lang` by source code.
    """
    shown = pd.DataFrame(
        {
            "source": status["source"],
            "name_en": [_registry(names, s) for s in status["source"]],
            "last_accepted_at": [formatting.moment(v, lang) for v in status["last_accepted_at"]],
            "days_since_import": [
                formatting.cell(v, "count", False, "", lang) for v in status["days_since_import"]
            ],
            "last_result": [_result(v, lang) for v in status["last_result"]],
            "last_file_name": status["last_file_name"].fillna(""),
            "last_valid_row_share": [
                formatting.cell(v, "rate", False, "", lang) for v in status["last_valid_row_share"]
            ],
        }
    )
    return labelled(shown, STATUS_LABELS, lang)


def _result(value, lang: str) -> str:
    """An import's result in words (accepted, rejected, duplicate, rolled back, demo)."""
    return formatting.word("sync.result", str(value).replace(" ", "_"), lang) if value else ""


def history_display(history: pd.DataFrame, lang: str, names) -> pd.DataFrame:
    """The import history (import_history rows) in words of `lang`, labelled.

    Args:
        history: import_history rows.
        lang: the language.
        names: registry names in `lang` by source code.
    """

    def count(values):
        return [formatting.cell(v, "count", False, "", lang) for v in values]

    shown = pd.DataFrame(
        {
            "batch_id": [i18n.digits(b, lang) for b in history["batch_id"]],
            "imported_at": [formatting.moment(v, lang) for v in history["imported_at"]],
            "file_name": history["file_name"].fillna(""),
            "kind": [formatting.word("import.kind_", k, lang) for k in history["kind"]],
            "source": [_registry(names, s) for s in history["source"]],
            "rows_read": count(history["rows_read"]),
            "rows_loaded": count(history["rows_loaded"]),
            "result": [_result(r, lang) for r in history["result"]],
            "user_name": history["user_name"].fillna(""),
            "key_fingerprint": history["key_fingerprint"].fillna(""),
            "note": [note_text(n, lang) for n in history["note"]],
        }
    )
    return labelled(shown, HISTORY_LABELS, lang)


def note_text(note: object, lang: str) -> str:
    """An import's stored note (JSON: problems, links, plan) in words of `lang`."""
    try:
        values = json.loads(note) if isinstance(note, str) and note else {}
    except ValueError:
        return str(note)
    if not isinstance(values, dict):
        return str(values)
    parts = []
    if problems := values.get("problems"):
        total = sum(v for v in problems.values() if isinstance(v, int)) or len(problems)
        parts.append(i18n.t("sync.note.problems", lang, count=i18n.number(total, lang)))
    if methods := values.get("link_methods"):
        linked = [
            f"{formatting.word('link.method', m, lang)} {i18n.number(n, lang)}"
            for m, n in methods.items()
        ]
        parts.append(i18n.t("sync.note.linked", lang, methods=", ".join(linked)))
    if plan := values.get("plan"):
        parts.append(
            i18n.t("import.plan", lang, **{k: i18n.number(v, lang) for k, v in plan.items()})
        )
    if isinstance(values.get("note"), str):
        parts.append(_digits_outside_quotes(values["note"], lang))
    return i18n.t("format.list_separator", lang).join(parts)


def _digits_outside_quotes(text: str, lang: str) -> str:
    """The text with its digits in `lang`'s, except inside «…» (an agency's own names)."""
    return re.sub(
        r"«[^»]*»|\d+", lambda m: m[0] if m[0][0] == "«" else i18n.digits(m[0], lang), text
    )


def compatibility_display(matrix: pd.DataFrame, lang: str, names) -> pd.DataFrame:
    """The compatibility matrix (ingest.compatibility.matrix) labelled in `lang`.

    Args:
        matrix: one row per source, one column per canonical registration field.
        lang: the language.
        names: registry names in `lang` by source code.
    """
    shown = matrix.copy()
    shown["source"] = [_registry(names, s) for s in shown["source"]]
    for column in shown.columns[1:]:
        shown[column] = [_digits_outside_quotes(str(v), lang) for v in shown[column]]
    labels = {c: f"field.{c}" for c in shown.columns[1:]} | {"source": "sync.col_name"}
    return labelled(shown, labels, lang)
