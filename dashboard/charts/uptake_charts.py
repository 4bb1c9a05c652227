"""Pure figures of the uptake page: monthly series with programme start dates marked."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from indicators import formatting


def trend(series: pd.DataFrame, catalogue: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Persons receiving each service per month end; dotted lines where a programme starts.

    Args:
        series: month_end, service_code, receiving_count (missing where suppressed: a gap).
        catalogue: service_code, name_en, started_on, ended_on.
        title: the figure title.
        y_title: the count axis title.
    """
    # Names and codes come from the imported catalogue: labels as plain text.
    names = catalogue.set_index("service_code")["name_en"].map(formatting.plain)
    data = series.assign(
        service=series["service_code"].map(names), persons=series["receiving_count"].astype(float)
    )
    fig = px.line(data, x="month_end", y="persons", color="service", markers=False)
    first, last = data["month_end"].min(), data["month_end"].max()
    shown = catalogue[catalogue["service_code"].isin(series["service_code"].unique())]
    for row in shown.itertuples():
        for day, dash in ((row.started_on, "dot"), (row.ended_on, "dash")):
            if pd.isna(day) or not first <= pd.Timestamp(day) <= last:
                continue
            fig.add_shape(
                type="line", x0=day, x1=day, y0=0, y1=1, yref="paper",
                line={"dash": dash, "width": 1, "color": "#555"},
            )  # fmt: skip
            fig.add_annotation(
                x=day, y=1, yref="paper", text=formatting.plain(row.service_code), showarrow=False,
                textangle=-90, xanchor="right", yanchor="top", font={"size": 9, "color": "#555"},
            )  # fmt: skip
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        xaxis_title="", yaxis_title=y_title, legend={"title": {"text": ""}},
        height=460, margin={"l": 0, "r": 0, "t": 48, "b": 0},
    )  # fmt: skip
    return fig
