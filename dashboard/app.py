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

# Every page of the app, in menu order: (file, title, icon).
PAGES = [
    ("app_pages/coverage.py", "Coverage map", ":material/map:"),
    ("app_pages/needs.py", "Needs assessment", ":material/priority_high:"),
    ("app_pages/gaps.py", "Gaps and targeting", ":material/rule:"),
    ("app_pages/uptake.py", "Service uptake", ":material/trending_up:"),
    ("app_pages/drilldown.py", "Districts and communes", ":material/account_tree:"),
    ("app_pages/planning.py", "Planning", ":material/flag:"),
    ("app_pages/methodology.py", "Definitions and sources", ":material/menu_book:"),
]
page = st.navigation(
    [
        st.Page(file, title=title, icon=icon, default=i == 0)
        for i, (file, title, icon) in enumerate(PAGES)
    ]
)
page.run()
