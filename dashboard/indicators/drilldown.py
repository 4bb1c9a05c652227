"""Province -> districts -> communes: every area's counts published by the cell-key method.

Each count is perturbed on its own (indicators/disclosure.py); the province's own cells
are the very persons of the coverage table's cells for the same month and programmes
(with no other filter), so they show the same values. There is no population estimate
below the province: areas show counts and the covered share of the registered.
"""

import pandas as pd
import plotly.graph_objects as go

from indicators import coverage_table, disclosure

COUNTS = coverage_table.COUNTS


def publish_areas(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The area_coverage rows with published counts, flags and the covered share."""
    out = disclosure.publish(frame, COUNTS, threshold)
    out["covered_share_of_registered"] = disclosure.ratio(
        out["covered_count"], out["registered_count"]
    )
    # the code as shown: none for the rows of persons whose area is unknown ('unknown-…')
    out["shown_code"] = out["area_code"].where(~out["area_code"].str.startswith("unknown"))
    return out


def level(frame: pd.DataFrame, name: str, parent: str | None = None) -> pd.DataFrame:
    """The rows of one level ('district' or 'commune'), optionally of one parent district."""
    rows = frame[frame["level"] == name]
    return rows if parent is None else rows[rows["parent_code"] == parent]


# Display tables: column -> (i18n key relative to the page, kind); derived columns' flags.
COLUMNS = {
    "name": ("col.name", "text"),
    "shown_code": ("col.code", "code"),
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
        districts: the district rows of publish_areas.
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
        yaxis={"autorange": "reversed", "automargin": True},  # names shown whole, exports too
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
