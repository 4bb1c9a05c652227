"""The clerical review queue of the Registry synchronisation page, and its decision buttons.

Shown to those who see the page's detail (data managers and administrators, whose role
may manage data: auth `import`), for the pairs whose two records lie in their provinces;
an account limited to one agency decides only pairs with a record of that agency. A
decision is applied through linkage.review (a new store version) and recorded in the audit
log as `review_decision`, naming the records by source and agency record number only.
"""

import pandas as pd
import streamlit as st

import i18n
from appdb import audit, scopes
from data_access import reads, scope
from exports import rendering
from indicators import formatting
from linkage import review
from store import storage
from ui import auth, downloads, filters

SHOWN = 50  # the most probable pairs shown (the count says how many await)
DONE = "registry_sync_review_done"  # what the last decision did, said after the rerun


@st.cache_data(ttl=reads.TTL, max_entries=8, show_spinner=False)
def _queue(version: str, provinces: tuple[str, ...] | None) -> tuple[dict, pd.DataFrame]:
    """(the queue's size, its first SHOWN pairs compared) in the store version read."""
    con = reads.connection()
    found = review.pairs(con, provinces)
    return review.queue_size(found), review.queue(con, found.head(SHOWN), provinces)


def _place(row: pd.Series, side: str, lang: str) -> str:
    province = row[f"province_name_{lang}_{side}"] or row[f"province_code_{side}"]
    commune = row[f"commune_name_{lang}_{side}"] or row[f"commune_code_{side}"] or "–"
    return f"{province} / {commune}"


def _record(row: pd.Series, side: str) -> str:
    return f"{row[f'source_{side}']} · {row[f'record_id_{side}']}"


def table(shown: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The queue as shown: why, probability, both records and places, the comparison."""
    names = shown.astype(object).where(shown.notna(), None)
    rows = [
        {
            i18n.t("review.col_kind", lang): i18n.t(f"review.kind_{row['kind']}", lang),
            i18n.t("review.col_probability", lang): i18n.number(row["probability"], lang, 2),
            i18n.t("review.col_record", lang): _record(row, "l"),
            i18n.t("review.col_place", lang): _place(row, "l", lang),
            i18n.t("review.col_other_record", lang): _record(row, "r"),
            i18n.t("review.col_other_place", lang): _place(row, "r", lang),
            i18n.t("review.col_comparison", lang): review.sentence(row, lang),
        }
        for _, row in names.iterrows()
    ]
    return pd.DataFrame(rows)


def render(user: auth.User, ctx: rendering.ExportContext, stem: str) -> None:
    """The queue's size, its first pairs (downloadable), and for those who may, the decisions.

    Args:
        user: who sees the queue.
        ctx: the page's export context (its language is the UI's).
        stem: the queue download's file name without extension.
    """
    lang = ctx.lang
    st.subheader(i18n.t("review.title", lang))
    st.caption(i18n.t("review.intro", lang))
    if done := st.session_state.pop(DONE, None):
        (st.success if done[0] == "success" else st.error)(done[1])
    try:
        size, shown = _queue(reads.store_version(), scope.provinces())
    except storage.StoreOutdated:  # a store written before the queue existed
        st.info(i18n.t("review.outdated", lang))
        return
    pairs, typos = (i18n.number(size[k], lang) for k in ("pairs", "id_typo"))
    st.caption(i18n.t("review.size", lang, pairs=pairs, id_typo=typos))
    if shown.empty:
        st.info(i18n.t("review.empty", lang))
        return
    if size["pairs"] > len(shown):
        st.caption(i18n.t("review.shown", lang, shown=i18n.number(len(shown), lang)))
    downloads.shown_table(
        table(shown, lang),
        i18n.t("review.title", lang),
        ctx,
        stem,
        "registry_sync_review_queue",
    )
    st.caption(i18n.t("review.note", lang))
    if not auth.can("import"):
        return
    mine = [
        i for i, row in shown.iterrows()
        if scopes.allows_agency(user.agency, row["source_l"])
        or scopes.allows_agency(user.agency, row["source_r"])
    ]  # fmt: skip
    if not mine:
        st.caption(i18n.t("review.read_only", lang, agency=formatting.plain(user.agency)))
        return
    labels = {
        f"{i + 1}. {_record(shown.loc[i], 'l')} ↔ {_record(shown.loc[i], 'r')}": i for i in mine
    }
    label = st.selectbox(
        i18n.t("review.pair", lang),
        list(labels),
        key="registry_sync_review_pair",
        placeholder=filters.choose(lang),
    )
    st.caption(i18n.t("review.decide_note", lang))
    with st.container(horizontal=True):
        same = st.button(i18n.t("review.same", lang), key="registry_sync_review_same")
        different = st.button(
            i18n.t("review.different", lang), key="registry_sync_review_different"
        )
    if same or different:
        decide(shown.loc[labels[label]], "same" if same else "different", user, lang)
        st.rerun()


def decide(row: pd.Series, decision: str, user: auth.User, lang: str) -> None:
    """Apply a decision on a shown pair, audit it, and keep what to say after the rerun."""
    chosen = review.Decision(
        row["source_l"], row["record_id_l"], row["source_r"], row["record_id_r"],
        decision, row["kind"], float(row["probability"]),
    )  # fmt: skip
    names = {"record": formatting.plain(_record(row, "l")),
             "other": formatting.plain(_record(row, "r"))}  # fmt: skip
    try:
        effect = review.decide(chosen, user.name)
    except review.Refused as refused:
        st.session_state[DONE] = ("error", i18n.t(f"review.refused_{refused.reason}", lang))
        return
    except storage.DiskFull:
        st.session_state[DONE] = ("error", i18n.t("review.disk_full", lang))
        return
    detail = {"decision": decision, "kind": chosen.kind, "effect": effect,
              "probability": round(chosen.probability, 4),
              "source_l": chosen.source_l, "record_id_l": chosen.record_id_l,
              "source_r": chosen.source_r, "record_id_r": chosen.record_id_r}  # fmt: skip
    audit.record(user.name, "review_decision", detail)
    st.session_state[DONE] = ("success", i18n.t(f"review.done_{effect}", lang, **names))
