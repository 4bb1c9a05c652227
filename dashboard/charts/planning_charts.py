"""Pure figures of the planning page: coverage over time against a target and its projection."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from indicators import planning


def target_chart(
    rates: pd.DataFrame,
    target: tuple[float, dt.date] | None,
    projection: planning.Projection,
    title: str,
    labels: dict[str, str],
) -> go.Figure:
    """Monthly coverage rate, the target (line and date) and the projection at the current pace.

    Args:
        rates: month_end and coverage_rate (missing where hidden: a gap).
        target: (target rate, target date), or None when no target is set.
        projection: planning.project's result.
        title: the figure title.
        labels: legend names "actual", "target" and "projection".
    """
    fig = go.Figure()
    fig.add_scatter(
        x=rates["month_end"], y=rates["coverage_rate"].astype(float), mode="lines",
        name=labels["actual"], line={"color": "#2171b5", "width": 2},
    )  # fmt: skip
    if target is not None:
        rate, date = target
        fig.add_hline(y=rate, line={"dash": "dash", "color": "#7a0177", "width": 1})
        fig.add_scatter(
            x=[date], y=[rate], mode="markers", name=labels["target"],
            marker={"symbol": "diamond", "size": 11, "color": "#7a0177"},
        )  # fmt: skip
    _add_projection(fig, projection, labels["projection"])
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        height=420,
        margin={"l": 0, "r": 0, "t": 48, "b": 0},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def _add_projection(fig: go.Figure, projection: planning.Projection, name: str) -> None:
    """Draw the current pace from the latest shown month to the target's month (or 2 years on)."""
    if projection.pace_per_month is None or projection.latest_month is None:
        return
    end = projection.met_on or planning.month_end(projection.latest_month, 24)
    months = _months_between(projection.latest_month, end)
    fig.add_scatter(
        x=[projection.latest_month, end],
        y=[projection.latest_rate, projection.latest_rate + projection.pace_per_month * months],
        mode="lines", name=name, line={"dash": "dot", "color": "#2171b5", "width": 2},
    )  # fmt: skip


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
