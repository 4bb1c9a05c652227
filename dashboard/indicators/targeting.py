"""Targeting errors per programme, SDG 1.3.1-style coverage by group, and the unregistered.

Exclusion error = eligible people not receiving / all eligible; inclusion error =
recipients who are not eligible / all recipients (DOMAIN.md). Both count registered
persons only: people registered nowhere are invisible to them, so the estimated
unregistered head count is shown beside them.

Disclosure control: every count is perturbed on its own by the cell-key method
(indicators/disclosure.py), and the error rates are computed from the published counts. A
programme's receiving count is the very cell the coverage page shows with that programme
alone chosen, so it shows the same value there and here.
"""

import pandas as pd

from indicators import disclosure

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
# Display tables: column -> (i18n key, kind), and the flags that hide derived columns; the
# frames shown are named first (`province_name` in the UI language: formatting.named).
REACH_COLUMNS = {
    "province_name": ("col.province", "text"),
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
    "province_name": ("col.province", "text"),
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
    "province_name": ("col.province", "text"),
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


def publish_targeting(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The targeting_by_province rows with published counts, and error rates from them."""
    out = disclosure.publish(frame, COUNTS, threshold)
    for rate, (num, den) in ERRORS.items():
        out[rate] = disclosure.ratio(out[num], out[den])
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


def rule_text(
    rules: pd.DataFrame, service: str, criterion_label, value_label=None, alternatives=" or "
) -> str:
    """A programme's rule in words: 'IDPoor poverty level: 1 or 2; ...'.

    Args:
        rules: eligibility_rule_list rows (accepted values joined by " or ").
        service: the programme's code.
        criterion_label: a criterion's name in words.
        value_label: a value of a criterion in words, given (criterion, value); default as is.
        alternatives: what joins the accepted values of one criterion.
    """
    rows = rules[rules["service_code"] == service]
    value_label = value_label or (lambda criterion, value: value)
    return "; ".join(
        f"{criterion_label(r.criterion)}: "
        + alternatives.join(
            value_label(r.criterion, v) for v in str(r.accepted_values).split(" or ")
        )
        for r in rows.itertuples()
    )
