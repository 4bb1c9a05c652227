import datetime as dt
import html

import pandas as pd
import pytest

from charts import coverage_charts, static_maps
from data_access import reads


@pytest.fixture
def table(tiny_con):
    # threshold 14: Phnom Penh's 13 covered persons are below it (its 15 registered are not)
    return reads.load_coverage(tiny_con, reads.CoverageFilter(dt.date(2024, 6, 30)), 14)


@pytest.mark.parametrize(
    ("rate", "label"),
    [(0.0, "0%–10%"), (0.0999, "0%–10%"), (0.1, "10%–20%"), (0.75, "75%–100%"), (1.0, "75%–100%"),
     (1.2, "Over 100% (flagged)"), (None, "No data / suppressed"),
     (float("nan"), "No data / suppressed")],
)  # fmt: skip
def test_rate_classes(rate, label):
    assert coverage_charts.class_labels("en")[coverage_charts.rate_class(rate)] == label


def test_map_is_offline_with_legend_classes_and_attribution(table):
    fig = coverage_charts.coverage_map(table, "Title")
    spec = fig.to_plotly_json()
    assert {t["type"] for t in spec["data"]} == {"choroplethmap"}
    assert fig.layout.map.style == "white-bg"
    assert not fig.layout.map.layers  # no tile layers to fetch
    geo = spec["data"][0]["geojson"]
    assert isinstance(geo, dict)  # inline GeoJSON, not a URL
    legend = {t["name"] for t in spec["data"]}
    # Phnom Penh is hidden (see test_data_access): no-data class; 23 provinces at 0%.
    assert "No data / suppressed" in legend
    assert "0%–10%" in legend
    locations = [loc for t in spec["data"] for loc in t["locations"]]
    assert sorted(locations) == [f"{i:02d}" for i in range(1, 26)]
    assert any(
        # written as plain text (character references plotly decodes)
        coverage_charts.BOUNDARY_ATTRIBUTION in html.unescape(a["text"])
        for a in spec["layout"]["annotations"]
    )
    assert spec["layout"]["title"]["text"] == "Title"


def test_hover_shows_numerator_denominator_and_dates(table):
    fig = coverage_charts.coverage_map(table, "Title")
    hovers = [h[0] for t in fig.data for h in t.customdata]
    kep = next(h for h in hovers if "Kep" in h)
    assert "Covered persons: 0 on 30 June 2024" in kep
    assert "Estimated informal workers: 100 (estimate), ref. 1 July 2024" in kep
    phnom_penh = next(h for h in hovers if "Phnom Penh" in h)
    assert "Covered persons: suppressed" in phnom_penh
    assert "Coverage rate: hidden" in phnom_penh


def test_bars_rank_provinces_and_exclude_the_national_row(table):
    fig = coverage_charts.rate_bars(table, "Bars")
    names = {n for t in fig.data for n in t.y}
    assert "Cambodia" not in names
    assert len(names) == 25
    assert fig.layout.xaxis.title.text == "Share of estimated informal workers"


def test_map_flags_rates_over_100_percent():
    frame = pd.DataFrame(
        {
            "province_code": ["01", "KH"], "province_name_en": ["A", "Cambodia"],
            "coverage_rate": [1.3, 1.3], "covered_count": [130, 130],
            "informal_workers_est": [100, 100], "registered_count": [150, 150],
            "numerator_reference_date": [pd.Timestamp("2024-06-30")] * 2,
            "denominator_reference_date": [pd.Timestamp("2024-07-01")] * 2,
        }
    )  # fmt: skip
    fig = coverage_charts.coverage_map(frame, "T")
    filled = [t.name for t in fig.data]  # the classes drawn (the legend lists every one)
    assert filled == ["Over 100% (flagged)"]
    hover = next(t for t in fig.data if t.name == filled[0]).customdata[0][0]
    assert "Coverage rate: 130.0% ⚑" in hover
    assert "⚑ above 100%: registries hold more people than the estimate" in hover


def test_each_boundary_is_sent_once_with_its_own_class(table):
    fig = coverage_charts.coverage_map(table, "Title")
    for trace in fig.data:
        codes = [f["properties"]["province_code"] for f in trace.geojson["features"]]
        assert codes == list(trace.locations)
    assert sum(len(t.geojson["features"]) for t in fig.data) == 25


def test_a_maps_export_is_its_vector_copy_with_the_same_classes_and_legend(table):
    fig = coverage_charts.coverage_map(table, "Title")
    copy = static_maps.vector(fig)
    assert {t.type for t in copy.data} == {"scatter"}  # no WebGL, no tiles
    assert coverage_charts.legend_names(copy) == coverage_charts.legend_names(fig)
    colours = {t.name: t.colorscale[0][1] for t in fig.data}
    colours |= {s.name: s.fillcolor for s in fig.layout.shapes}  # classes without an area
    assert {t.name: t.fillcolor for t in copy.data} == colours
    drawn = sum(x is None for t in copy.data if t.x != (None,) for x in t.x)
    assert drawn == sum(
        len(static_maps.rings(f["geometry"])) for t in fig.data for f in t.geojson["features"]
    )  # every ring of every boundary, once
    assert copy.layout.title.text == "Title"
    assert copy.layout.annotations == fig.layout.annotations  # the boundaries' attribution


def test_bars_and_trend_hover_write_rates_like_the_tables(table):
    over = table.assign(registration_rate=table["registration_rate"].where(
        table["province_code"] != "01", 1.25))  # fmt: skip
    fig = coverage_charts.rate_bars(over, "Bars")
    texts = [c[0] for t in fig.data for c in t.customdata]
    assert "125.0% ⚑ above 100%: registries hold more people than the estimate" in texts
    trend = pd.DataFrame({"month_end": [pd.Timestamp("2024-06-30")], "coverage_rate": [0.125],
                          "registration_rate": [1.5]})  # fmt: skip
    fig = coverage_charts.coverage_trend(trend, "Trend", "km")
    assert list(fig.data[0].customdata) == ["១២,៥%"]
    assert fig.data[1].customdata[0].startswith("១៥០,០% ⚑")
