"""The needs page's inputs: the weight sliders, the inputs table, the inputs left out.

Also the ranking's download, with the weights it was ranked by.
"""

import pandas as pd
import streamlit as st

import i18n
from data_access import reads
from exports import files, rendering
from indicators import needs
from ui import auth, downloads, filters


def weights(labels: dict[str, str], lang: str) -> dict[str, float]:
    """Analysts adjust the weights; other roles see the ranking at the documented defaults.

    Args:
        labels: the display name of every input.
        lang: the UI language.

    Returns:
        A weight per input key.
    """
    if not auth.can("needs_weights"):
        st.caption(i18n.t("needs.default_weights", lang))
        return needs.default_weights()
    with st.container(border=True, key="needs_weights_box"):
        st.markdown(f"**{i18n.t('needs.weights', lang)}**")
        cols = st.columns(4)
        return {
            item.key: float(
                cols[i % 4].slider(
                    labels[item.key], 0, needs.MAX_WEIGHT, item.default_weight, step=5,
                    key=f"needs_weight_{item.key}",
                )
            )
            for i, item in enumerate(needs.INPUTS)
        }  # fmt: skip


def inputs_table(
    weights: dict[str, float], status: dict[str, str], labels: dict[str, str],
    ctx: rendering.ExportContext, stem: str,
) -> None:  # fmt: skip
    """A closed expander with the method and, per input, its definition, weights and status.

    Args:
        weights: the weight in use per input key.
        status: per input key, whether it varies (needs.status).
        labels: the display name of every input.
        ctx: the page's export context (its language is the UI's).
        stem: the download's file name without extension.
    """
    lang = ctx.lang
    title = i18n.t("needs.inputs_heading", lang)
    with st.expander(title, expanded=False):
        st.markdown(i18n.t("needs.method", lang))
        shown = pd.DataFrame(
            [
                {
                    i18n.t("needs.col.input", lang): labels[item.key],
                    i18n.t("needs.col.definition", lang): i18n.t(f"needs.def.{item.key}", lang),
                    i18n.t("needs.col.default_weight", lang): i18n.number(
                        item.default_weight, lang
                    ),
                    i18n.t("needs.col.weight", lang): i18n.number(weights[item.key], lang),
                    i18n.t("needs.col.status", lang): i18n.t(
                        f"needs.status.{status[item.key]}", lang
                    ),
                }
                for item in needs.INPUTS
            ]
        )
        downloads.shown_table(shown, title, ctx, stem, "needs_inputs_table")


def left_out_notes(
    values: pd.DataFrame, status: dict[str, str], labels: dict[str, str], lang: str
) -> None:
    """One notice per input left out of the index (the same everywhere, or shown nowhere).

    Args:
        values: the inputs per province (needs.inputs).
        status: per input key, whether it varies (needs.status).
        labels: the display name of every input.
        lang: the UI language.
    """
    for key, state in status.items():
        if state != "varies":
            shown = values[key].dropna()
            share = state == "constant" and "share" in key
            value = f" ({i18n.percent(shown.iloc[0], lang)})" if share else ""
            st.info(i18n.t(f"needs.left_out.{state}", lang, input=labels[key]) + value)


def download(
    ranked: pd.DataFrame, weights: dict[str, float], f: reads.CoverageFilter, lang: str
) -> None:
    """The ranking as CSV (key `needs_download_csv`), audited with its filters and weights.

    Args:
        ranked: the ranking (needs.rank).
        weights: the weight per input it was ranked by.
        f: the shared coverage filter.
        lang: the UI language.
    """
    downloads.button(
        i18n.t("needs.download", lang),
        lambda: files.to_csv(needs.export_table(ranked, weights, f.as_of)),
        file_name=f"needs_by_province_{f.as_of:%Y-%m}.csv", mime="text/csv",
        key="needs_download_csv", detail={"filters": filters.describe(f, lang), "weights": weights},
    )  # fmt: skip
