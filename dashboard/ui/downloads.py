"""Download buttons under every chart and table; the files are built on click, not per run.

Every download of the app is `button()` (tests/test_audit_log.py finds no other
`st.download_button`), so that none escapes the audit log.
"""

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import i18n
from appdb import app_settings, audit
from charts import static_maps
from data_access import reads
from exports import files, rendering
from ui import auth, filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def button(
    label: str, build: Callable[[], bytes], *, file_name: str, mime: str, key: str,
    detail: Mapping | None = None,
) -> None:  # fmt: skip
    """The app's one download button: the file is built on click, and the download audited.

    Args:
        label: the button's text.
        build: makes the file's bytes, when it is requested (not on every run).
        file_name: the name the browser saves it under (recorded as `file`).
        mime: its media type.
        key: widget key, starting with the page name.
        detail: what else identifies the file in the audit log (filters, weights...);
            `action` names another action than `export` (e.g. `briefing_pack`).
    """
    st.download_button(
        label, icon=":material/download:", on_click="ignore", key=key,
        data=audited({"file": file_name, **(detail or {})}, build),
        file_name=file_name, mime=mime,
    )  # fmt: skip


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
            button(
                i18n.t(f"download.{fmt}", ctx.lang),
                functools.partial(_figure_file, fig, ctx, fmt),
                file_name=f"{stem}.{fmt}", mime=mime, key=f"{key}_{fmt}",
                detail={"filters": ctx.filters},
            )  # fmt: skip


def map_buttons(fig: go.Figure, ctx: rendering.ExportContext, stem: str, key: str) -> None:
    """`figure_buttons` for a WebGL class map, exported as its vector copy (charts.static_maps)."""
    figure_buttons(functools.partial(static_maps.vector, fig), ctx, stem, key)


def table_buttons(
    frame: pd.DataFrame, title: str, ctx: rendering.ExportContext, stem: str, key: str
) -> None:
    """CSV and XLSX (with a metadata sheet) buttons for a table (keys `<key>_csv`, `<key>_xlsx`)."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_bar"):
        st.caption(i18n.t("download.table", ctx.lang))
        button(
            i18n.t("download.csv", ctx.lang), functools.partial(files.to_csv, frame),
            file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv",
            detail={"filters": ctx.filters},
        )  # fmt: skip
        button(
            i18n.t("download.xlsx", ctx.lang), functools.partial(files.to_xlsx, frame, title, ctx),
            file_name=f"{stem}.xlsx", mime=XLSX, key=f"{key}_xlsx",
            detail={"filters": ctx.filters},
        )  # fmt: skip


def shown_table(
    frame: pd.DataFrame, title: str, ctx: rendering.ExportContext, stem: str, key: str, **shown
) -> None:
    """A table as shown (st.dataframe, key `key`, no index) with its CSV and XLSX buttons.

    The buttons' keys are `<key>_download_csv` and `<key>_download_xlsx`; `shown` passes
    on to st.dataframe (height, ...). An empty cell shows "–" unless `shown` says otherwise.
    """
    st.dataframe(frame, key=key, hide_index=True, **({"placeholder": "–"} | shown))
    table_buttons(frame, title, ctx, stem, f"{key}_download")


def context(
    f: reads.CoverageFilter, table: pd.DataFrame, lang: str,
    extra: Iterable[tuple[str, str]] = (), *, month: bool = True,
) -> rendering.ExportContext:  # fmt: skip
    """The export context of a coverage figure or table: filters, sources, demo flag.

    Args:
        f: the filters that made the figure or table (only those that apply to it).
        table: the coverage table of the cut, whose national row dates the sources.
        lang: the language.
        extra: the page's own choices as (label, value) pairs, e.g. the programme chosen.
        month: whether the as-of month applies (not to a monthly series).
    """
    described = filters.describe(f, lang)[0 if month else 1 :]
    return rendering.ExportContext(
        lang=lang,
        filters=(*described, *((str(k), str(v)) for k, v in extra)),
        sources=rendering.source_line(table, reads.source_registries(), lang),
        is_demo=bool(reads.store_summary()["is_demo"]),
        threshold=app_settings.min_count(),
    )


def unfiltered(
    ctx: rendering.ExportContext, choices: Iterable[tuple[str, str]] = ()
) -> rendering.ExportContext:
    """The context of a listing the filters do not change (catalogues, import history).

    Args:
        ctx: the page's export context.
        choices: the page's own choices that made the listing, as (label, value) pairs.
    """
    return dataclasses.replace(ctx, filters=tuple((str(k), str(v)) for k, v in choices))
