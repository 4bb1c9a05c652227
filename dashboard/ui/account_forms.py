"""The admin page's account forms: add an account; unlock, re-role, limit or remove one."""

import functools
from collections.abc import Callable

import streamlit as st

import i18n
from appdb import accounts, audit, scopes
from data_access import reads
from indicators import formatting
from ui import auth, filters


def _apply(user: auth.User, lang: str, action: str, detail: dict, change: Callable, *args) -> None:
    """Run one account change, audit it, and report its outcome in plain words."""
    try:
        change(*args)
    except accounts.AccountError as exc:
        st.error(i18n.t(exc.key, lang, **{k: formatting.plain(v) for k, v in exc.values.items()}))
        return
    audit.record(user.name, action, detail)
    st.success(i18n.t("admin.done", lang))


def _scope_inputs(prefix: str, lang: str) -> tuple[str | None, list[str]]:
    """A form's agency and provinces inputs (keys `<prefix>_agency`, `<prefix>_provinces`).

    Empty means no limit. The provinces come from the reference list, not the store, so an
    administrator limited to some provinces still chooses among all of them.
    """
    t = functools.partial(i18n.t, lang=lang)
    agency = st.selectbox(
        t("admin.agency"), ["", *reads.source_registries()["source"]],
        key=filters.relabelled(f"{prefix}_agency"), placeholder=filters.choose(lang),
        format_func=lambda a: a or t("admin.every_agency"), accept_new_options=True,
        help=t("admin.agency_help"),
    )  # fmt: skip
    names = scopes.reference_provinces()
    column = "name_km" if lang == "km" else "name_en"
    provinces = st.multiselect(
        t("admin.provinces"), list(names), key=filters.relabelled(f"{prefix}_provinces"),
        format_func=lambda code: f"{i18n.digits(code, lang)} {names[code][column]}",
        placeholder=t("admin.every_province"), help=t("admin.provinces_help"),
    )  # fmt: skip
    return (agency or "").strip().upper() or None, provinces


def add_form(user: auth.User, lang: str) -> None:
    """The form that adds an account: name, role, an optional password, and its scope.

    Args:
        user: the signed-in admin (named in the audit log).
        lang: the UI language.
    """
    t = functools.partial(i18n.t, lang=lang)
    with st.form("admin_add_form", clear_on_submit=True):
        st.subheader(t("admin.add_title"))
        name = st.text_input(t("auth.username"), key="admin_add_name", help=t("admin.name_help"))
        role = st.selectbox(
            t("admin.role"), accounts.ROLES, key=filters.relabelled("admin_add_role"),
            format_func=lambda r: t(f"role.{r}"), placeholder=filters.choose(lang),
        )  # fmt: skip
        password = st.text_input(
            t("auth.password"), type="password", key="admin_add_password",
            help=t("admin.password_help", length=i18n.digits(accounts.MIN_PASSWORD_LENGTH, lang)),
        )  # fmt: skip
        agency, provinces = _scope_inputs("admin_add", lang)
        if st.form_submit_button(t("admin.add"), key="admin_add_submit"):
            detail = {"name": name, "role": role, "password": bool(password)}
            detail |= {"agency": agency, "provinces": ",".join(provinces) or None}
            _apply(user, lang, "user_add", detail,
                   accounts.add, name, role, password or None, agency, provinces)  # fmt: skip


def manage_form(user: auth.User, lang: str) -> None:
    """The form that unlocks an account, changes its role or its scope, or removes it.

    Args:
        user: the signed-in admin (named in the audit log; cannot demote or remove themself).
        lang: the UI language.
    """
    t = functools.partial(i18n.t, lang=lang)
    names = [a["name"] for a in accounts.list_accounts()]
    with st.form("admin_manage_form"):
        st.subheader(t("admin.manage_title"))
        target = st.selectbox(
            t("admin.account"), names, key="admin_manage_name", placeholder=filters.choose(lang)
        )
        new_role = st.selectbox(
            t("admin.role"), accounts.ROLES, key=filters.relabelled("admin_manage_role"),
            format_func=lambda r: t(f"role.{r}"), placeholder=filters.choose(lang),
        )  # fmt: skip
        agency, provinces = _scope_inputs("admin_manage", lang)
        unlock, set_role, set_scope, remove = st.columns(4)
        if unlock.form_submit_button(t("admin.unlock"), key="admin_unlock") and target:
            _apply(user, lang, "user_unlock", {"name": target}, accounts.unlock, target)
        if set_role.form_submit_button(t("admin.set_role"), key="admin_set_role") and target:
            _apply(user, lang, "user_role", {"name": target, "role": new_role},
                   accounts.set_role, target, new_role, user.name)  # fmt: skip
        if set_scope.form_submit_button(t("admin.set_scope"), key="admin_set_scope") and target:
            detail = {"name": target, "agency": agency, "provinces": ",".join(provinces) or None}
            _apply(user, lang, "user_scope", detail,
                   accounts.set_scope, target, agency, provinces)  # fmt: skip
        if remove.form_submit_button(t("admin.remove"), key="admin_remove") and target:
            _apply(user, lang, "user_remove", {"name": target}, accounts.remove, target, user.name)
