"""Coverage dashboard entrypoint: sign-in gate, demo banner, shared filters, navigation."""

import datetime as dt
from pathlib import Path

import streamlit as st

import i18n
from appdb import accounts
from data_access import reads, scope
from store import storage
from ui import auth, filters

lang = filters.language()  # English / ខ្មែរ switch (key `lang`), kept in the URL as lang=km
st.set_page_config(
    page_title=i18n.t("app.title", lang),
    # a file of the app's own: a ":material/…:" icon makes browsers fetch it from a font host
    page_icon=str(Path(__file__).resolve().parent / "assets" / "favicon.png"),
    layout="wide",
)

# Every page of the app, in menu order: (file, title key in data/i18n, icon, least role).
# Every page is registered, so that its address always reaches it; the menu lists only
# those the user's role allows, and any other page opened by its address says it is not
# permitted, in the audit log too (restricted pages check again, when run on their own).
PAGES = [
    ("app_pages/coverage.py", "nav.coverage", ":material/map:", "viewer"),
    ("app_pages/needs.py", "nav.needs", ":material/priority_high:", "viewer"),
    ("app_pages/gaps.py", "nav.gaps", ":material/rule:", "viewer"),
    ("app_pages/uptake.py", "nav.uptake", ":material/trending_up:", "viewer"),
    ("app_pages/drilldown.py", "nav.drilldown", ":material/account_tree:", "viewer"),
    ("app_pages/planning.py", "nav.planning", ":material/flag:", "viewer"),
    ("app_pages/registry_sync.py", "nav.registry_sync", ":material/hub:", "viewer"),
    ("app_pages/import_data.py", "nav.import_data", ":material/upload_file:", "data_manager"),
    ("app_pages/methodology.py", "nav.methodology", ":material/menu_book:", "viewer"),
    ("app_pages/admin.py", "nav.admin", ":material/shield_person:", "admin"),
]


def navigation(role: str | None):
    """The page the address asks for, and the least role it needs; the menu shows `role`'s.

    Before sign-in (`role` None) no menu is shown and no page runs, but the page asked for
    is kept through the sign-in, so that a shared link to a page opens that page after it.
    """
    pages = [
        (st.Page(
            file, title=i18n.t(title, lang), icon=icon, default=i == 0,
            visibility="visible" if role is None or accounts.allows(role, least) else "hidden",
        ), least)
        for i, (file, title, icon, least) in enumerate(PAGES)
    ]  # fmt: skip
    page = st.navigation([p for p, _ in pages], position="sidebar" if role else "hidden")
    return page, {p.url_path: least for p, least in pages}[page.url_path]


# Nothing from the store is read or shown before someone with a role has signed in; the
# gate pins the user's provinces, so every read below returns only the rows they may see.
user = auth.gate(before_sign_in=lambda: navigation(None))

try:
    reads.pin_version()  # every figure of this run from one store version
    summary = reads.store_summary()
except storage.StoreMissing:
    st.error(i18n.t("app.no_store", lang))
    st.stop()
except storage.StoreDamaged:
    st.error(i18n.t("app.store_damaged", lang))
    st.stop()
except storage.StoreOutdated:
    st.error(i18n.t("app.store_outdated", lang))
    st.stop()

if summary["is_demo"]:
    st.warning(i18n.t("app.demo_banner", lang), icon=":material/warning:")

st.session_state["coverage_filter"] = filters.sidebar(lang)
# Which version of the store every figure on screen comes from.
if summary["data_as_of"]:
    built = str(summary["built_at"] or "")[:16].replace("T", " ")
    as_of = dt.date.fromisoformat(summary["data_as_of"])
    st.sidebar.caption(
        i18n.t("app.data_as_of", lang, date=i18n.date_text(as_of, lang),
               built=i18n.digits(built, lang))
    )  # fmt: skip
st.session_state["store_summary"] = summary
auth.sidebar(user)

page, least = navigation(user.role)
if not accounts.allows(user.role, least):
    auth.refuse(least, page=page.url_path)
try:
    page.run()
except storage.StoreDamaged:  # found only when a page reads a damaged part of the file
    st.error(i18n.t("app.store_damaged", lang))
except storage.StoreOutdated:  # a table a page reads is missing from an older store
    st.error(i18n.t("app.store_outdated", lang))
except scope.OutOfScope:  # a province outside the user's scope (audited where refused)
    st.error(i18n.t("auth.out_of_scope", lang))
