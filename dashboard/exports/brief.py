"""Briefing pack for a province or the nation: content gathered once, written as PDF or PPTX.

The content is what a minister is briefed on: key figures, the map, the ranking, the
coverage trend (against targets where set), the largest gaps by occupation and by
programme, definitions and sources. Every figure comes from the same published tables
as the pages (`reads.load_coverage` of the same cut, cell-key perturbation), so a cell
shows in a brief the very value it shows on screen. A user limited to some provinces gets
a pack for one of them, whose tables, map and ranking hold only those provinces and the
national row (`provinces`, data_access/scope.py).
"""

import dataclasses
import datetime as dt

import pandas as pd
import plotly.graph_objects as go

import i18n
import settings
from charts import coverage_charts
from data_access import reads, scope
from exports import khmer_breaks, rendering

TREND_MONTHS = 12
TOP_GAPS = 6
# Each chart's size in the pack (CSS pixels, rendered at twice that): the ranking tall
# enough for 25 names, the others shaped for half a page or a slide beside a table.
SIZES = {"map": (900, 560), "ranking": (660, 880), "trend": (820, 470),
         "occupation": (760, 470), "service": (760, 470)}  # fmt: skip
LABEL_CHARACTERS = 26  # a wrapped group name's longest line, in characters
KPIS = [
    ("coverage_rate", "rate"),
    ("covered_count", "count"),
    ("informal_workers_est", "count"),
    ("registration_rate", "rate"),
    ("registered_not_covered_count", "count"),
    ("coverage_gap_count", "count"),
]


@dataclasses.dataclass(frozen=True)
class Brief:
    """Everything a briefing pack shows, in one language."""

    code: str
    area: str
    lang: str
    cut: reads.CoverageFilter
    table: pd.DataFrame
    trend: pd.DataFrame
    by_occupation: pd.DataFrame
    by_service: pd.DataFrame
    ctx: rendering.ExportContext
    scoped: bool = False  # the table holds only the provinces a limited user may see

    @property
    def row(self) -> pd.Series:
        """The area's row of the coverage table."""
        return self.table.set_index("province_code").loc[self.code]

    @property
    def month(self) -> dt.date:
        """The reference day of the numerators (last day of the as-of month)."""
        return pd.Timestamp(self.row["numerator_reference_date"]).date()


def _row(con, cut: reads.CoverageFilter, code: str, threshold: int) -> pd.Series:
    return reads.load_coverage(con, cut, threshold).set_index("province_code").loc[code]


def trend(con, cut: reads.CoverageFilter, code: str, threshold: int) -> pd.DataFrame:
    """One row per month (oldest first, up to the as-of month): rates of the area.

    Grain: the last TREND_MONTHS month ends on or before the cut's month; each row is the
    area's row of that month's suppressed table. `target_rate` is empty: no targets yet.
    """
    months = reads.run(con, "report_months")["month_end"].dt.date
    wanted = sorted(m for m in months if m <= _month_end(cut.as_of))[-TREND_MONTHS:]
    rows = [_row(con, dataclasses.replace(cut, as_of=m), code, threshold) for m in wanted]
    frame = pd.DataFrame(rows).reset_index(drop=True)
    frame.insert(0, "month_end", pd.to_datetime(wanted))
    frame["target_rate"] = pd.Series([pd.NA] * len(frame), dtype="Float64")
    return frame


def _month_end(day: dt.date) -> dt.date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def _breakdown(con, cuts: dict[str, reads.CoverageFilter], code: str, threshold: int):
    rows = {key: _row(con, cut, code, threshold) for key, cut in cuts.items()}
    columns = ["covered_count", "informal_workers_est", "coverage_rate", "coverage_gap_count",
               "covered_count_suppressed"]  # fmt: skip
    frame = pd.DataFrame({key: row[columns] for key, row in rows.items()}).T
    return frame.astype({"covered_count": "Int64", "informal_workers_est": "Int64",
                         "coverage_rate": "Float64", "coverage_gap_count": "Int64",
                         "covered_count_suppressed": bool})  # fmt: skip


def by_occupation(con, cut, code: str, threshold: int, lang: str) -> pd.DataFrame:
    """One row per informal occupation (index: code): covered, estimate, rate, gap, name."""
    occupations = reads.run(con, "informal_occupations")
    cuts = {o: dataclasses.replace(cut, occupation=o) for o in occupations["occupation"]}
    frame = _breakdown(con, cuts, code, threshold)
    frame["name"] = rendering.names(occupations, "occupation", lang)
    return frame


