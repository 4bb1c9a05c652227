"""Targeting errors per programme, SDG 1.3.1-style coverage by group, and the unregistered.

Exclusion error = eligible people not receiving / all eligible; inclusion error =
recipients who are not eligible / all recipients (DOMAIN.md). Both count registered
persons only: people registered nowhere are invisible to them, so the estimated
unregistered head count is shown beside them.

Suppression: per province and programme, eligible = eligible and receiving + eligible not
receiving, and receiving = eligible and receiving + receiving not eligible; the national row
is the sum of the provinces. A programme's receiving count is the covered count the
coverage page shows with that programme chosen, so those cells start hidden or shown as
there (see indicators/groups.py for the same reasoning).
"""

import pandas as pd

import settings
from indicators import suppression

COUNTS = (
    "eligible_count",
    "receiving_count",
    "eligible_receiving_count",
    "eligible_not_receiving_count",
    "receiving_not_eligible_count",
)
ERRORS = {
    "exclusion_error": ("eligible_not_receiving_count", "eligible_count"),
    "inclusion_error": ("receiving_not_eligible_count", "receiving_count"),
}
SDG_GROUPS = ("all", "women", "older", "poor", "disability")
# Display tables: column -> (i18n key, kind), and the flags that hide derived columns.
REACH_COLUMNS = {
    "province_name_en": ("col.province", "text"),
    "informal_workers_est": ("col.estimate", "count"),
    "covered_count": ("col.covered", "count"),
    "coverage_gap_count": ("col.gap", "count"),
    "registered_count": ("col.registered", "count"),
    "unregistered_est": ("col.unregistered", "count"),
}
REACH_HIDDEN = {
    "coverage_gap_count": ["covered_count_suppressed"],
    "unregistered_est": ["registered_count_suppressed"],
}
ERROR_COLUMNS = {
    "province_name_en": ("col.province", "text"),
    "eligible_count": ("col.eligible", "count"),
    "receiving_count": ("col.receiving", "count"),
    "eligible_not_receiving_count": ("col.excluded", "count"),
    "exclusion_error": ("col.exclusion", "rate"),
    "receiving_not_eligible_count": ("col.included", "count"),
    "inclusion_error": ("col.inclusion", "rate"),
}
ERROR_HIDDEN = {
    rate: [f"{num}_suppressed", f"{den}_suppressed"] for rate, (num, den) in ERRORS.items()
}
SDG_COLUMNS = {
    "province_name_en": ("col.province", "text"),
    "group": ("col.group", "text"),
    "covered_count": ("col.covered", "count"),
    "denominator": ("col.denominator", "count"),
    "denominator_is": ("col.denominator_is", "text"),
    "coverage_rate": ("col.rate", "rate"),
}
SDG_HIDDEN = {
    "denominator": ["denominator_suppressed"],
    "coverage_rate": ["covered_count_suppressed", "denominator_suppressed"],
}
# Groups without a population estimate: coverage among their registered members.
REGISTERED_DENOMINATOR = ("poor", "disability")


def relations(keys: list[tuple[str, str]]) -> list[suppression.Relation]:
    """Additive relations of the targeting table: eligible and receiving splits, national sums."""
    rels: list[suppression.Relation] = []
    for code, service in keys:
        both = (code, service, "eligible_receiving_count")
        rels.append(((code, service, "eligible_count"), [both, (code, service, COUNTS[3])]))
        rels.append(((code, service, "receiving_count"), [both, (code, service, COUNTS[4])]))
    services = dict.fromkeys(s for _, s in keys)
    provinces = [c for c in dict.fromkeys(c for c, _ in keys) if c != settings.NATIONAL]
    for service in services:
        for col in COUNTS:
            parts = [(p, service, col) for p in provinces]
            rels.append(((settings.NATIONAL, service, col), parts))
    return rels


