"""Pure figures of the planning page: coverage over time against a target and its projection."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

import i18n
from charts import axes, coverage_charts
from indicators import planning


def target_chart(
    rates: pd.DataFrame,
    target: tuple[float, dt.date] | None,
    projection: planning.Projection,
    title: str,
    labels: dict[str, str],
    lang: str = "en",
) -> go.Figure:
    """Monthly coverage rate, the target (line and date) and the projection at the current pace.

    Args:
        rates: month_end and coverage_rate (missing where hidden: a gap).
        target: (target rate, target date), or None when no target is set.
        projection: planning.project's result.
        title: the figure title.
        labels: legend names "actual", "target" and "projection".
        lang: the language of the dates and numbers (ticks and hover text).
    """
    fig = go.Figure()
    fig.add_scatter(
        x=rates["month_end"], y=rates["coverage_rate"].astype(float), mode="lines",
        name=labels["actual"], line={"color": "#2171b5", "width": 2},
        customdata=_hover(rates["month_end"], rates["coverage_rate"], lang),
        hovertemplate="%{customdata}<extra></extra>",
    )  # fmt: skip
    if target is not None:
        rate, date = target
        fig.add_hline(y=rate, line={"dash": "dash", "color": "#7a0177", "width": 1})
        fig.add_scatter(
            x=[date], y=[rate], mode="markers", name=labels["target"],
            marker={"symbol": "diamond", "size": 11, "color": "#7a0177"},
            customdata=_hover([date], [rate], lang), hovertemplate="%{customdata}<extra></extra>",
        )  # fmt: skip
    _add_projection(fig, projection, labels["projection"], lang)
    shown = [y for trace in fig.data for y in trace.y if y is not None and pd.notna(y)]
    days = [x for trace in fig.data for x in trace.x]
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        yaxis=coverage_charts.percent_ticks(max([*shown, 0.0]), lang) | {"rangemode": "tozero"},
        xaxis=_year_ticks(days, lang),
        height=420,
        margin={"l": 0, "r": 0, "t": 48, "b": 0},
        legend={"orientation": "h", "y": -0.12},
        font=coverage_charts.font(lang),
    )  # fmt: skip
    return fig


def _hover(days, rates, lang: str) -> list[str]:
    """'June 2024: 12.5%' per point, in `lang`."""
    texts = axes.rate_texts(pd.Series(list(rates), dtype="Float64"), lang)
    return [
        i18n.t("format.pair", lang, label=i18n.month_year(pd.Timestamp(d), lang), value=text)
        for d, text in zip(days, texts, strict=True)
    ]


def _year_ticks(days: list, lang: str) -> dict:
    """A tick on 1 January of each year the chart spans, labelled in `lang`'s digits."""
    stamps = pd.to_datetime(pd.Series(days)).dropna()
    if stamps.empty:
        return {}
    years = range(stamps.min().year + 1, stamps.max().year + 1)
    ticks = [pd.Timestamp(year, 1, 1) for year in years] or [stamps.min()]
    return {"tickvals": ticks, "ticktext": [i18n.digits(d.year, lang) for d in ticks]}


def _add_projection(fig: go.Figure, projection: planning.Projection, name: str, lang: str) -> None:
    """Draw the current pace from the latest shown month to the target's month (or 2 years on)."""
    if projection.pace_per_month is None or projection.latest_month is None:
        return
    end = projection.met_on or planning.month_end(projection.latest_month, 24)
    months = _months_between(projection.latest_month, end)
    days = [projection.latest_month, end]
    rates = [projection.latest_rate, projection.latest_rate + projection.pace_per_month * months]
    fig.add_scatter(
        x=days, y=rates, mode="lines", name=name, customdata=_hover(days, rates, lang),
        line={"dash": "dot", "color": "#2171b5", "width": 2},
        hovertemplate="%{customdata}<extra></extra>",
    )  # fmt: skip


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
