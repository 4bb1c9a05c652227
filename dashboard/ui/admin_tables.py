"""The administration page's tables in plain words: no codes, no "None", no ISO stamps.

The tables on screen say what an administrator reads (a role's name, "Set" for a password,
"7 December 2026, 14:03" for a time); the audit-log CSV keeps the stored values.
"""

import json

import pandas as pd

import i18n
from indicators import formatting


def when(value: object, lang: str) -> str:
    """A stored UTC time in words, e.g. 7 December 2026, 14:03 ('' when there is none)."""
    return formatting.moment(value, lang)


def action_label(code: str, lang: str) -> str:
    """An audit action's name in words (its code, spaced, for an action named nowhere)."""
    key = f"audit.action.{code}"
    known = key in i18n.strings(lang) or key in i18n.strings(i18n.DEFAULT)
    return i18n.t(key, lang) if known else str(code).replace("_", " ")


def _detail(text: object, lang: str) -> str:
    """An audit entry's detail as `name: value` pairs, without JSON's braces and quotes."""
    try:
        values = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return str(text)
    if not isinstance(values, dict):
        return str(values)
    pairs = []
    for name, value in values.items():
        if value is None or value in ("", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        if isinstance(value, bool):
            shown = i18n.t(f"explain.value.{'yes' if value else 'no'}", lang)
        elif name == "role" and f"role.{value}" in i18n.strings(i18n.DEFAULT):
            shown = i18n.t(f"role.{value}", lang)
        pairs.append(i18n.t("format.pair", lang, label=_detail_name(name, lang), value=shown))
    return i18n.digits(i18n.t("format.list_separator", lang).join(pairs), lang)


def _detail_name(name: object, lang: str) -> str:
    """A detail's name in words (its name, spaced, for one named nowhere)."""
    key = f"audit.detail.{name}"
    return i18n.t(key, lang) if key in i18n.strings(i18n.DEFAULT) else str(name).replace("_", " ")


def accounts_display(table: pd.DataFrame, lang: str, province_names: dict) -> pd.DataFrame:
    """The accounts table as shown: words for roles, passwords, scope and times."""
    every_agency, every_province = (
        i18n.t("admin.every_agency", lang),
        i18n.t("admin.every_province", lang),
    )

    def provinces(codes: object) -> str:
        listed = [c for c in str(codes or "").split(",") if c]
        return ", ".join(province_names.get(c, c) for c in listed) or every_province

    shown = pd.DataFrame(
        {
            "name": table["name"],
            "role": [i18n.t(f"role.{r}", lang) if r else "" for r in table["role"]],
            "agency": [a or every_agency for a in table["agency"]],
            "provinces": [provinces(p) for p in table["provinces"]],
            "has_password": [
                i18n.t("admin.password_set" if p else "admin.password_none", lang)
                for p in table["has_password"]
            ],
            "failed_count": [i18n.number(n or 0, lang) for n in table["failed_count"]],
            "locked_until": [when(v, lang) for v in table["locked_until"]],
            "created_at": [when(v, lang) for v in table["created_at"]],
            "last_sign_in_at": [when(v, lang) for v in table["last_sign_in_at"]],
        }
    )
    return shown.rename(columns={c: i18n.t(f"admin.accounts.{c}", lang) for c in shown.columns})


def audit_display(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit log as shown: entry number, time and action in words, detail as pairs."""
    shown = pd.DataFrame(
        {
            "id": [i18n.digits(i, lang) for i in log["id"]],
            "at": [when(v, lang) for v in log["at"]],
            "user_name": log["user_name"].fillna(""),
            "action": [action_label(a, lang) for a in log["action"]],
            "detail": [_detail(d, lang) for d in log["detail"]],
        }
    )
    return shown.rename(columns={c: i18n.t(f"admin.log.{c}", lang) for c in shown.columns})