def seeds(coverages: dict[str, pd.DataFrame]) -> tuple[set, set]:
    """Receiving cells hidden and shown by the coverage table of each programme alone."""
    hidden, shown = set(), set()
    for service, table in coverages.items():
        for code, flag in zip(
            table["province_code"], table["covered_count_suppressed"], strict=True
        ):
            (hidden if flag else shown).add((code, service, "receiving_count"))
    return hidden, shown


def suppress_targeting(
    frame: pd.DataFrame, coverages: dict[str, pd.DataFrame], threshold: int
) -> pd.DataFrame:
    """Hide small counts and their complements, then the error rates derived from them.

    Args:
        frame: the targeting_by_province query's rows.
        coverages: per service with a rule, the suppressed coverage table for that service.
        threshold: the suppression threshold.
    """
    keys = list(zip(frame["province_code"], frame["service_code"], strict=True))
    values = {
        (*key, col): int(v) for col in COUNTS for key, v in zip(keys, frame[col], strict=True)
    }
    hidden, shown = seeds(coverages)
    hide = suppression.suppress(values, relations(keys), threshold, hidden=hidden, fixed=shown)
    out = frame.copy()
    for col in COUNTS:
        flags = pd.Series([(*k, col) in hide for k in keys], index=out.index)
        out[col] = out[col].astype("Int64").mask(flags)
        out[f"{col}_suppressed"] = flags
    for rate, (num, den) in ERRORS.items():
        ratio = out[num].astype("Float64") / out[den].astype("Float64").where(out[den] > 0)
        out[rate] = ratio.astype("Float64")
    return out


def unregistered(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per province: gap still to reach and estimated unregistered head count.

    The estimate minus registered persons is hidden when the registered count is; a
    negative value (registries hold more than the estimate) is kept and flagged by sign.
    """
    out = coverage[
        [
            "province_code", "province_name_en", "informal_workers_est", "covered_count",
            "coverage_gap_count", "registered_count", "registered_count_suppressed",
            "covered_count_suppressed",
        ]
    ].copy()  # fmt: skip
    out["unregistered_est"] = out["informal_workers_est"].astype("Int64") - out[
        "registered_count"
    ].astype("Int64")
    return out


def sdg_by_group(group_table: pd.DataFrame) -> pd.DataFrame:
    """SDG 1.3.1-style coverage: per province and group, covered / denominator.

    All, women and older persons are divided by their population estimate; the poor
    (IDPoor status) and persons with disability by the registered members of the group,
    as no population estimate of them exists. Hidden counts hide the rate.
    """
    rows = group_table[group_table["group_code"].isin(SDG_GROUPS)].copy()
    by_registered = rows["group_code"].isin(REGISTERED_DENOMINATOR)
    rows["denominator"] = (
        rows["informal_workers_est"]
        .astype("Int64")
        .where(~by_registered, rows["registered_count"].astype("Int64"))
    )
    rows["denominator_kind"] = by_registered.map({True: "registered", False: "estimate"})
    rows["denominator_is"] = rows["denominator_kind"]
    rows["denominator_suppressed"] = by_registered & rows["registered_count_suppressed"]
    den = rows["denominator"].astype("Float64")
    rows["coverage_rate"] = (rows["covered_count"].astype("Float64") / den.where(den > 0)).astype(
        "Float64"
    )
    return rows[
        [
            "province_code", "province_name_en", "group_code", "covered_count",
            "covered_count_suppressed", "denominator", "denominator_kind",
            "denominator_suppressed", "coverage_rate", "denominator_is",
        ]
    ].reset_index(drop=True)  # fmt: skip


def rule_text(rules: pd.DataFrame, service: str, criterion_label) -> str:
    """A programme's rule in words: 'IDPoor poverty level: 1 or 2; ...'."""
    rows = rules[rules["service_code"] == service]
    return "; ".join(
        f"{criterion_label(r.criterion)}: {r.accepted_values}" for r in rows.itertuples()
    )
