"""The floor page of the browser bench: one province choropleth_map and one table.

It is the least any Streamlit map page can cost (no store, no sign-in, no other element),
so the bench times the coverage page against it in the same run on the same machine:
`streamlit run dashboard/bench_floor.py`. The select box changes the values shown, which
reruns the script and redraws the map, as a filter change does on the coverage page.
"""

import plotly.express as px
import streamlit as st

from charts import coverage_charts
from ingest import reference

KEY = "floor_values"
CHOICES = ("first", "second")


def frame(choice: str):
    """One row per province with a value that differs between the two choices."""
    provinces = reference.read_csv("provinces")[["province_code", "name_en"]]
    step = 1 if choice == CHOICES[0] else 7
    provinces["value"] = [(i * step) % 25 / 25 for i in range(len(provinces))]
    return provinces


def figure(table):
    """The provinces coloured by value on a blank map background."""
    return px.choropleth_map(
        table,
        geojson=coverage_charts.province_geojson(),
        locations="province_code",
        featureidkey="properties.province_code",
        color="value",
        map_style="white-bg",
        center=coverage_charts.CENTER,
        zoom=5.7,
        height=520,
    )


choice = st.selectbox("Values", CHOICES, key=KEY)
table = frame(choice)
st.plotly_chart(figure(table), key="floor_map")
st.dataframe(table, key="floor_table", hide_index=True)
