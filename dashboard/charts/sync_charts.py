"""Pure figures of the registry synchronisation page: an UpSet-style overlap chart."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import i18n
from indicators import formatting

BAR = "#2171b5"
HIDDEN = "#bdbdbd"
DOT_OFF = {"color": "#e0e0e0", "size": 11}
DOT_ON = {"color": "#252525", "size": 11}


def _intersection_bars(fig: go.Figure, rows: pd.DataFrame, hidden_label: str, lang: str) -> None:
    counts = rows["person_count"].fillna(0).astype(float)
    hidden = rows["suppressed"].tolist()
    fig.add_trace(
        go.Bar(
            x=list(range(len(rows))),
            y=counts,
            marker_color=[HIDDEN if h else BAR for h in hidden],
            text=[
                hidden_label if h else i18n.number(v, lang)
                for v, h in zip(counts, hidden, strict=True)
            ],
            textposition="outside",
            hovertext=[" + ".join(map(formatting.plain, s)) for s in rows["sources"]],
            hoverinfo="text",
            showlegend=False,
        ),
        row=1,
        col=2,
    )


def _membership_dots(fig: go.Figure, rows: pd.DataFrame, sources: list[str]) -> None:
    every = list(range(len(sources)))
    for i, members in enumerate(rows["sources"]):
        on = [sources.index(s) for s in members]
        for ys, marker in ((every, DOT_OFF), (on, DOT_ON)):
            fig.add_trace(
                go.Scatter(
                    x=[i] * len(ys), y=ys, mode="lines+markers", marker=marker,
                    line={"color": marker["color"]}, hoverinfo="skip", showlegend=False,
                ),
                row=2,
                col=2,
            )  # fmt: skip


def _size_bars(fig: go.Figure, sizes: pd.DataFrame, sources: list[str], lang: str) -> None:
    counts = sizes.set_index("source").reindex(sources)["person_count"].fillna(0).astype(float)
    ticks = [formatting.plain(s) for s in sources]  # registry codes: plain text
    fig.add_trace(
        go.Bar(
            y=list(range(len(sources))), x=counts, orientation="h", marker_color=BAR,
            hovertext=[
                i18n.t("format.pair", lang, label=s, value=i18n.number(c, lang))
                for s, c in zip(ticks, counts, strict=True)
            ],
            hoverinfo="text", showlegend=False,
        ),
        row=2,
        col=1,
    )  # fmt: skip
    fig.update_yaxes(
        tickvals=list(range(len(sources))), ticktext=ticks, automargin=True, row=2, col=1
    )  # the registry names shown whole
    fig.update_xaxes(autorange="reversed", row=2, col=1)


def upset(
    intersections: pd.DataFrame,
    sizes: pd.DataFrame,
    title: str,
    hidden_label: str,
    lang: str = "en",
):
    """Bars of persons per combination of registries above a dot matrix of its members.

    Args:
        intersections: suppressed overlap rows (sources, person_count, suppressed).
        sizes: registry sizes (source, person_count, suppressed).
        title: figure title.
        hidden_label: the bar label of a suppressed count.
        lang: the language of the numbers (registries are named by their codes).
    """
    rows = intersections.sort_values("person_count", ascending=False, na_position="last")
    rows = rows.reset_index(drop=True)
    sources = sizes.sort_values("person_count", na_position="first")["source"].tolist()
    fig = make_subplots(
        rows=2, cols=2, shared_xaxes="columns", shared_yaxes="rows",
        column_widths=[0.22, 0.78], row_heights=[0.62, 0.38],
        horizontal_spacing=0.01, vertical_spacing=0.02,
    )  # fmt: skip
    _intersection_bars(fig, rows, hidden_label, lang)
    _membership_dots(fig, rows, sources)
    _size_bars(fig, sizes, sources, lang)
    fig.update_yaxes(showticklabels=False, row=2, col=2)
    fig.update_xaxes(showticklabels=False, row=2, col=2)
    fig.update_xaxes(showticklabels=False, row=1, col=2)
    fig.update_layout(
        title={"text": title, "font": {"size": 16}}, height=520, bargap=0.3,
        margin={"l": 0, "r": 0, "t": 48, "b": 0}, plot_bgcolor="white",
    )  # fmt: skip
    return fig