def by_service(con, cut, code: str, threshold: int, lang: str) -> pd.DataFrame:
    """One row per programme (index: code): covered, the people it is meant for, rate, gap.

    A programme with an eligibility rule is compared with the registered persons its rule
    makes eligible (queries/targeting_by_province.sql: covered = eligible and receiving,
    gap = eligible and not receiving); one without a rule, with every informal worker.
    A programme whose eligible counts are below the threshold has no gap to rank.
    Programmes overlap (a person may be in several), so their counts add up to no total.
    """
    services = reads.run(con, "service_catalogue")
    cuts = {s: dataclasses.replace(cut, services=(s,)) for s in services["service_code"]}
    frame = _breakdown(con, cuts, code, threshold)
    errors = reads.load_targeting(con, dataclasses.replace(cut, services=()), threshold)
    place = errors[errors["province_code"] == code].set_index("service_code")
    for service, row in place.iterrows():
        hidden = row[["eligible_count_suppressed", "eligible_receiving_count_suppressed",
                      "eligible_not_receiving_count_suppressed"]].any()  # fmt: skip
        eligible, covered = row["eligible_count"], row["eligible_receiving_count"]
        frame.loc[service, "informal_workers_est"] = pd.NA if hidden else eligible
        frame.loc[service, "covered_count"] = pd.NA if hidden else covered
        frame.loc[service, "covered_count_suppressed"] = False
        frame.loc[service, "coverage_rate"] = pd.NA if hidden else covered / eligible
        gap = row["eligible_not_receiving_count"]
        frame.loc[service, "coverage_gap_count"] = pd.NA if hidden else gap
    frame["name"] = rendering.names(services, "service_code", lang)
    frame.attrs["meant_for"] = True  # its estimate column: the people each is meant for
    return frame


def build(
    con,
    cut: reads.CoverageFilter,
    code: str | None,
    lang: str,
    threshold: int,
    *,
    provinces: tuple[str, ...] | None,
) -> Brief:
    """Gather a brief's content for province `code` (None: the nation) in `lang`.

    Args:
        con: a store connection.
        cut: the coverage filter.
        code: the province, or None for the nation.
        lang: the pack's language.
        threshold: the disclosure threshold.
        provinces: the provinces the user may see (`scope.provinces()` captured during the
            script run, or an account's on the command line), None for every province. A
            limited user's pack is for one of them: any other area is OutOfScope.
    """
    code = code or settings.NATIONAL
    if provinces is not None and code not in provinces:
        raise scope.OutOfScope(f"a pack for {code!r} is outside this account's provinces")
    table = scope.restrict(reads.load_coverage(con, cut, threshold), provinces)
    if code not in set(table["province_code"]):
        raise reads.InvalidFilter(f"unknown province code {code!r}")
    row = table.set_index("province_code").loc[code]
    area = (
        i18n.t("brief.country", lang)
        if code == settings.NATIONAL
        else coverage_charts.province_names(row.to_frame().T, lang).iloc[0]
    )
    registries = reads.run(con, "source_registries")
    summary = reads.run(con, "store_summary").iloc[0]
    labels = {
        "services": rendering.names(reads.run(con, "service_catalogue"), "service_code", lang),
        "occupation": rendering.names(reads.run(con, "informal_occupations"), "occupation", lang),
        "source": rendering.names(registries, "source", lang),
    }
    ctx = rendering.ExportContext(
        lang=lang, filters=rendering.describe_cut(cut, lang, labels),
        sources=rendering.source_line(table, registries, lang),
        is_demo=bool(summary["is_demo"]), threshold=threshold,
    )  # fmt: skip
    return Brief(
        code=code, area=area, lang=lang, cut=cut, table=table,
        trend=trend(con, cut, code, threshold),
        by_occupation=by_occupation(con, cut, code, threshold, lang),
        by_service=by_service(con, cut, code, threshold, lang), ctx=ctx,
        scoped=provinces is not None,
    )  # fmt: skip


def kpis(brief: Brief) -> list[tuple[str, str]]:
    """(label, value) of the key figures, suppressed values shown as markers."""
    from indicators import formatting

    row, lang, threshold = brief.row, brief.lang, brief.ctx.threshold
    return [
        (i18n.t(f"column.{column}", lang), formatting.kpi_text(row, column, kind, threshold, lang))
        for column, kind in KPIS
    ]


def rank_text(brief: Brief) -> str:
    """Where the province stands among provinces, or the national range."""
    lang = brief.lang
    if brief.scoped:  # not ranked against provinces the pack may not show
        return i18n.t("brief.rank_scoped", lang, province=brief.area)
    provinces = brief.table[brief.table["province_code"] != settings.NATIONAL].copy()
    provinces["name"] = coverage_charts.province_names(provinces, lang)
    ranked = provinces.dropna(subset=["coverage_rate"]).sort_values(
        "coverage_rate", ascending=False
    )
    if brief.code == settings.NATIONAL:
        if ranked.empty:
            return ""
        top, low = ranked.iloc[0], ranked.iloc[-1]
        return i18n.t("brief.rank_national", lang, high=i18n.percent(top["coverage_rate"], lang),
                      high_name=top["name"], low=i18n.percent(low["coverage_rate"], lang),
                      low_name=low["name"])  # fmt: skip
    if brief.code not in set(ranked["province_code"]):
        return i18n.t("brief.rank_hidden", lang, province=brief.area)
    # equal rates share a rank (1, 1, 3 ...)
    ranks = ranked["coverage_rate"].rank(ascending=False, method="min").astype(int)
    rank = ranks[ranked["province_code"] == brief.code].iloc[0]
    return i18n.t("brief.rank", lang, province=brief.area, rank=i18n.digits(rank, lang),
                  count=i18n.digits(len(provinces), lang))  # fmt: skip


