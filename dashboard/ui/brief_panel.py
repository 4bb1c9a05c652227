"""The briefing-pack panel: choose an area and a format, download the pack (audited).

The pack is built on click, outside the script run, so the user's provinces are taken
now (`scope.provinces()`) and handed to `brief.build`: a user limited to some provinces
chooses among them (no national pack) and gets only their rows and the national row.
"""

import datetime as dt

import pandas as pd
import streamlit as st

import i18n
import settings
from charts import coverage_charts
from data_access import reads, scope
from exports import brief, brief_files
from ui import downloads, filters


def render(
    table: pd.DataFrame, f: reads.CoverageFilter, month: dt.date, threshold: int, lang: str
) -> None:
    """The panel's heading, area and format choices, and its download button.

    Args:
        table: the coverage table by province (the national row included).
        f: the shared coverage filter.
        month: the month the figures refer to (named in the file name).
        threshold: the disclosure threshold the pack applies.
        lang: the UI language (of the panel and the pack).
    """
    st.subheader(i18n.t("brief.header", lang))
    st.caption(i18n.t("brief.caption", lang))
    limit = scope.provinces()
    provinces = scope.restrict(table[table["province_code"] != settings.NATIONAL], limit)
    names = coverage_charts.province_names(provinces, lang)
    areas = dict(zip(provinces["province_code"], names, strict=True))
    if limit is None:  # the national pack first (a code, not None: None empties the box)
        areas = {settings.NATIONAL: i18n.t("brief.national", lang), **areas}
    if not areas:  # a limited user none of whose provinces is in this store
        st.info(i18n.t("brief.no_area", lang))
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox(
            i18n.t("brief.area", lang), list(areas), format_func=areas.get,
            key=filters.relabelled("coverage_brief_area"), placeholder=filters.choose(lang),
        )  # fmt: skip
        area = None if chosen == settings.NATIONAL else chosen
        # The control can be cleared: no format chosen means PDF.
        fmt = st.segmented_control(
            i18n.t("brief.format", lang), list(brief_files.FORMATS), default="pdf",
            key="coverage_brief_format", format_func=str.upper,
        ) or "pdf"  # fmt: skip
        detail = {"action": "briefing_pack", "area": area or settings.NATIONAL, "format": fmt}
        con = reads.connection()
        downloads.button(
            i18n.t("brief.download", lang),
            lambda: brief_files.document(
                brief.build(con, f, area, lang, threshold, provinces=limit), fmt
            ),
            file_name=f"brief_{area or settings.NATIONAL}_{month:%Y-%m}_{lang}.{fmt}",
            mime=brief_files.FORMATS[fmt], key="coverage_brief_download", detail=detail,
        )  # fmt: skip
