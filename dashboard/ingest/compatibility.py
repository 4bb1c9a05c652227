"""The compatibility matrix: which canonical fields each source provides, and how.

For each source and field: provided as is, provided under the agency's own column name,
with how many of its codes the mapping translates, or not provided at all. This is the
working group's evidence when it advises agencies on making their systems compatible.
"""

import pandas as pd

import i18n
from ingest import mappings, validation

FIELDS = list(validation.COLUMNS["registrations"])
# The count (source_quality_by_province) that says how many records fill each field.
FILLED = {
    "record_id": "record_count", "national_id": "with_id_count", "full_name": "with_name_count",
    "sex": "with_sex_count", "birth_date": "with_birth_date_count",
    "birth_year": "with_birth_year_count", "province_code": "record_count",
    "district_code": "with_district_count", "commune_code": "with_commune_count",
    "occupation": "with_occupation_count", "registered_on": "record_count",
    "poverty_level": "with_poverty_level_count", "disability": "with_disability_count",
}  # fmt: skip


def cell(field: str, provided: bool, mapping: mappings.Mapping, lang: str) -> str:
    """How one source provides one field, in words."""
    if not provided:
        return i18n.t("sync.compat_missing", lang)
    origin = mapping.origin(field)
    text = i18n.t("sync.compat_asis", lang)
    if origin != field:
        text = i18n.t("sync.compat_from", lang, column=origin)
    codes = len(mapping.values.get(field, {}))
    if codes:
        text += " · " + i18n.t("sync.compat_codes", lang, count=codes)
    return text


def matrix(totals: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per source, one column per canonical registration field.

    Args:
        totals: per-source quality counts, published (registries.source_quality_totals).
        lang: the display language.
    """
    rows = []
    for record in totals.to_dict("records"):
        mapping = mappings.load(record["source"], "registrations")
        row = {"source": record["source"]}
        for field in FIELDS:
            filled = record[FILLED[field]]  # published: missing is a small count, not none
            row[field] = cell(field, pd.isna(filled) or filled > 0, mapping, lang)
        rows.append(row)
    return pd.DataFrame(rows, columns=["source", *FIELDS])
