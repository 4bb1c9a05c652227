"""The admin page's disclosure-threshold form: save a new minimum count or reset it."""

import streamlit as st

import i18n
import settings
from appdb import app_settings, audit
from indicators import disclosure, formatting
from ui import auth


def _change(user: auth.User, new: int | None, old: int | None) -> None:
    """Store the new threshold (None: back to the default), audit it, and rerun."""
    try:
        app_settings.set_min_count(new, user.name)
    except ValueError as exc:
        st.error(formatting.plain(exc))
        return
    audit.record(user.name, "threshold_set", {"from": old, "to": new})
    st.rerun()


def render(user: auth.User, lang: str) -> None:
    """What the threshold does, then the form that saves or resets it.

    Args:
        user: the signed-in admin (named in the audit log).
        lang: the UI language.
    """
    stored, default = app_settings.stored_min_count(), settings.default_min_count()
    table = disclosure.load()
    st.write(i18n.t("admin.threshold_help", lang, default=i18n.digits(default, lang),
                    ptable=i18n.digits(table.threshold, lang)))  # fmt: skip
    with st.form("admin_threshold_form"):
        value = st.number_input(
            i18n.t("admin.threshold_value", lang), *settings.MIN_COUNT_RANGE,
            value=app_settings.min_count(), step=1, key="admin_threshold_value",
        )  # fmt: skip
        save, reset = st.columns(2)
        if save.form_submit_button(i18n.t("admin.save", lang), key="admin_threshold_save"):
            _change(user, int(value), stored)
        if reset.form_submit_button(i18n.t("admin.reset", lang), key="admin_threshold_reset"):
            _change(user, None, stored)
