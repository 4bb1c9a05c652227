"""'Explain this number': a popover that shows a figure's lineage (see indicators/lineage.py)."""

import pandas as pd
import streamlit as st

import i18n
import settings
from data_access import reads
from indicators import formatting, lineage

WORDS = ("all", "none", "yes", "no", "hidden", "shown")


def _word(value: str, lang: str) -> str:
    """A fixed word of a lineage (all, none, yes, no, hidden, shown) in the UI language."""
    return i18n.t(f"explain.value.{value}", lang) if value in WORDS else value


def _note(note: str, lang: str) -> str:
    """One suppression note ('kind:value') in words."""
    kind, _, value = note.partition(":")
    label = _word(value, lang)
    if kind in ("hidden_count", "hidden_input"):
        label = i18n.t(f"explain.field.{value}", lang)
    return i18n.t(f"explain.note.{kind}", lang, value=label)


def _fact(key: str, value: str, lang: str) -> str:
    # A fact may quote a file (the population estimate's source, a programme's code).
    value = formatting.plain(_word(value, lang))
    if key.startswith("input:"):
        return f"- {i18n.t('needs.input.' + key.removeprefix('input:'), lang)}: {value}"
    return f"- {i18n.t('explain.fact.' + key, lang)}: {value}"


def render(item: lineage.Lineage, lang: str, key: str) -> None:
    """Write a lineage into the current container: facts, suppression, sources, batches."""
    st.markdown(f"**{item.figure}: {item.value}**")  # a reference name, a computed value
    st.markdown("\n".join(_fact(k, v, lang) for k, v in item.facts))
    st.markdown(f"**{i18n.t('explain.suppression', lang)}**")
    st.markdown("\n".join(f"- {_note(n, lang)}" for n in item.suppression))
    st.markdown(
        f"**{i18n.t('explain.computed_by', lang)}** " + ", ".join(f"`{q}`" for q in item.queries)
    )
    st.markdown(f"**{i18n.t('explain.batches', lang)}**")
    st.dataframe(item.batches, hide_index=True, key=f"{key}_batches")


def popover(label: str, item: lineage.Lineage, lang: str, key: str) -> None:
    """A button that opens the figure's lineage."""
    with st.popover(label, icon=":material/help:", key=key):
        render(item, lang, key)


def _place(rows: pd.DataFrame, prefix: str, lang: str) -> pd.Series:
    """Choose which province's (or the country's) figure to explain; its row."""
    names = dict(zip(rows["province_code"], rows["province_name_en"], strict=True))
    code = st.selectbox(
        i18n.t("explain.which", lang), list(names), key=f"{prefix}_province", format_func=names.get
    )
    return rows[rows["province_code"] == code].iloc[0]


def _lazy_popover(lang: str, key: str):
    """The 'Explain' popover, whose lineage is built only while it is open.

    Opening it reruns the page: a closed popover costs no lineage query and sends no
    elements, so the page's first render and every filter change skip them.
    """
    return st.popover(
        i18n.t("explain.button", lang), icon=":material/help:", key=key, on_change="rerun"
    )


def coverage_popover(table: pd.DataFrame, f, lang: str, threshold: int) -> None:
    """Explain a coverage rate (the national KPI first, then any province's), once opened."""
    with _lazy_popover(lang, "coverage_explain") as shown:
        if not shown.open:
            return
        ordered = pd.concat(
            [
                table[table["province_code"] == settings.NATIONAL],
                table[table["province_code"] != settings.NATIONAL],
            ]
        )
        row = _place(ordered, "coverage_explain", lang)
        batches = reads.lineage_batches(f, row["province_code"])
        render(lineage.coverage(row, table, f, batches, threshold), lang, "coverage_explain")


def needs_popover(ranked: pd.DataFrame, weights: dict, status: dict, f, lang: str, threshold: int):
    """Explain a province's needs rank: inputs, weights, contributions and sources, once opened."""
    with _lazy_popover(lang, "needs_explain") as shown:
        if not shown.open:
            return
        row = _place(ranked, "needs_explain", lang)
        batches = reads.lineage_batches(f, row["province_code"])
        item = lineage.needs_rank(row, weights, status, f, batches, threshold)
        render(item, lang, "needs_explain")
