"""The classification widgets every map offers: scheme, number of classes, fixed breaks."""

import dataclasses

import streamlit as st

import i18n
from charts import axes, classes
from ui import filters


def _breaks(text: str, percent: bool) -> list[float]:
    """Parse '10, 20, 50' into class limits (divided by 100 for rates); bad items ignored."""
    limits = []
    for item in text.replace(";", ",").split(","):
        try:
            value = float(item.strip().rstrip("%"))
        except ValueError:
            continue
        limits.append(value / 100 if percent else value)
    return sorted(set(limits))


def classification(
    prefix: str,
    values,
    lang: str,
    *,
    percent: bool,
    default_breaks: list[float],
    default: classes.Classification | None = None,
    fmt: classes.Formatter | None = None,
    scheme: str = "fixed",
) -> classes.Classification:
    """Render the map's classification widgets (keys `<prefix>_scheme`, `_k`, `_breaks`).

    Args:
        prefix: the widget key prefix, e.g. "needs_map".
        values: the values the map shows (a Series; missing ones ignored).
        lang: the UI language.
        percent: whether the values are rates (limits typed and shown as percentages).
        default_breaks: the fixed scheme's default upper limits (as values, not percent).
        default: the classes to use while the fixed scheme keeps its default limits.
        fmt: formats the legend's class limits in `lang` (default: percent or number).
        scheme: the scheme chosen when the page opens.
    """
    if fmt is None:  # the legend's limits in the language's digits and separators
        english = classes.percent if percent else classes.number
        fmt = lambda v: axes.localised(english(v), lang)  # noqa: E731
    left, mid, right = st.columns([2, 1, 2])
    scheme = left.selectbox(
        i18n.t("maps.scheme", lang), classes.SCHEMES, key=filters.relabelled(f"{prefix}_scheme"),
        index=classes.SCHEMES.index(scheme), placeholder=filters.choose(lang),
        format_func=lambda s: i18n.t(f"maps.scheme.{s}", lang),
    )  # fmt: skip
    # The number of classes does nothing for fixed limits, nor when the map shows two
    # distinct values or fewer (each is then a class of its own): the slider says so.
    k = mid.slider(
        i18n.t("maps.k", lang), 2, 9, classes.DEFAULT_K, key=f"{prefix}_k",
        help=i18n.t("maps.k_help", lang), disabled=not classes.k_applies(values, scheme),
    )  # fmt: skip
    shown = [v * 100 if percent else v for v in default_breaks]
    typed = right.text_input(
        i18n.t("maps.breaks", lang), ", ".join(f"{v:g}" for v in shown), key=f"{prefix}_breaks",
        help=i18n.t("maps.breaks_help", lang), disabled=scheme != "fixed",
    )  # fmt: skip
    breaks = _breaks(typed, percent) or default_breaks
    if scheme == "fixed" and default is not None and breaks == sorted(default_breaks):
        return default
    built = classes.build(values, scheme, k=k, breaks=breaks, fmt=fmt)
    return dataclasses.replace(built, no_data=i18n.t("chart.no_data", lang))
