"""The needs index: visible inputs per province, min-max normalised, weighted, explained.

Every input is oriented so that more means more need. Each is normalised across the
provinces that show it: (value - min) / (max - min), 0 for the least in need and 1 for the
most. An input whose value is the same in every province (for example a national rate
applied everywhere) carries no information about where to act first: it is reported as
constant and left out instead of being divided by a zero spread; so is an input that no
province shows. The index is the weighted mean of the normalised inputs times 100, with
the weights rescaled over the inputs left in; each input's contribution is its share of
that sum, so a province's contributions add up to its index. Counts are published by the
cell-key method, so small provinces' inputs are usable; where one is still missing (below
the threshold after perturbation, or no estimate), that province is ranked on its other
inputs with their weights rescaled, and `inputs_left_out` names what was left out.
"""

import dataclasses

import numpy as np
import pandas as pd

import settings
from indicators import groups

CONSTANT_TOLERANCE = 1e-9


@dataclasses.dataclass(frozen=True)
class Input:
    """One input of the needs index."""

    key: str
    default_weight: int
    kind: str  # "count" or "share"


INPUTS = (
    Input("gap_count", 25, "count"),
    Input("gap_rate", 25, "share"),
    Input("registered_not_covered_count", 10, "count"),
    Input("poverty_share", 20, "share"),
    Input("disability_share", 10, "share"),
    Input("older_share", 5, "share"),
    Input("women_share", 5, "share"),
)
KEYS = tuple(i.key for i in INPUTS)
# The (group, count) cells each input is computed from: hidden if any of them is.
SOURCES = {
    "gap_count": [("all", "covered_count")],
    "gap_rate": [("all", "covered_count")],
    "registered_not_covered_count": [("all", "registered_not_covered_count")],
    "poverty_share": [("poor", "registered_count"), ("all", "registered_count")],
    "disability_share": [
        ("disability", "registered_not_covered_count"),
        ("all", "registered_not_covered_count"),
    ],
    "older_share": [("older", "covered_count"), ("all", "covered_count")],
    "women_share": [("women", "covered_count"), ("all", "covered_count")],
}


MAX_WEIGHT = 100  # a weight is 0 to MAX_WEIGHT, on the page's sliders and the command line