def top_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """The groups with the largest shown coverage gaps, largest first."""
    shown = frame.dropna(subset=["coverage_gap_count"])
    return shown.sort_values("coverage_gap_count", ascending=False).head(TOP_GAPS)


GAP_COLUMNS = [("covered_count", "count"), ("informal_workers_est", "count"),
               ("coverage_rate", "rate"), ("coverage_gap_count", "count")]  # fmt: skip
GAP_HEADER = ["column.group", *(f"column.{column}" for column, _ in GAP_COLUMNS)]


def gap_header(frame: pd.DataFrame, lang: str) -> list[str]:
    """The gap table's header: a programme table's second figure is whom it is meant for."""
    keys = [k.replace("informal_workers_est", "meant_for") for k in GAP_HEADER]
    return [i18n.t(k, lang) for k in (keys if frame.attrs.get("meant_for") else GAP_HEADER)]


def gap_rows(frame: pd.DataFrame, brief: Brief) -> list[list[str]]:
    """The top gaps as table rows of text: group, covered, estimate, rate, gap."""
    from indicators import formatting

    lang, threshold = brief.lang, brief.ctx.threshold
    return [
        [str(r["name"]), *(formatting.kpi_text(r, column, kind, threshold, lang)
                           for column, kind in GAP_COLUMNS)]
        for _, r in top_gaps(frame).iterrows()
    ]  # fmt: skip


def figures(brief: Brief) -> dict[str, go.Figure]:
    """The brief's charts: map, ranking, trend and the two gap charts, laid out for a page.

    The page's charts, resized for the pack (SIZES) and with labels kept whole: province
    names stand clear of the axis, month labels lean back from the right edge, and long
    group names wrap (at Khmer word breaks) instead of running off the picture.
    """
    lang, month = brief.lang, i18n.month_year(brief.month, brief.lang)
    code = None if brief.code == settings.NATIONAL else brief.code
    months = i18n.digits(len(brief.trend), lang)
    trend_title = i18n.t("brief.trend_title", lang, area=brief.area, n=months)
    figs = {
        "map": coverage_charts.coverage_map_static(
            brief.table, i18n.t("brief.map_title", lang, month=month), lang, highlight=code
        ),
        "ranking": coverage_charts.rate_bars(
            brief.table, i18n.t("brief.ranking_title", lang, month=month), lang, highlight=code
        ),
        "trend": coverage_charts.coverage_trend(brief.trend, trend_title, lang),
        "occupation": _gap_figure(brief.by_occupation, "brief.gaps_occupation", lang),
        "service": _gap_figure(brief.by_service, "brief.gaps_service", lang),
    }
    _fit_for_page(figs)
    return figs


def _fit_for_page(figs: dict[str, go.Figure]) -> None:
    """Resize the charts for the pack (SIZES) and keep their labels whole and apart."""
    figs["ranking"].update_yaxes(ticklabelstandoff=8, automargin=True)
    figs["ranking"].update_xaxes(title_standoff=14, automargin=True)
    # the legend above the bars: below, it collides with a Khmer axis title
    figs["ranking"].update_layout(
        margin={"l": 12, "r": 16, "t": 84, "b": 16},
        legend={"y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
    )
    figs["trend"].update_xaxes(tickangle=-40, automargin=True)
    figs["trend"].update_layout(margin={"r": 24}, legend={"y": -0.3})
    for name, (width, height) in SIZES.items():
        figs[name].update_layout(width=width, height=height)


def _gap_figure(frame: pd.DataFrame, title_key: str, lang: str) -> go.Figure:
    """The gap bars of the top gaps, each group name wrapped into short lines."""
    from indicators import formatting

    fig = coverage_charts.gap_bars(top_gaps(frame), i18n.t(title_key, lang), lang)
    wrapped = {
        formatting.plain(name): "<br>".join(
            formatting.plain(line) for line in khmer_breaks.wrap(str(name), LABEL_CHARACTERS)
        )
        for name in frame["name"]
    }
    for trace in fig.data:
        trace.y = [wrapped.get(label, label) for label in trace.y or ()]
    fig.update_yaxes(ticklabelstandoff=6, automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_layout(margin={"r": 16, "b": 16})
    return fig


def images(brief: Brief) -> dict[str, bytes]:
    """Each chart as PNG bytes (shaped text, twice screen resolution)."""
    return {name: rendering.render(fig, "png") for name, fig in figures(brief).items()}


def has_targets(brief: Brief) -> bool:
    """Whether any month of the trend has a target."""
    return bool(brief.trend["target_rate"].notna().any())
