import pandas as pd
import streamlit as st

import i18n
from appdb import accounts, audit
from exports import files
from ui import account_forms, auth, downloads, threshold_form

user = auth.require("admin")
lang = st.session_state.get("lang", "en")


def t(key: str, **values) -> str:
    return i18n.t(key, lang, **values)


def headed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The frame with translated column headings (the CSV keeps the plain names)."""
    return frame.rename(columns={c: t(f"{prefix}.{c}") for c in frame.columns})


st.title(t("admin.title"))
users_tab, audit_tab, threshold_tab = st.tabs(
    [t("admin.users"), t("admin.audit"), t("admin.threshold")]
)

with users_tab:
    account_forms.add_form(user, lang)
    account_forms.manage_form(user, lang)

    st.subheader(t("admin.accounts_title"))
    table = pd.DataFrame(accounts.list_accounts(), columns=list(accounts.LIST_COLUMNS))
    st.dataframe(headed(table, "admin.accounts"), key="admin_accounts", hide_index=True)
    st.caption(t("admin.lockout", failures=accounts.MAX_FAILURES, minutes=accounts.LOCK_MINUTES))

with audit_tab:
    every = t("admin.every_action")
    action = st.selectbox(t("admin.action"), [every, *audit.actions()], key="admin_audit_action")
    chosen = None if action == every else action
    log = audit.recent(chosen, limit=10_000)
    st.dataframe(headed(log, "admin.log"), key="admin_audit_log", hide_index=True)
    downloads.button(
        t("admin.audit_download"),
        lambda: files.to_csv(log),
        file_name="audit_log.csv",
        mime="text/csv",
        key="admin_audit_download",
        detail={"table": "audit_log", "format": "csv", "shown_action": chosen},
    )

with threshold_tab:
    threshold_form.render(user, lang)