def default_weights() -> dict[str, float]:
    """The documented default weight of every input (they add up to 100)."""
    return {i.key: float(i.default_weight) for i in INPUTS}


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Divide numerator by denominator, missing where the denominator is missing or zero."""
    den = denominator.astype("Float64")
    return (numerator.astype("Float64") / den.where(den > 0)).astype("Float64")


def _gap(estimate: pd.Series, covered: pd.Series) -> pd.Series:
    """Estimate minus covered, floored at zero (registries can hold more than the estimate)."""
    return (estimate.astype("Float64") - covered.astype("Float64")).clip(lower=0)


def inputs(group_table: pd.DataFrame) -> pd.DataFrame:
    """One row per province (no national row): every input, missing where hidden.

    Args:
        group_table: the published coverage-by-group table (groups.publish_groups).
    """
    table = group_table[group_table["province_code"] != settings.NATIONAL]
    if table.empty:  # e.g. a user limited to a province the store does not hold
        columns = ["province_code", "province_name_en", *KEYS, *(f"{k}_suppressed" for k in KEYS)]
        return pd.DataFrame(columns=columns).astype({f"{k}_suppressed": bool for k in KEYS})
    cov = groups.wide(table, "covered_count")
    reg = groups.wide(table, "registered_count")
    rnc = groups.wide(table, "registered_not_covered_count")
    est = groups.wide(table, "informal_workers_est")
    names = table.drop_duplicates("province_code").set_index("province_code")
    gap = _gap(est["all"], cov["all"])
    out = pd.DataFrame(index=cov.index)
    out["province_name_en"] = names["province_name_en"]
    out["gap_count"] = gap
    out["gap_rate"] = _ratio(gap, est["all"])
    out["registered_not_covered_count"] = rnc["all"].astype("Float64")
    out["poverty_share"] = _ratio(reg["poor"], reg["all"])
    out["disability_share"] = _ratio(rnc["disability"], rnc["all"])
    out["older_share"] = _ratio(_gap(est["older"], cov["older"]), gap)
    out["women_share"] = _ratio(_gap(est["women"], cov["women"]), gap)
    for key, cells in SOURCES.items():
        flags = [groups.wide(table, f"{col}_suppressed")[group] for group, col in cells]
        out[f"{key}_suppressed"] = pd.concat(flags, axis=1).any(axis=1).astype(bool)
    return out.reset_index()


def status(values: pd.DataFrame) -> dict[str, str]:
    """Per input: 'varies', 'constant' (same everywhere) or 'unavailable' (shown nowhere)."""
    result = {}
    for key in KEYS:
        shown = values[key].dropna()
        if shown.empty:
            result[key] = "unavailable"
        elif float(shown.max() - shown.min()) <= CONSTANT_TOLERANCE:
            result[key] = "constant"
        else:
            result[key] = "varies"
    return result


def normalise(values: pd.DataFrame) -> pd.DataFrame:
    """Min-max scores in [0, 1] of the inputs that vary; missing where the value is."""
    scores = pd.DataFrame(index=values.index)
    for key, state in status(values).items():
        if state == "varies":
            column = values[key].astype(float)
            low, high = np.nanmin(column), np.nanmax(column)
            scores[key] = (column - low) / (high - low)
    return scores


def rank(values: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """The ranking: index, rank and each input's contribution, most in need first.

    Every province with at least one usable input is ranked. Its index is the weighted
    mean of the scores it has, the weights rescaled over those inputs alone; the inputs it
    lacks are named in `inputs_left_out` (and their contributions are missing).

    Args:
        values: the inputs frame (needs.inputs).
        weights: a weight per input key (any non-negative numbers; they are rescaled over
            the inputs that vary and that the province shows).
    """
    scores = normalise(values)
    used = [k for k in scores.columns if weights.get(k, 0) > 0]
    present = scores[used].notna()
    total = sum((present[k] * weights[k] for k in used), pd.Series(0.0, index=values.index))
    ranked = total > 0
    out = values.copy()
    for key in KEYS:
        if key in used:
            share = 100 * weights[key] / total.where(ranked)
            out[f"{key}_contribution"] = scores[key] * share
        else:
            out[f"{key}_contribution"] = pd.Series(0.0, index=out.index).where(ranked)
    contributions = out[[f"{k}_contribution" for k in KEYS]]
    out["needs_index"] = contributions.sum(axis=1, min_count=1).where(ranked)
    out["needs_rank"] = out["needs_index"].rank(ascending=False, method="min").astype("Int64")
    out["inputs_left_out"] = [
        ",".join(k for k in used if not row[k]) for _, row in present.iterrows()
    ] if used else ""  # fmt: skip
    return out.sort_values(["needs_rank", "province_code"], na_position="last").reset_index(
        drop=True
    )


def export_table(ranked: pd.DataFrame, weights: dict[str, float], as_of) -> pd.DataFrame:
    """The ranking as exported (CSV/JSON, command line): hidden values empty with flags.

    Columns: rank, province, index, then per input its value, suppressed flag,
    contribution and weight, then the inputs a province was ranked without.
    """
    columns = ["needs_rank", "province_code", "province_name_en", "needs_index"]
    for key in KEYS:
        columns += [key, f"{key}_suppressed", f"{key}_contribution"]
    out = ranked[[*columns, "inputs_left_out"]].copy()
    for item in INPUTS:
        if item.kind == "count":
            out[item.key] = out[item.key].round().astype("Int64")
        out[f"{item.key}_weight"] = float(weights.get(item.key, 0))
    month_end = pd.Timestamp(as_of).to_period("M").to_timestamp("M")
    out.insert(0, "as_of", f"{month_end:%Y-%m-%d}")
    return out


def display(ranked: pd.DataFrame, labels: dict[str, str], marker: str) -> pd.DataFrame:
    """The ranking as text: counts with thousands separators, shares as percentages.

    Args:
        ranked: needs.rank output, named (`province_name`: formatting.named).
        labels: column titles: "rank", "province", "index" and every input key.
        marker: what a suppressed value shows (a missing one shows a dash).
    """
    out = pd.DataFrame(
        {
            labels["rank"]: [
                "–" if pd.isna(r) else f"{r} †" if left else str(r)
                for r, left in zip(ranked["needs_rank"], ranked["inputs_left_out"], strict=True)
            ],
            labels["province"]: ranked["province_name"],
            labels["index"]: ranked["needs_index"].map(lambda v: "–" if pd.isna(v) else f"{v:.1f}"),
        }
    )
    for item in INPUTS:
        pattern = "{:,.0f}" if item.kind == "count" else "{:.1%}"
        out[labels[item.key]] = [
            marker if hidden else "–" if pd.isna(v) else pattern.format(v)
            for v, hidden in zip(ranked[item.key], ranked[f"{item.key}_suppressed"], strict=True)
        ]
    return out


def hover(ranked: pd.DataFrame, labels: dict[str, str]) -> pd.Series:
    """Map hover text per province: index and rank, then every input's value.

    Args:
        ranked: needs.rank output, named (`province_name`: formatting.named).
        labels: display names: "index", "rank", "not_ranked", "hidden" and every input key.
    """
    texts = []
    for _, row in ranked.iterrows():
        rank = labels["not_ranked"] if pd.isna(row["needs_rank"]) else row["needs_rank"]
        index = "–" if pd.isna(row["needs_index"]) else f"{row['needs_index']:.1f}"
        lines = [f"<b>{row['province_name']}</b>", f"{labels['index']}: {index} ({rank})"]
        for item in INPUTS:
            value = row[item.key]
            text = "–" if pd.isna(value) else (
                f"{value:,.0f}" if item.kind == "count" else f"{value:.1%}"
            )  # fmt: skip
            lines.append(
                f"{labels[item.key]}: {labels['hidden'] if row[f'{item.key}_suppressed'] else text}"
            )
        texts.append("<br>".join(lines))
    return pd.Series(texts, index=ranked.index)


def partial(ranked: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """One markdown bullet per province (`province_name`) ranked without some inputs."""
    rows = ranked[ranked["inputs_left_out"] != ""]
    return [
        f"- {name}: {', '.join(labels[k] for k in keys.split(',') if k)}"
        for name, keys in zip(rows["province_name"], rows["inputs_left_out"], strict=True)
    ]
