import pandas as pd
import streamlit as st

import i18n
from appdb import accounts, audit
from data_access import reads
from exports import files
from ui import account_forms, admin_tables, auth, downloads, filters, threshold_form

user = auth.require("admin")
lang = st.session_state.get("lang", "en")
EVERY = ""  # every action: a code no action has, so that the choice outlives a language switch


def t(key: str, **values) -> str:
    return i18n.t(key, lang, **values)


st.title(t("admin.title"))
users_tab, audit_tab, threshold_tab = st.tabs(
    [t("admin.users"), t("admin.audit"), t("admin.threshold")]
)

with users_tab:
    account_forms.add_form(user, lang)
    account_forms.manage_form(user, lang)

    st.subheader(t("admin.accounts_title"))
    table = pd.DataFrame(accounts.list_accounts(), columns=list(accounts.LIST_COLUMNS))
    names = reads.province_list().set_index("province_code")[i18n.name_column(lang)].to_dict()
    shown = admin_tables.accounts_display(table, lang, names)
    st.dataframe(shown, key="admin_accounts", hide_index=True, placeholder="–")
    st.caption(t("admin.lockout", failures=i18n.digits(accounts.MAX_FAILURES, lang),
                 minutes=i18n.digits(accounts.LOCK_MINUTES, lang)))  # fmt: skip

with audit_tab:
    action = st.selectbox(
        t("admin.action"), [EVERY, *audit.actions()], key=filters.relabelled("admin_audit_action"),
        format_func=lambda a: admin_tables.action_label(a, lang) if a else t("admin.every_action"),
        placeholder=filters.choose(lang),
    )  # fmt: skip
    chosen = None if action == EVERY else action
    log = audit.recent(chosen, limit=10_000)
    st.dataframe(
        admin_tables.audit_display(log, lang),
        key="admin_audit_log",
        hide_index=True,
        placeholder="–",
    )
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
