"""Overlap between registries and data quality per source, made safe to show.

Intersections of the registries (persons in exactly one combination of sources) add up
to each registry's size and to the total of persons, so a hidden small intersection
could be recovered by subtraction: the same complementary suppression as the coverage
table applies (indicators/suppression.py). Quality shares are hidden where the records they count,
or the records they leave out, are a small count.
"""

import pandas as pd

import i18n
from indicators import formatting, suppression

TOTAL = "all"
QUALITY_FIELDS = ("id", "name", "birth_date", "sex", "commune", "occupation")


def suppress_overlap(frame: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Intersections and registry sizes with small counts (and their complements) hidden.

    Args:
        frame: registry_overlap rows (source_mask, sources, source_count, person_count).
        threshold: the suppression threshold.

    Returns:
        (intersections with `person_count` missing where hidden and a `suppressed` flag,
        registry sizes: source, person_count, suppressed).
    """
    masks = frame["source_mask"].tolist()
    members = dict(zip(masks, frame["sources"].map(list), strict=True))
    sources = sorted({s for names in members.values() for s in names})
    values = {(m, "n"): int(c) for m, c in zip(masks, frame["person_count"], strict=True)}
    for source in sources:
        values[(source, "n")] = sum(values[(m, "n")] for m in masks if source in members[m])
    values[(TOTAL, "n")] = sum(values[(m, "n")] for m in masks)
    relations = [((s, "n"), [(m, "n") for m in masks if s in members[m]]) for s in sources]
    relations.append(((TOTAL, "n"), [(m, "n") for m in masks]))
    hidden = suppression.suppress(values, relations, threshold)
    out = frame.copy()
    out["suppressed"] = [(m, "n") in hidden for m in masks]
    out["person_count"] = out["person_count"].astype("Int64").mask(out["suppressed"])
    sizes = pd.DataFrame({"source": sources})
    sizes["suppressed"] = [(s, "n") in hidden for s in sources]
    sizes["person_count"] = pd.Series([values[(s, "n")] for s in sources], dtype="Int64").mask(
        sizes["suppressed"]
    )
    return out, sizes


def _safe_share(part: pd.Series, whole: pd.Series, threshold: int) -> pd.Series:
    """Share part / whole, hidden where the part or the rest is a count from 1 to threshold - 1."""
    rest = whole - part
    small = part.between(1, threshold - 1) | rest.between(1, threshold - 1)
    return (part / whole.where(whole > 0)).mask(small | whole.between(1, threshold - 1))


def quality_table(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Per source and province: record count and shares complete, unlinked, duplicated."""
    out = frame[["source", "province_code", "province_name_en"]].copy()
    records = frame["record_count"]
    out["record_count"] = records.astype("Int64").mask(records.between(1, threshold - 1))
    for field in QUALITY_FIELDS:
        out[f"with_{field}_share"] = _safe_share(frame[f"with_{field}_count"], records, threshold)
    out["unlinked_share"] = _safe_share(frame["unlinked_count"], records, threshold)
    out["duplicate_share"] = _safe_share(frame["duplicate_count"], records, threshold)
    return out


def source_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The province rows summed per source (for the national quality and compatibility)."""
    counts = [c for c in frame.columns if c.endswith("_count")]
    return frame.groupby("source", as_index=False)[counts].sum()


DISPLAY = {
    "province_name_en": "sync.col_province", "record_count": "sync.col_records",
    "with_id_share": "sync.col_with_id", "with_name_share": "sync.col_with_name",
    "with_birth_date_share": "sync.col_with_birth_date", "with_sex_share": "sync.col_with_sex",
    "with_commune_share": "sync.col_with_commune",
    "with_occupation_share": "sync.col_with_occupation",
    "unlinked_share": "sync.col_unlinked", "duplicate_share": "sync.col_duplicates",
}  # fmt: skip


def quality_display(frame: pd.DataFrame, source: str, threshold: int, lang: str) -> pd.DataFrame:
    """One source's quality table as text: shares in %, hidden cells as the marker."""
    table = quality_table(frame[frame["source"] == source], threshold)
    out = pd.DataFrame(index=table.index)
    for column, key in DISPLAY.items():
        values = table[column]
        if column == "province_name_en":
            text = values
        elif column == "record_count":
            text = values.map(lambda v: formatting.marker(threshold) if pd.isna(v) else f"{v:,}")
        else:
            text = values.map(lambda v: formatting.marker(threshold) if pd.isna(v) else f"{v:.0%}")
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
