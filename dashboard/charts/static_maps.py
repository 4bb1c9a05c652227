"""Vector copies of the WebGL class maps, for exports: every area a filled outline.

kaleido embeds a WebGL map only as a raster at screen resolution; the copy draws the
same boundaries, classes, colours, legend, title and attribution as plain shapes, sharp
at any size, with nothing fetched.
"""

import math

import plotly.graph_objects as go

OUTLINE = {"color": "#666", "width": 0.6}


def rings(geometry: dict) -> list[list[list[float]]]:
    """Outer and inner rings of a Polygon or MultiPolygon."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [ring for polygon in polygons for ring in polygon]


def outline(features: list[dict]) -> tuple[list, list]:
    """Longitudes and latitudes of the rings of some features, rings split by None."""
    lons, lats = [], []
    for feature in features:
        for ring in rings(feature["geometry"]):
            lons += [p[0] for p in ring] + [None]
            lats += [p[1] for p in ring] + [None]
    return lons, lats


def vector(fig: go.Figure) -> go.Figure:
    """The class map `fig` (charts.coverage_charts.coverage_map) drawn as vector shapes.

    Each class trace (a choropleth_map holding its own boundaries) becomes one filled
    outline; a class shown in the legend only (a legend shape) stays in the legend.
    """
    out = go.Figure()
    for trace in fig.data:
        lons, lats = outline(trace.geojson["features"] if trace.geojson else [])
        out.add_scatter(
            x=lons or [None], y=lats or [None], fill="toself", mode="lines", line=OUTLINE,
            fillcolor=trace.colorscale[0][1], name=trace.name, legendrank=trace.legendrank,
            showlegend=True, hoverinfo="skip",
        )  # fmt: skip
    for shape in fig.layout.shapes:  # an empty class, listed in its place
        out.add_scatter(
            x=[None], y=[None], fill="toself", mode="lines", line=OUTLINE,
            fillcolor=shape.fillcolor, name=shape.name, legendrank=shape.legendrank,
            showlegend=True, hoverinfo="skip",
        )  # fmt: skip
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False}
    out.update_xaxes(hidden_axis)
    latitude = fig.layout.map.center.lat or 0.0  # the map's aspect at its mid latitude
    out.update_yaxes(hidden_axis | {"scaleanchor": "x", "scaleratio": 1 / math.cos(
        math.radians(latitude))})  # fmt: skip
    out.update_layout(
        title=fig.layout.title, legend=fig.layout.legend, font=fig.layout.font,
        annotations=fig.layout.annotations, margin=fig.layout.margin,
        height=fig.layout.height, plot_bgcolor="white",
    )  # fmt: skip
    return out
