import pandas as pd
import streamlit as st

import i18n
import settings
from appdb import accounts, app_settings, audit
from exports import files
from ui import auth

user = auth.require("admin")
lang = st.session_state.get("lang", "en")


def t(key: str, **values) -> str:
    return i18n.t(key, lang, **values)


def apply(action: str, detail: dict, change, *args) -> None:
    """Run one account change, audit it, and report its outcome in plain words."""
    try:
        change(*args)
    except accounts.AccountError as exc:
        st.error(i18n.t(exc.key, lang, **exc.values))
        return
    audit.record(user.name, action, detail)
    st.success(t("admin.done"))


def change_threshold(new: int | None, old: int | None) -> None:
    app_settings.set_min_count(new, user.name)
    audit.record(user.name, "threshold_set", {"from": old, "to": new})
    st.rerun()


def headed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The frame with translated column headings (the CSV keeps the plain names)."""
    return frame.rename(columns={c: t(f"{prefix}.{c}") for c in frame.columns})


st.title(t("admin.title"))
users_tab, audit_tab, threshold_tab = st.tabs(
    [t("admin.users"), t("admin.audit"), t("admin.threshold")]
)

with users_tab:
    with st.form("admin_add_form", clear_on_submit=True):
        st.subheader(t("admin.add_title"))
        name = st.text_input(t("auth.username"), key="admin_add_name", help=t("admin.name_help"))
        role = st.selectbox(
            t("admin.role"), accounts.ROLES, key="admin_add_role",
            format_func=lambda r: t(f"role.{r}"),
        )  # fmt: skip
        password = st.text_input(
            t("auth.password"), type="password", key="admin_add_password",
            help=t("admin.password_help", length=accounts.MIN_PASSWORD_LENGTH),
        )  # fmt: skip
        if st.form_submit_button(t("admin.add"), key="admin_add_submit"):
            apply("user_add", {"name": name, "role": role, "password": bool(password)},
                  accounts.add, name, role, password or None)  # fmt: skip

    names = [a["name"] for a in accounts.list_accounts()]
    with st.form("admin_manage_form"):
        st.subheader(t("admin.manage_title"))
        target = st.selectbox(t("admin.account"), names, key="admin_manage_name")
        new_role = st.selectbox(
            t("admin.role"), accounts.ROLES, key="admin_manage_role",
            format_func=lambda r: t(f"role.{r}"),
        )  # fmt: skip
        unlock, set_role, remove = st.columns(3)
        if unlock.form_submit_button(t("admin.unlock"), key="admin_unlock") and target:
            apply("user_unlock", {"name": target}, accounts.unlock, target)
        if set_role.form_submit_button(t("admin.set_role"), key="admin_set_role") and target:
            apply("user_role", {"name": target, "role": new_role},
                  accounts.set_role, target, new_role, user.name)  # fmt: skip
        if remove.form_submit_button(t("admin.remove"), key="admin_remove") and target:
            apply("user_remove", {"name": target}, accounts.remove, target, user.name)

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
    st.download_button(
        t("admin.audit_download"),
        data=files.to_csv(log),
        file_name="audit_log.csv",
        mime="text/csv",
        key="admin_audit_download",
        on_click=auth.record,
        args=("export", {"table": "audit_log", "format": "csv", "action": chosen}),
    )

with threshold_tab:
    stored, default = app_settings.stored_min_count(), settings.default_min_count()
    st.write(t("admin.threshold_help", default=default))
    with st.form("admin_threshold_form"):
        value = st.number_input(
            t("admin.threshold_value"), *settings.MIN_COUNT_RANGE,
            value=app_settings.min_count(), step=1, key="admin_threshold_value",
        )  # fmt: skip
        save, reset = st.columns(2)
        if save.form_submit_button(t("admin.save"), key="admin_threshold_save"):
            change_threshold(int(value), stored)
        if reset.form_submit_button(t("admin.reset"), key="admin_threshold_reset"):
            change_threshold(None, stored)
