"""Pure figures of the uptake page: monthly series with programme start and end dates marked.

Every programme gets a colour of its own from a colour-blind-safe qualitative palette;
start and end dates are numbered marks whose key (indicators.uptake.events) names the
programmes, so no label can run over another.
"""

from collections.abc import Mapping

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

import i18n
from charts import axes, coverage_charts
from indicators import formatting, uptake

# CARTOColors "Safe", as plotly ships it: Paul Tol's colour-blind-safe "muted" scheme plus
# two, eleven colours that stay apart for the common colour-vision deficiencies.
PALETTE = tuple(plotly.colors.qualitative.Safe)
# Beyond eleven programmes, colours repeat with another dash: each pair stays unique.
DASHES = ("solid", "dash", "dot", "dashdot")


def styles(codes: list[str]) -> dict[str, tuple[str, str]]:
    """(colour, dash) of each programme in the order given: a distinct colour for each.

    The first len(PALETTE) programmes all get different colours and solid lines; further
    ones reuse the colours with another dash pattern.
    """
    n = len(PALETTE)
    return {code: (PALETTE[i % n], DASHES[(i // n) % len(DASHES)]) for i, code in enumerate(codes)}


def trend(
    series: pd.DataFrame,
    catalogue: pd.DataFrame,
    title: str,
    y_title: str,
    lang: str = "en",
    names: Mapping[str, str] | None = None,
    marker: str = "◼",
) -> go.Figure:
    """Persons receiving each programme per month end; numbered marks where one starts or ends.

    Args:
        series: month_end, service_code, receiving_count (missing where suppressed: a gap),
            receiving_count_suppressed.
        catalogue: service_code, name_en, started_on, ended_on (its order orders the lines).
        title: the figure title.
        y_title: the count axis title.
        lang: language of the numbers, months and hover text.
        names: display name of each programme (default: name_en).
        marker: what a suppressed month shows in the hover text.
    """
    names = names or dict(zip(catalogue["service_code"], catalogue["name_en"], strict=True))
    codes = [c for c in catalogue["service_code"] if c in set(series["service_code"])]
    fig = go.Figure()
    for code, (colour, dash) in styles(codes).items():
        rows = series[series["service_code"] == code].sort_values("month_end")
        name = formatting.plain(names.get(code, code))  # names come from the imported catalogue
        flags = rows.get("receiving_count_suppressed", rows["receiving_count"].isna())
        hover = [
            f"{i18n.month_year(m, lang)}: {formatting.cell(v, 'count', bool(h), marker, lang)}"
            for m, v, h in zip(rows["month_end"], rows["receiving_count"], flags, strict=True)
        ]
        fig.add_scatter(
            x=rows["month_end"], y=rows["receiving_count"].astype(float), name=name,
            mode="lines", line={"color": colour, "dash": dash, "width": 2}, customdata=hover,
            hovertemplate=f"{name}<br>%{{customdata}}<extra></extra>",
        )  # fmt: skip
    _marks(fig, uptake.events(series, catalogue, lang), lang)
    top = series["receiving_count"].astype(float).max()
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        xaxis=axes.month_ticks(series["month_end"], lang) | {"automargin": True},
        yaxis=axes.count_ticks(top, lang)
        | {"title": {"text": y_title}, "rangemode": "tozero", "automargin": True},
        legend={"title": {"text": ""}, "tracegroupgap": 2},
        height=480, margin={"l": 0, "r": 0, "t": 80, "b": 0}, font=coverage_charts.font(lang),
    )  # fmt: skip
    return fig


def _marks(fig: go.Figure, marked: pd.DataFrame, lang: str) -> None:
    """A thin line per start (dotted) or end (dashed), and one number per mark above the plot."""
    for day, kind in marked[["day", "kind"]].drop_duplicates().itertuples(index=False):
        fig.add_shape(
            type="line", x0=day, x1=day, y0=0, y1=1, yref="paper",
            line={"dash": "dot" if kind == "start" else "dash", "width": 1, "color": "#555"},
        )  # fmt: skip
    for mark, rows in marked.groupby("mark"):
        fig.add_annotation(
            x=rows["day"].min(), y=1, yref="paper", yanchor="bottom", showarrow=False,
            text=f"<b>{i18n.digits(mark, lang)}</b>", font={"size": 11, "color": "#333"},
            hovertext="<br>".join(uptake.event_text(r, lang) for r in rows.itertuples()),
        )  # fmt: skip
