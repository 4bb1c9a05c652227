"""Coverage dashboard entrypoint: sign-in gate, demo banner, shared filters, navigation."""

import streamlit as st

import accounts
import auth
import data_access
import filters
import i18n
import store

st.set_page_config(
    page_title="Social protection coverage of informal workers",
    page_icon=":material/map:",
    layout="wide",
)

# Nothing from the store is read or shown before someone with a role has signed in.
user = auth.gate()

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
auth.sidebar(user)

# Every page of the app, in menu order: (file, title, icon, least role that sees it).
# The menu lists only the pages the user's role allows; restricted pages check again.
lang = st.session_state.get("lang", "en")
PAGES = [
    ("app_pages/coverage.py", "Coverage map", ":material/map:", "viewer"),
    ("app_pages/methodology.py", "Definitions and sources", ":material/menu_book:", "viewer"),
    ("app_pages/admin.py", i18n.t("nav.admin", lang), ":material/shield_person:", "admin"),
]
page = st.navigation(
    [
        st.Page(file, title=title, icon=icon, default=i == 0)
        for i, (file, title, icon, role) in enumerate(PAGES)
        if accounts.allows(user.role, role)
    ]
)
page.run()
