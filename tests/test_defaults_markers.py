"""Defaults, markers and legends (issue 18 §4) on a hand-made store, worked out by hand.

The store is the tiny store of conftest.py (as-of 30 June 2024, record keys 0: no noise)
with three changes: programme A ended on 31 March 2024 and B runs from 2020 on (both with
an eligibility rule); Phnom Penh's estimate is 10 informal workers and every other
province's 0. So, nationally on 30 June 2024: 16 registered and 13 covered persons (see
tests/test_app.py) over an estimate of 10: a registration rate of 160% and a coverage
rate of 130%, both above 100%. Registry S2 alone has no estimate (one registry's persons
are not a population), and holds 3 persons on that day (13, 16 and 101), below 10.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import plotly.colors
import pytest
from streamlit.testing.v1 import AppTest

import conftest
from charts import classes, coverage_charts, uptake_charts
from data_access import reads
from indicators import formatting, uptake
from ingest import reference
from store import storage

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
D = dt.date
JUNE = D(2024, 6, 30)
SERVICES = pd.DataFrame(
    {
        "service_code": ["A", "B"],
        "service_bit": [0, 1],
        "name_en": ["Service A", "Service B"],
        "name_km": ["សេវា ក", "សេវា ខ"],
        "started_on": [D(2019, 1, 1), D(2020, 1, 1)],
        "ended_on": [D(2024, 3, 31), None],
    }
)
RULES = pd.DataFrame(
    {"service_code": ["A", "B"], "criterion": ["min_age", "min_age"], "value": ["15", "15"]}
)
SMALL_COUNT = "◼ <10"
NO_ESTIMATE = "∅ no estimate"
FLAG = "⚑"


def small_population() -> pd.DataFrame:
    frame = conftest.tiny_population()
    frame = frame[frame["year"] == 2024].copy()
    frame["informal_workers"] = 0
    frame.loc[frame["province_code"] == "12", "informal_workers"] = [4, 3, 2, 1]  # 10
    return frame


@pytest.fixture(scope="module")
def store_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("defaults") / "coverage.duckdb"
    registrations = conftest.tiny_registrations()
    with storage.write_session(path, fresh=True) as con:
        for name in ("provinces", "districts", "communes"):
            storage.replace(con, name, reference.read_csv(name))
        storage.replace(con, "sources", conftest.SOURCES)
        storage.replace(con, "services", SERVICES)
        storage.replace(con, "eligibility_rules", RULES)
        storage.replace(con, "occupations", conftest.OCCUPATIONS)
        storage.replace(con, "age_bands", conftest.AGE_BANDS)
        reference.load_population(con, small_population(), batch_id=3)
        storage.append(con, "registrations", registrations)
        storage.append(con, "uptake", conftest.tiny_uptake())
        storage.append(con, "record_keys", conftest.zero_record_keys(registrations))
        storage.set_meta(con, data_as_of="2024-06-30", built_at="2024-07-01T00:00:00")
    return path


@pytest.fixture
def store(store_file, monkeypatch, signed_in):
    monkeypatch.setenv("COVERAGE_DB", str(store_file))
    signed_in("analyst")
    return store_file


def open_page(page, lang="en", **filters):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in filters.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def table_with(at, column):
    """The first table on the page that has this column, indexed by province."""
    return next(d.value for d in at.dataframe if column in d.value.columns).set_index("Province")


# ---------------------------------------------------------------------------------------
# Programme selectors open on a programme running in the as-of month


def test_running_programmes_and_labels_of_ended_ones():
    june, march = D(2024, 6, 1), D(2024, 3, 15)
    assert uptake.default_services(SERVICES, june) == ["B"]
    assert uptake.default_services(SERVICES, march) == ["A", "B"]  # ends on 31 March
    assert uptake.programme_names(SERVICES, june, "en") == {
        "A": "Service A (ended March 2024)",
        "B": "Service B",
    }
    assert uptake.programme_names(SERVICES, june, "km")["A"] == "សេវា ក (បានបញ្ចប់ ខែមីនា ឆ្នាំ២០២៤)"
    assert uptake.programme_names(SERVICES, march, "en")["A"] == "Service A"
    early = uptake.programme_names(SERVICES, D(2019, 6, 1), "en")
    assert early["B"] == "Service B (starts January 2020)"


@pytest.mark.app
@pytest.mark.parametrize(
    ("lang", "ended"),
    [("en", "Service A (ended March 2024)"), ("km", "សេវា ក (បានបញ្ចប់ ខែមីនា ឆ្នាំ២០២៤)")],
)
def test_gaps_and_uptake_open_on_the_running_programme(store, lang, ended):
    at = open_page("app_pages/gaps.py", lang)
    programme = at.selectbox(key="gaps_programme")
    assert programme.value == "B"
    assert ended in programme.options
    at.switch_page("app_pages/uptake.py").run()
    assert not at.exception
    assert at.selectbox(key="uptake_service").value == "B"
    assert at.multiselect(key="uptake_services").value == ["B"]
    assert ended in at.selectbox(key="uptake_service").options
    assert ended in at.multiselect(key="filter_services").options  # the sidebar too


# ---------------------------------------------------------------------------------------
# "No estimate exists" has its own marker, apart from a small count


def test_no_estimate_marker_differs_from_the_small_count_marker():
    assert formatting.no_estimate_marker("en") == NO_ESTIMATE
    assert formatting.marker(10, "en") == SMALL_COUNT
    row = pd.Series({"informal_workers_est": None, "registered_count": None,
                     "registered_count_suppressed": True, "registration_rate": None})  # fmt: skip
    # the estimate is missing: its rate shows the no-estimate marker, the count the other
    assert formatting.kpi_text(row, "registration_rate", "rate", 10) == NO_ESTIMATE
    assert formatting.kpi_text(row, "registered_count", "count", 10) == SMALL_COUNT
    assert formatting.kpi_text(row, "informal_workers_est", "count", 10) == NO_ESTIMATE


@pytest.mark.app
def test_a_single_registry_view_shows_no_estimate_in_metrics_and_tables(store):
    at = open_page("app_pages/coverage.py", filter_source="S2")
    estimate = metric(at, "Est. informal workers")
    assert estimate.value == NO_ESTIMATE
    assert "no population estimate exists" in estimate.proto.help
    assert metric(at, "Registration rate").value == NO_ESTIMATE
    table = table_with(at, "Est. informal workers")
    assert table.loc["Phnom Penh", "Est. informal workers"] == NO_ESTIMATE
    assert table.loc["Phnom Penh", "Coverage rate"] == NO_ESTIMATE
    # Phnom Penh's 2 persons of S2 on 30 June (13 and 16): a small count, not "no estimate"
    assert table.loc["Phnom Penh", "Registered persons"] == SMALL_COUNT
    assert any(f"{NO_ESTIMATE}: no population estimate exists" in c.value for c in at.caption)

    at = open_page("app_pages/gaps.py", filter_source="S2")
    # in no registry = estimate - registered: no estimate, although registered is hidden
    assert metric(at, "Estimated in no registry").value == NO_ESTIMATE
    assert metric(at, "Estimated informal workers").value == NO_ESTIMATE
    reach = table_with(at, "Est. in no registry")
    assert reach.loc["Cambodia", "Est. in no registry"] == NO_ESTIMATE
    assert reach.loc["Cambodia", "Registered persons"] == SMALL_COUNT


def test_the_map_hover_and_legend_say_no_estimate(store_file):
    con = storage.open_read(store_file)
    try:
        table = reads.load_coverage(con, reads.CoverageFilter(JUNE, source="S2"), 10)
    finally:
        con.close()
    fig = coverage_charts.coverage_map(table, "Map")
    hovers = [h[0] for t in fig.data for h in t.customdata if h[0]]
    phnom_penh = next(h for h in hovers if "Phnom Penh" in h)
    assert f"Coverage rate: {NO_ESTIMATE}" in phnom_penh
    assert [t.name for t in fig.data] == [NO_ESTIMATE]  # every province, none "suppressed"
    assert NO_ESTIMATE in coverage_charts.legend_names(fig)


# ---------------------------------------------------------------------------------------
# A rate above 100% carries ⚑ and its explanation everywhere


@pytest.mark.app
def test_a_rate_above_100_percent_is_flagged_in_metrics_table_and_caption(store):
    at = open_page("app_pages/coverage.py")
    registration = metric(at, "Registration rate")
    assert registration.value == f"{16 / 10:.1%} {FLAG}"  # 160.0% ⚑
    assert "registries hold more people than the estimate" in registration.proto.help
    assert metric(at, "Coverage rate").value == f"{13 / 10:.1%} {FLAG}"
    assert metric(at, "Covered persons").proto.help == ""  # nothing to explain
    table = table_with(at, "Registration rate")
    assert table.loc["Cambodia", "Registration rate"] == f"{16 / 10:.1%} {FLAG}"
    assert any(f"{FLAG}: above 100%" in c.value for c in at.caption)


def test_a_rate_above_100_percent_is_flagged_in_the_map_hover(store_file):
    con = storage.open_read(store_file)
    try:
        table = reads.load_coverage(con, reads.CoverageFilter(JUNE), 10)
    finally:
        con.close()
    hovers = [h[0] for t in coverage_charts.coverage_map(table, "Map").data for h in t.customdata]
    phnom_penh = next(h for h in hovers if "Phnom Penh" in h)
    # Phnom Penh: 13 covered of an estimate of 10
    assert f"Coverage rate: {13 / 10:.1%} {FLAG}" in phnom_penh
    assert "registries hold more people than the estimate" in phnom_penh


# ---------------------------------------------------------------------------------------
# The uptake trend: one colour-blind-safe colour per programme, names, worded headers


def hex_rgb(code: str) -> str:
    r, g, b = (int(code[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


# Paul Tol's "muted" qualitative scheme (SRON technical note, colour-blind safe)
TOL_MUTED = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99",
             "#999933", "#AA4499"]  # fmt: skip


def test_every_programme_gets_its_own_colour_from_a_colour_blind_safe_palette():
    assert {hex_rgb(c) for c in TOL_MUTED} <= set(uptake_charts.PALETTE)
    codes = [f"P{i}" for i in range(11)]  # the demo catalogue's eleven programmes
    colours = [colour for colour, _ in uptake_charts.styles(codes).values()]
    assert len(set(colours)) == 11
    assert set(colours) <= set(plotly.colors.qualitative.Safe)
    twelve = uptake_charts.styles([*codes, "P11"])
    assert len(set(twelve.values())) == 12  # beyond the palette: colour and dash unique


def test_trend_lines_have_distinct_colours_names_and_numbered_marks():
    months = pd.to_datetime(["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"])
    series = pd.DataFrame(
        {
            "month_end": list(months) * 2,
            "service_code": ["A"] * 4 + ["B"] * 4,
            "receiving_count": pd.array([200088, 150, None, 0, 12, 14, 16, 18], dtype="Int64"),
            "receiving_count_suppressed": [False, False, True, False] + [False] * 4,
        }
    )
    catalogue = SERVICES.assign(started_on=[D(2019, 1, 1), D(2024, 4, 1)])
    fig = uptake_charts.trend(series, catalogue, "T", "Persons", "en")
    assert [t.name for t in fig.data] == ["Service A", "Service B"]
    assert len({t.line.color for t in fig.data}) == 2
    assert "February 2024: 200,088" in fig.data[0].customdata[0]  # thousands separators
    assert fig.data[0].customdata[2].endswith("◼")  # a suppressed month
    # A ends 31 March, B starts 1 April: one day apart, one number, both named in its hover
    assert [a.text for a in fig.layout.annotations] == ["<b>1</b>"]
    hover = fig.layout.annotations[0].hovertext
    assert "31 March 2024: Service A ends" in hover
    assert "1 April 2024: Service B starts" in hover
    marks = uptake.events(series, catalogue, "en")
    table = uptake.events_display(marks, "en", lambda key: key)
    assert table["col.programme"].tolist() == ["Service A", "Service B"]


def test_breakdown_headers_are_words_and_counts_have_separators():
    frame = pd.DataFrame(
        {
            "province_code": ["12", "12", "KH", "KH"],
            "province_name_en": ["Phnom Penh", "Phnom Penh", "Cambodia", "Cambodia"],
            "service_code": ["B"] * 4,
            "group_value": ["F", "M", "F", "M"],
            "receiving_count": [200088, 5, 200088, 5],
            "receiving_count_suppressed": [False, True, False, True],
        }
    )

    def label(value):
        return uptake.value_label("sex", value, "en", {})

    table = uptake.pivot_display(frame, "B", SMALL_COUNT, "en", label)
    assert list(table.columns) == ["province_name_en", "Women", "Men"]
    assert table["Women"].tolist() == ["200,088", "200,088"]
    assert table["Men"].tolist() == [SMALL_COUNT, SMALL_COUNT]
    khmer = uptake.pivot_display(frame, "B", SMALL_COUNT, "km", label, {"12": "ភ្នំពេញ"})
    assert khmer["Women"].tolist()[0] == "២០០.០៨៨"
    assert khmer["province_name_en"].tolist() == ["ភ្នំពេញ", "Cambodia"]
    assert uptake.value_label("poverty", "none", "en", {}) == "Not IDPoor"
    assert uptake.value_label("age_band", "25-34", "en", {}) == "25-34 years"


# ---------------------------------------------------------------------------------------
# Map legends list every class; the classes slider only where it applies

EVERY_COVERAGE_CLASS = [
    "0%–10%", "10%–20%", "20%–30%", "30%–40%", "40%–50%", "50%–75%", "75%–100%",
    "Over 100% (flagged)", "No data / suppressed", NO_ESTIMATE,
]  # fmt: skip


def test_the_legend_lists_every_class_even_empty_ones():
    frame = pd.DataFrame(
        {
            "province_code": ["01", "02", "KH"], "province_name_en": ["A", "B", "Cambodia"],
            "coverage_rate": [0.05, 0.07, 0.06], "covered_count": [5, 7, 12],
            "informal_workers_est": [100, 100, 200], "registered_count": [9, 9, 18],
            "numerator_reference_date": [pd.Timestamp("2024-06-30")] * 3,
            "denominator_reference_date": [pd.Timestamp("2024-07-01")] * 3,
        }
    )  # fmt: skip
    fig = coverage_charts.coverage_map(frame, "T")
    assert coverage_charts.legend_names(fig) == EVERY_COVERAGE_CLASS
    drawn = {t.name: list(t.locations) for t in fig.data}
    assert drawn == {"0%–10%": ["01", "02"]}  # the empty classes draw no boundary
    legend_only = [s for s in fig.layout.shapes if s.showlegend]
    assert all(s.x0 == s.x1 and s.y0 == s.y1 for s in legend_only)  # no area: never seen
    quantiles = classes.build(pd.Series([1.0, 2.0, 3.0, 4.0]), "quantiles", k=2)
    fig = coverage_charts.coverage_map(
        frame.assign(index=[1.0, 4.0, None]), "T", classification=quantiles, value="index"
    )
    assert coverage_charts.legend_names(fig) == ["1–2.5", "2.5–4", "No data / suppressed"]


def test_the_classes_slider_applies_only_where_it_changes_the_classes():
    values = pd.Series([0.1, 0.2, 0.3, None])
    assert not classes.k_applies(values, "fixed")
    assert classes.k_applies(values, "quantiles")
    assert not classes.k_applies(pd.Series([0.1, 0.2, 0.2]), "quantiles")  # two values


@pytest.mark.app
def test_the_classes_slider_is_disabled_for_fixed_breaks(needs_store, signed_in):
    signed_in("analyst")
    at = open_page("app_pages/coverage.py")  # three provinces, three distinct rates
    assert at.selectbox(key="coverage_map_scheme").value == "fixed"
    assert at.slider(key="coverage_map_k").disabled
    at.selectbox(key="coverage_map_scheme").set_value("quantiles").run()
    assert not at.slider(key="coverage_map_k").disabled
