"""Briefing-ready figure exports: PNG, SVG and PDF rendered by one long-lived Chromium.

A figure is exported with what a reader of a pasted chart needs: its title, a subtitle
with the active filters, the legend, a source line (registries and reference dates), a
note on suppressed cells, a demo-data mark where the store is synthetic, and (maps) the
boundary attribution. Rendering goes through kaleido with the local Chromium; the
browser is started once per process and reused, never per click.
"""

import asyncio
import atexit
import contextlib
import dataclasses
import datetime as dt
import html
import io
import os
import re
import threading
from concurrent.futures import TimeoutError as FutureTimeout

import pandas as pd
import plotly.graph_objects as go
import pypdf

import i18n
import settings
from exports import khmer_breaks
from indicators import formatting

CHROMIUM = os.environ.get("COVERAGE_CHROMIUM", "/usr/bin/chromium")
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PNG_SCALE = 2  # twice screen resolution, for print
WIDTH = 1000
RENDER_TIMEOUT = 90
LINE_PX = {"en": 16, "km": 21}  # Khmer stacks vowels and subscripts
WRAP = {"en": 150, "km": 120}


class ExportError(RuntimeError):
    """The export server could not render a figure."""


class ExportServer:
    """One kaleido (headless Chromium) per process, on an event loop of its own.

    kaleido's own sync server shares one reply queue between callers, so two Streamlit
    sessions exporting at once could receive each other's bytes, and a dead browser
    blocks callers for ever. Here every render is a future with a timeout, and a
    failed browser is closed and started afresh on the next render.
    """

    def __init__(self) -> None:
        """Prepare the server; the browser starts on the first render."""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self.starts = 0

    def _start(self) -> None:
        import kaleido

        if not os.path.exists(CHROMIUM):
            raise ExportError(f"no Chromium at {CHROMIUM} (install Debian's chromium)")
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="export-server", daemon=True).start()

        async def open_browser():
            # mathjax=False: kaleido would otherwise load MathJax from a CDN.
            browser = kaleido.Kaleido(path=CHROMIUM, mathjax=False, timeout=RENDER_TIMEOUT)
            await browser.open()
            return browser

        self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(60)
        self._loop = loop
        self.starts += 1

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
        """Render `fig` as `fmt` bytes, starting the browser on first use."""
        with self._lock:
            if self._kaleido is None:
                self._start()
            browser, loop = self._kaleido, self._loop
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        future = asyncio.run_coroutine_threadsafe(browser.calc_fig(fig, opts=opts), loop)
        try:
            return future.result(RENDER_TIMEOUT + 10)
        except (FutureTimeout, OSError, RuntimeError) as exc:
            self.close()
            raise ExportError(f"the export server failed: {exc}") from exc

    def close(self) -> None:
        """Close the browser and stop its loop (the next render starts a new one)."""
        with self._lock:
            browser, loop, self._kaleido, self._loop = self._kaleido, self._loop, None, None
        if browser is None:
            return
        with contextlib.suppress(Exception):  # a broken browser may fail to close
            asyncio.run_coroutine_threadsafe(browser.close(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)


SERVER = ExportServer()
atexit.register(SERVER.close)


@dataclasses.dataclass(frozen=True)
class ExportContext:
    """What an exported figure or table says about itself besides its data."""

    lang: str
    filters: tuple[tuple[str, str], ...]
    sources: str
    is_demo: bool
    threshold: int
    generated_at: dt.datetime = dataclasses.field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)
    )

    def filter_text(self) -> str:
        """The filters as one line, e.g. "Filters: As-of month: June 2024; Sex: Women"."""
        if not self.filters:
            return ""
        items = [i18n.t("format.pair", self.lang, label=k, value=v) for k, v in self.filters]
        sep = i18n.t("format.list_separator", self.lang)
        return i18n.t("export.filters", self.lang, filters=sep.join(items))

    def suppression_note(self) -> str:
        """The note on disclosure control: counts adjusted, small ones not shown."""
        threshold = i18n.digits(self.threshold, self.lang)
        return i18n.t("export.suppressed", self.lang, threshold=threshold)

    def generated_text(self) -> str:
        """When the export was made, in the language's digits."""
        stamp = f"{i18n.date_text(self.generated_at.date(), self.lang)} {self.generated_at:%H:%M}"
        return i18n.t("export.generated", self.lang, time=i18n.digits(stamp, self.lang))


def names(frame: pd.DataFrame, key: str, lang: str) -> pd.Series:
    """Names of a reference table in `lang` keyed by `key`; English where Khmer is missing."""
    indexed = frame.set_index(key)
    return indexed[i18n.name_column(lang)].fillna(indexed["name_en"])


def describe_cut(f, lang: str, labels: dict[str, pd.Series]) -> tuple[tuple[str, str], ...]:
    """A coverage filter in words, as (filter label, value) pairs; unset filters left out.

    Args:
        f: a data_access.CoverageFilter.
        lang: the language.
        labels: display names in `lang` keyed by code: "services", "occupation", "source".
    """
    pairs = [(i18n.t("filters.month", lang), i18n.month_year(f.as_of, lang))]
    if f.services:
        names = [str(labels["services"].get(s, s)) for s in f.services]
        pairs.append((i18n.t("filters.services", lang), ", ".join(names)))
    if f.occupation:
        pairs.append((i18n.t("filters.occupation", lang), labels["occupation"].get(f.occupation)))
    if f.sex:
        pairs.append((i18n.t("filters.sex", lang), i18n.t(f"sex.{f.sex}", lang)))
    if f.age_band:
        pairs.append((i18n.t("filters.age", lang), i18n.digits(f.age_band, lang)))
    if f.source:
        pairs.append((i18n.t("filters.source", lang), labels["source"].get(f.source, f.source)))
    return tuple((label, str(value)) for label, value in pairs)


