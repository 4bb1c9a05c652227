"""Download buttons under every chart and table; the files are built on click, not per run."""

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import i18n
from appdb import app_settings, audit
from data_access import reads
from exports import files, rendering
from ui import auth, filters


def _build_and_record(user: str | None, detail: dict, build: Callable[[], bytes]) -> bytes:
    data = build()
    action = detail.pop("action", "export")
    audit.record(user, action, detail)
    return data


def audited(detail: dict, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """Wrap a download's builder so that the click is recorded in the audit log.

    The builder runs when the file is requested, possibly outside the script run, so
    the signed-in user is taken now.
    """
    user = auth.current_user()
    return functools.partial(_build_and_record, user.name if user else None, dict(detail), build)


def _figure_file(fig: go.Figure | Callable[[], go.Figure], ctx, fmt: str) -> bytes:
    return rendering.figure_bytes(fig if isinstance(fig, go.Figure) else fig(), ctx, fmt)


def figure_buttons(
    fig: go.Figure | Callable[[], go.Figure], ctx: rendering.ExportContext, stem: str, key: str
) -> None:
    """PNG, SVG and PDF buttons for a figure (keys `<key>_png` …), rendered on click.

    Args:
        fig: the figure as exported (undecorated: title, legend and data), or a function
            that builds it, so that a figure made only for export costs nothing per run.
        ctx: filters, sources, demo flag and threshold written onto the export.
        stem: the file name without extension.
        key: widget key prefix, starting with the page name.
    """
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_bar"):
        st.caption(i18n.t("download.chart", ctx.lang))
        for fmt, mime in rendering.FORMATS.items():
            st.download_button(
                i18n.t(f"download.{fmt}", ctx.lang), icon=":material/download:",
                data=audited(
                    {"file": f"{stem}.{fmt}", "filters": ctx.filters},
                    functools.partial(_figure_file, fig, ctx, fmt),
                ),
                file_name=f"{stem}.{fmt}", mime=mime, key=f"{key}_{fmt}", on_click="ignore",
            )  # fmt: skip


def table_buttons(
    frame: pd.DataFrame, title: str, ctx: rendering.ExportContext, stem: str, key: str
) -> None:
    """CSV and XLSX (with a metadata sheet) buttons for a table (keys `<key>_csv`, `<key>_xlsx`)."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_bar"):
        st.caption(i18n.t("download.table", ctx.lang))
        st.download_button(
            i18n.t("download.csv", ctx.lang), icon=":material/download:",
            data=audited({"file": f"{stem}.csv", "filters": ctx.filters},
                         functools.partial(files.to_csv, frame)),
            file_name=f"{stem}.csv",
            mime="text/csv", key=f"{key}_csv", on_click="ignore",
        )  # fmt: skip
        st.download_button(
            i18n.t("download.xlsx", ctx.lang), icon=":material/download:",
            data=audited({"file": f"{stem}.xlsx", "filters": ctx.filters},
                         functools.partial(files.to_xlsx, frame, title, ctx)),
            file_name=f"{stem}.xlsx",
            mime=xlsx, key=f"{key}_xlsx", on_click="ignore",
        )  # fmt: skip


def context(f: reads.CoverageFilter, table: pd.DataFrame, lang: str) -> rendering.ExportContext:
    """The export context of a coverage figure or table: filters, sources, demo flag."""
    return rendering.ExportContext(
        lang=lang,
        filters=filters.describe(f, lang),
        sources=rendering.source_line(table, reads.source_registries(), lang),
        is_demo=bool(reads.store_summary()["is_demo"]),
        threshold=app_settings.min_count(),
    )
