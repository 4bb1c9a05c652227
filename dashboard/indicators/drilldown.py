"""Province -> districts -> communes: counts suppressed across both levels at once.

Relations: each area's registered = covered + not covered; the province = the sum of its
districts; a district = the sum of its communes. The province's own cells are the ones
the coverage table shows for the same month and programmes (with no other filter), so
they start hidden or shown as there. There is no population estimate below the
province: areas show counts and the covered share of the registered, not coverage rates.
"""

import pandas as pd
import plotly.graph_objects as go

from indicators import protection, suppression

COUNTS = protection.COUNTS


def relations(frame: pd.DataFrame) -> list[suppression.Relation]:
    """Row relations of every area, then province = sum of districts, district = sum of communes."""
    rels: list[suppression.Relation] = [
        ((code, "registered_count"), [(code, "covered_count"), (code, COUNTS[1])])
        for code in frame["area_code"]
    ]
    for parent, level in ((None, "district"), ("district", "commune")):
        parents = frame[frame["level"] == ("province" if parent is None else parent)]
        children = frame[frame["level"] == level]
        for code in parents["area_code"]:
            members = children.loc[children["parent_code"] == code, "area_code"].tolist()
            for col in COUNTS:
                rels.append(((code, col), [(m, col) for m in members]))
    return rels


def suppress_areas(frame: pd.DataFrame, coverage: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide small counts and complements; add flags and the covered share of the registered.

    Args:
        frame: the area_coverage query's rows.
        coverage: the suppressed coverage table with the same month and programmes.
        threshold: the suppression threshold.
    """
    codes = frame["area_code"].tolist()
    values = {(c, col): int(v) for col in COUNTS for c, v in zip(codes, frame[col], strict=True)}
    province = frame.loc[frame["level"] == "province", "area_code"].tolist()
    row = coverage[coverage["province_code"].isin(province)]
    hidden, shown = set(), set()
    for code, col in ((c, col) for c in row["province_code"] for col in COUNTS):
        flag = bool(row.loc[row["province_code"] == code, f"{col}_suppressed"].iloc[0])
        (hidden if flag else shown).add((code, col))
    hide = suppression.suppress(values, relations(frame), threshold, hidden=hidden, fixed=shown)
    out = frame.copy()
    for col in COUNTS:
        flags = pd.Series([(c, col) in hide for c in codes], index=out.index)
        out[col] = out[col].astype("Int64").mask(flags)
        out[f"{col}_suppressed"] = flags
    registered = out["registered_count"].astype("Float64")
    share = out["covered_count"].astype("Float64") / registered.where(registered > 0)
    out["covered_share_of_registered"] = share.astype("Float64")
    return out


def level(frame: pd.DataFrame, name: str, parent: str | None = None) -> pd.DataFrame:
    """The rows of one level ('district' or 'commune'), optionally of one parent district."""
    rows = frame[frame["level"] == name]
    return rows if parent is None else rows[rows["parent_code"] == parent]


# Display tables: column -> (i18n key relative to the page, kind); derived columns' flags.
COLUMNS = {
    "name": ("col.name", "text"),
    "area_code": ("col.code", "text"),
    "registered_count": ("col.registered_count", "count"),
    "covered_count": ("col.covered_count", "count"),
    "registered_not_covered_count": ("col.registered_not_covered_count", "count"),
    "covered_share_of_registered": ("col.covered_share", "rate"),
}
HIDDEN = {
    "covered_share_of_registered": ["covered_count_suppressed", "registered_count_suppressed"]
}


def bars(districts: pd.DataFrame, title: str, label) -> go.Figure:
    """Stacked bars per district: covered and registered not covered (hidden counts left out).

    Args:
        districts: the district rows of suppress_areas.
        title: the figure title.
        label: turns a page-relative i18n key into text.
    """
    fig = go.Figure()
    for column, colour in (
        ("covered_count", "#2171b5"),
        ("registered_not_covered_count", "#bdd7e7"),
    ):
        fig.add_bar(
            y=districts["name"], x=districts[column].astype(float), orientation="h",
            name=label(f"col.{column}"), marker_color=colour,
        )  # fmt: skip
    fig.update_layout(
        barmode="stack", title={"text": title, "font": {"size": 16}},
        height=max(320, 24 * len(districts) + 160), margin={"l": 0, "r": 0, "t": 90, "b": 0},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        yaxis={"autorange": "reversed"},
    )  # fmt: skip
    return fig


def hover(districts: pd.DataFrame, label, marker: str) -> pd.Series:
    """Map hover text per district: name, counts (or the marker) and the covered share."""
    texts = []
    for _, row in districts.iterrows():
        lines = [f"<b>{row['name']}</b>"]
        for column in ("registered_count", "covered_count"):
            value = marker if row[f"{column}_suppressed"] else f"{int(row[column]):,}"
            lines.append(f"{label(f'col.{column}')}: {value}")
        share = row["covered_share_of_registered"]
        lines.append(f"{label('col.covered_share')}: {'–' if pd.isna(share) else f'{share:.1%}'}")
        texts.append("<br>".join(lines))
    return pd.Series(texts, index=districts.index)