def source_line(table: pd.DataFrame, registries: pd.DataFrame, lang: str) -> str:
    """The sources of a coverage table: registries, numerator and denominator dates.

    Args:
        table: the coverage table (its national row `KH` carries the reference dates).
        registries: the source_registries frame (names, last import times).
        lang: the language.
    """
    national = table.set_index("province_code").loc[settings.NATIONAL]
    names = registries[i18n.name_column(lang)].fillna(registries["name_en"])
    denominator = national["denominator_source"]
    est_date = national["denominator_reference_date"]
    return i18n.t(
        "export.sources",
        lang,
        registries=", ".join(names),
        numerator_date=i18n.date_text(pd.Timestamp(national["numerator_reference_date"]), lang),
        denominator=denominator
        if isinstance(denominator, str)
        else i18n.t("export.no_denominator", lang),
        denominator_date="–" if pd.isna(est_date) else i18n.date_text(pd.Timestamp(est_date), lang),
    )


def _wrap(text: str, lang: str) -> list[str]:
    """Lines of at most WRAP characters, broken between words (Khmer too), never in a cluster."""
    return [line for line in khmer_breaks.wrap(text, WRAP.get(lang, 150)) if line] or [""]


def _footer(ctx: ExportContext) -> list[tuple[str, dict]]:
    """Footer lines, top to bottom, each with its font (outside text as plain text)."""
    grey = {"size": 11, "color": "#444"}
    lines = [(formatting.plain(line), grey) for line in _wrap(ctx.sources, ctx.lang)]
    lines += [(line, grey) for line in _wrap(ctx.suppression_note(), ctx.lang)]
    if ctx.is_demo:
        lines.append(
            (f"<b>{i18n.t('export.demo', ctx.lang)}</b>", {"size": 12, "color": "#b00020"})
        )
    lines.append((ctx.generated_text(), grey))
    return lines


def decorate(fig: go.Figure, ctx: ExportContext) -> go.Figure:
    """A copy of `fig` carrying subtitle, source line, suppression note and demo mark."""
    out = go.Figure(fig)
    layout = out.layout
    top, old_bottom = 100, (layout.margin.b or 0)
    legend_below = layout.legend.orientation == "h"
    lines = _footer(ctx)
    line = LINE_PX.get(ctx.lang, 16)
    bottom = old_bottom + (60 if legend_below else 0) + 28 + line * len(lines)
    plot_height = (layout.height or 500) - (layout.margin.t or 0) - old_bottom
    height = plot_height + top + bottom
    title = layout.title.text or ""
    out.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.985, "yanchor": "top",
               "subtitle": {"text": formatting.plain(ctx.filter_text()),
                            "font": {"size": 12, "color": "#444"}}},
        margin={"t": top, "b": bottom, "l": max(layout.margin.l or 0, 10),
                "r": max(layout.margin.r or 0, 10)},
        height=height, width=WIDTH, paper_bgcolor="white",
    )  # fmt: skip
    for i, (text, font) in enumerate(lines):
        pixels_above_bottom = 8 + line * (len(lines) - 1 - i)
        out.add_annotation(
            text=text, x=0, xanchor="left", xref="paper", yref="paper", yanchor="bottom",
            y=-(bottom - pixels_above_bottom) / plot_height, showarrow=False, font=font,
            align="left",
        )  # fmt: skip
    if ctx.is_demo:
        out.add_annotation(
            text=i18n.t("export.demo", ctx.lang), x=0.5, y=0.5, xref="paper", yref="paper",
            showarrow=False, textangle=-20, font={"size": 30, "color": "rgba(176,0,32,0.13)"},
        )  # fmt: skip
    return out


def render(fig: go.Figure, fmt: str) -> bytes:
    """`fig` as PNG (twice its size), SVG or PDF bytes, through the export server."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from: {', '.join(FORMATS)}")
    width = int(fig.layout.width or WIDTH)
    height = int(fig.layout.height or 500)
    return SERVER.render(fig, fmt, width, height, PNG_SCALE if fmt == "png" else 1)


def figure_bytes(fig: go.Figure, ctx: ExportContext, fmt: str) -> bytes:
    """The decorated figure rendered as `fmt`; a PDF's document title is the chart's."""
    data = render(decorate(fig, ctx), fmt)
    # the title as plotly shows it: tags and character references (formatting.plain) undone
    title = html.unescape(re.sub(r"<[^>]*>", " ", fig.layout.title.text or "")).strip()
    return titled_pdf(data, " ".join(title.split())) if fmt == "pdf" and title else data


def titled_pdf(data: bytes, title: str) -> bytes:
    """A PDF with `title` as its document title (the browser that prints it names its own)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Title": title, "/Producer": "Coverage dashboard"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
