"""Coverage dashboard entrypoint: page config, demo banner, shared filters, navigation."""

import streamlit as st

import data_access
import filters
import store

st.set_page_config(
    page_title="Social protection coverage of informal workers",
    page_icon=":material/map:",
    layout="wide",
)

try:
    summary = data_access.store_summary()
except store.StoreMissing:
    st.error(
        "No data store yet. Build the demo with `make run` (or `python -m dashboard demo`), "
        "or import agency files with `python -m dashboard import`."
    )
    st.stop()

if summary["is_demo"]:
    st.warning(
        "**Demo data** — synthetic persons and modelled estimates, scaled to the demo's size. "
        "These are not official statistics.",
        icon=":material/warning:",
    )

st.session_state["coverage_filter"] = filters.sidebar()
st.session_state["store_summary"] = summary

page = st.navigation(
    [
        st.Page("app_pages/coverage.py", title="Coverage map", icon=":material/map:", default=True),
        st.Page(
            "app_pages/methodology.py", title="Definitions and sources", icon=":material/menu_book:"
        ),
    ]
)
page.run()
