"""'Explain this number': a popover that shows a figure's lineage (see indicators/lineage.py)."""

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

import i18n
import settings
from data_access import registries
from indicators import formatting, lineage
from ui import admin_tables, filters, quoted

WORDS = ("all", "none", "yes", "no", "hidden", "shown")


def _word(value: str, lang: str) -> str:
    """A fixed word of a lineage (all, none, yes, no, hidden, shown) in the UI language."""
    return i18n.t(f"explain.value.{value}", lang) if value in WORDS else value


def _note(note: str, lang: str) -> str:
    """One suppression note ('kind:value') in words."""
    kind, _, value = note.partition(":")
    label = i18n.digits(_word(value, lang), lang)
    if kind in ("hidden_count", "hidden_input"):
        label = i18n.t(f"explain.field.{value}", lang)
    return i18n.t(f"explain.note.{kind}", lang, value=label)


DATES = {"month", "numerator_date", "denominator_date"}
QUOTED = {"denominator_source"}  # as the estimate's file gives it: quoted, not translated
NUMBERS = {"numerator", "denominator"}


def _value(key: str, value: str, lang: str, names: dict) -> str:
    """A fact's value in words: dates, numbers, programme and registry names, sex."""
    if value in WORDS:
        return _word(value, lang)
    if key in DATES:
        return i18n.date_text(dt.date.fromisoformat(value), lang)
    if key in NUMBERS:
        return i18n.number(int(value.replace(",", "")), lang)
    if key == "services":
        return ", ".join(str(names["services"].get(s, s)) for s in value.split(", "))
    if key in ("occupation", "source"):
        return str(names[key].get(value, value))
    if key == "sex":
        return i18n.t(f"sex.{value}", lang)
    return i18n.digits(value, lang)


def _fact(key: str, value, lang: str, names: dict) -> str:
    # A fact may quote a file (the population estimate's source, a programme's code).
    if key.startswith("input:"):
        shown, weight, status, share = value
        text = i18n.t(
            "explain.input", lang, value=i18n.digits(_word(shown, lang), lang),
            weight=i18n.digits(weight, lang), status=i18n.t(f"explain.status.{status}", lang),
            share=i18n.digits(share, lang),
        )  # fmt: skip
        return f"- {i18n.t('needs.input.' + key.removeprefix('input:'), lang)}: {text}"
    shown = formatting.plain(_value(key, value, lang, names))
    return f"- {i18n.t('explain.fact.' + key, lang)}: {shown}"


def _source(path: str, lang: str) -> str:
    """What computed a figure, in words (the lineage names the query or module file)."""
    return i18n.t(f"explain.source.{Path(path.split()[0]).stem}", lang)


def _batches(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The batches that fed a figure, with worded headers, uses and times."""
    shown = batches.copy()
    if "used_for" in shown:
        shown["used_for"] = [i18n.t(f"explain.used_for.{u}", lang) for u in shown["used_for"]]
    if "imported_at" in shown:
        shown["imported_at"] = [admin_tables.when(v, lang) for v in shown["imported_at"]]
    if "batch_id" in shown:
        shown["batch_id"] = [i18n.digits(b, lang) for b in shown["batch_id"]]
    if "kind" in shown:
        shown["kind"] = [formatting.word("import.kind_", k, lang) for k in shown["kind"]]
    if "source" in shown:
        registries = filters.labels(lang)["source"]
        shown["source"] = [registries.get(s, s) if isinstance(s, str) else "" for s in shown.source]
    return shown.rename(columns={c: i18n.t(f"explain.batch.{c}", lang) for c in shown.columns})


def render(item: lineage.Lineage, lang: str, key: str) -> None:
    """Write a lineage into the current container: facts, suppression, sources, batches."""
    names = filters.labels(lang)
    value = i18n.digits(_word(item.value, lang), lang)
    st.markdown(f"**{formatting.plain(item.figure)}: {value}**")
    quotes = [(k, v) for k, v in item.facts if k in QUOTED and v not in WORDS]
    st.markdown("\n".join(_fact(k, v, lang, names) for k, v in item.facts if (k, v) not in quotes))
    for k, v in quotes:
        label = i18n.t(f"explain.fact.{k}", lang)
        quoted.line(i18n.t("format.pair", lang, label=label, value=quoted.MARK), v, f"{key}_{k}",
                    caption=False)  # fmt: skip
    st.markdown(f"**{i18n.t('explain.suppression', lang)}**")
    st.markdown("\n".join(f"- {_note(n, lang)}" for n in item.suppression))
    sources = "; ".join(_source(q, lang) for q in item.queries)
    st.markdown(f"**{i18n.t('explain.computed_by', lang)}** {sources}")
    st.markdown(f"**{i18n.t('explain.batches', lang)}**")
    st.dataframe(
        _batches(item.batches, lang), hide_index=True, key=f"{key}_batches", placeholder="–"
    )


def popover(label: str, item: lineage.Lineage, lang: str, key: str) -> None:
    """A button that opens the figure's lineage."""
    with st.popover(label, icon=":material/help:", key=key):
        render(item, lang, key)


def _place(rows: pd.DataFrame, prefix: str, lang: str) -> pd.Series:
    """Choose which province's (or the country's) figure to explain; its row."""
    places = filters.places(lang)
    codes, english = rows["province_code"], rows["province_name_en"]
    names = {c: places.get(c, n) for c, n in zip(codes, english, strict=True)}
    code = st.selectbox(
        i18n.t("explain.which", lang), list(names), format_func=names.get,
        key=filters.relabelled(f"{prefix}_province"), placeholder=filters.choose(lang),
    )  # fmt: skip
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
        batches = registries.lineage_batches(f, row["province_code"])
        item = lineage.coverage(row, table, f, batches, threshold)
        render(_named(item, row, lang), lang, "coverage_explain")


def needs_popover(ranked: pd.DataFrame, weights: dict, status: dict, f, lang: str, threshold: int):
    """Explain a province's needs rank: inputs, weights, contributions and sources, once opened."""
    with _lazy_popover(lang, "needs_explain") as shown:
        if not shown.open:
            return
        row = _place(ranked, "needs_explain", lang)
        batches = registries.lineage_batches(f, row["province_code"])
        item = lineage.needs_rank(row, weights, status, f, batches, threshold)
        render(_named(item, row, lang), lang, "needs_explain")


def _named(item: lineage.Lineage, row: pd.Series, lang: str) -> lineage.Lineage:
    """The lineage with its place named in the UI language."""
    name = filters.places(lang).get(row["province_code"])
    return dataclasses.replace(item, figure=name) if isinstance(name, str) and name else item
