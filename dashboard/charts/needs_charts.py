"""Pure figures of the needs page: the contributions behind every rank."""

import pandas as pd
import plotly.graph_objects as go

import i18n
from indicators import needs

# One colour per input, in needs.INPUTS order (colour-blind safe, Okabe-Ito).
COLOURS = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#CC79A7", "#D55E00", "#F0E442")


def contributions(
    ranked: pd.DataFrame, labels: dict[str, str], title: str, axis_title: str, lang: str = "en"
) -> go.Figure:
    """Horizontal stacked bars: each ranked province's index split into input contributions.

    Args:
        ranked: needs.rank output with `province_name` in `lang`; unranked ones are left out.
        labels: display name of each input key.
        title: the figure title.
        axis_title: the index axis title.
        lang: the language of the numbers.
    """
    shown = ranked[ranked["needs_rank"].notna()].iloc[::-1]  # rank 1 drawn at the top
    names = [
        f"{i18n.digits(r, lang)}. {n}"
        for r, n in zip(shown["needs_rank"], shown["province_name"], strict=True)
    ]
    fig = go.Figure()
    for key, colour in zip(needs.KEYS, COLOURS, strict=True):
        values = shown[f"{key}_contribution"].astype(float)
        fig.add_bar(
            x=values,
            y=names,
            orientation="h",
            name=labels[key],
            marker_color=colour,
            customdata=[i18n.number(v, lang, 1) if pd.notna(v) else "–" for v in values],
            hovertemplate=f"%{{y}}<br>{labels[key]}: %{{customdata}}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        title={"text": title, "font": {"size": 16}},
        xaxis={
            "title": {"text": axis_title},
            "range": [0, 100],
            "tickvals": list(range(0, 101, 20)),
            "ticktext": [i18n.number(v, lang) for v in range(0, 101, 20)],
        },
        yaxis={"automargin": True},  # province names shown whole, exports too
        legend={"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top"},
        height=max(360, 28 * len(shown) + 160),
        margin={"l": 0, "r": 0, "t": 48, "b": 48},  # room for the axis title
    )
    return fig
