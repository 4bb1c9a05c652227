"""AppTest of the needs, gaps, uptake, planning and drill-down pages on hand-worked stores."""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import i18n


@pytest.fixture(autouse=True)
def _signed_in_analyst(signed_in):
    signed_in("analyst")  # these pages are tested as an analyst sees them


pytestmark = pytest.mark.app
APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
NEW_PAGES = [
    "app_pages/needs.py",
    "app_pages/gaps.py",
    "app_pages/uptake.py",
    "app_pages/drilldown.py",
    "app_pages/planning.py",
]


def open_page(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    return at


def table_with(at, column):
    """The first table on the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("page", NEW_PAGES)
def test_new_pages_render_on_the_tiny_store(tiny_store, page):
    at = open_page(page)
    assert not at.exception


def test_needs_page_shows_the_hand_worked_ranking(needs_store):
    at = open_page("app_pages/needs.py")
    assert not at.exception
    table = table_with(at, "Needs index")
    # tests/test_needs.py: 03 = 55.0 first, then 02 (53.3), then 01 (32.0)
    assert table["Province"].tolist() == ["Kampong Cham", "Battambang", "Banteay Meanchey"]
    assert table["Needs index"].tolist() == ["55.0", "53.3", "32.0"]
    assert table["Coverage gap (head count)"].tolist() == ["138", "470", "140"]


def test_changing_a_weight_reranks_at_once(needs_store):
    at = open_page("app_pages/needs.py")
    at.slider(key="needs_weight_gap_count").set_value(50).run()
    table = table_with(at, "Needs index")
    assert table["Province"].tolist()[0] == "Battambang"
    assert table["Needs index"].tolist()[1] == "44.0"


def test_women_only_cut_reports_the_constant_input(needs_store):
    at = open_page("app_pages/needs.py")
    at.selectbox(key="filter_sex").set_value("F").run()
    assert not at.exception
    message = "Women among the uncovered is the same in every province"
    assert any(message in i.value for i in at.info)


def test_gaps_page_shows_targeting_errors_and_the_unregistered(needs_store):
    at = open_page("app_pages/gaps.py")
    assert not at.exception
    assert any(
        "an estimated 643 informal workers are in no registry" in w.value for w in at.warning
    )
    at.selectbox(key="gaps_programme").set_value("P").run()
    errors = table_with(at, "Exclusion error").set_index("Province")
    # tests/test_targeting.py: P in 01 excludes 10 of 40, includes 30 of 60
    assert errors.loc["Banteay Meanchey", "Exclusion error"] == "25.0%"
    assert errors.loc["Banteay Meanchey", "Inclusion error"] == "50.0%"
    assert errors.loc["Cambodia", "Exclusion error"] == "60.0%"
    assert errors.loc["Battambang", "Inclusion error"] == "–"
    sdg = table_with(at, "Group").set_index("Group")
    assert sdg.loc["Women", "Coverage rate"] == f"{40 / 380:.1%}"


def test_uptake_page_breaks_a_service_down_by_group(needs_store):
    at = open_page("app_pages/uptake.py")
    at.selectbox(key="uptake_service").set_value("P").run()
    at.selectbox(key="uptake_group").set_value("sex").run()
    assert not at.exception
    table = table_with(at, "Women").set_index("Province")  # headers are words, not codes
    # tests/test_uptake.py: P in 01 reaches 10 women and 50 men
    assert table.loc["Banteay Meanchey", "Women"] == "10"
    assert table.loc["Banteay Meanchey", "Men"] == "50"
    assert at.get("plotly_chart")


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval", "natural_breaks", "fixed"])
def test_every_map_offers_every_classification(needs_store, scheme):
    for page, prefix in (
        ("app_pages/coverage.py", "coverage_map"),
        ("app_pages/needs.py", "needs_map"),
    ):
        at = open_page(page)
        at.selectbox(key=f"{prefix}_scheme").set_value(scheme).run()
        slider = at.slider(key=f"{prefix}_k")
        assert slider.disabled == (scheme == "fixed")  # fixed limits set their own classes
        if not slider.disabled:
            slider.set_value(3).run()
        assert not at.exception, (page, scheme)


def test_drilldown_page_lists_districts_and_communes(needs_store):
    at = open_page("app_pages/drilldown.py")
    at.selectbox(key="drilldown_province").set_value("01").run()
    at.selectbox(key="drilldown_district").set_value("0102").run()
    assert not at.exception
    districts = at.dataframe[0].value.set_index("Code")
    assert districts.loc["0102", "Registered persons"] == "70"
    assert districts.loc["0102", "Covered share of registered"] == f"{60 / 70:.1%}"
    communes = at.dataframe[1].value.set_index("Code")
    assert communes.loc["010201", "Covered persons"] == "60"


@pytest.fixture
def planning_store(needs_store, tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_APP_DB", str(tmp_path / "app.sqlite"))
    return needs_store


def test_planning_page_sets_a_target_and_projects_it(planning_store):
    at = open_page("app_pages/planning.py")
    assert any("No target is set" in i.value for i in at.info)
    at.selectbox(key="planning_place").set_value("01").run()
    # form values are sent with the submit button, in one run
    at.number_input(key="planning_target_rate").set_value(60.0)
    at.date_input(key="planning_target_date").set_value(dt.date(2025, 12, 31))
    at.button[0].click().run()
    assert not at.exception
    # 01: 0% in April, 30% in May and June (tests/test_planning.py); the fitted pace over
    # the last 12 months is positive, so the target gets a projected month
    messages = [i.value for i in at.info]
    assert any("target of 60%" in m for m in messages), messages
    targets_table = table_with(at, "Target coverage")
    row = targets_table.iloc[0]
    assert (len(targets_table), row["Place"], row["Programme"]) == (
        1,
        "Banteay Meanchey",
        "Any programme",
    )
    assert (row["Target coverage"], row["To be met by"]) == ("60.0%", "31 December 2025")
    keys = {b.key for b in at.get("download_button")}
    expected = {f"planning_target_chart_download_{f}" for f in ("png", "svg", "pdf")}
    expected |= {f"planning_targets_download_{f}" for f in ("csv", "xlsx")}
    assert expected <= keys


def test_planning_page_what_if_and_change(planning_store):
    at = open_page("app_pages/planning.py")
    at.multiselect(key="planning_provinces").set_value(["03"]).run()
    at.number_input(key="planning_people").set_value(100).run()
    plan = table_with(at, "Projected coverage").set_index("Province")
    assert plan.loc["Kampong Cham", "Projected coverage"] == f"{112 / 150:.1%}"
    assert plan.loc["Kampong Cham", "Rank after"] == "3"
    at.selectbox(key="planning_from").set_value("2024-04").run()
    change = table_with(at, "Change").set_index("Province")
    assert change.loc["Banteay Meanchey", "Change"] == "+30.0 pp"
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"planning_change_map_download_png", "planning_change_table_download_xlsx"} <= keys


@pytest.mark.parametrize("page", NEW_PAGES)
def test_new_pages_render_in_khmer(needs_store, page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "km"
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert any("\u1780" <= ch <= "\u17ff" for ch in at.title[0].value)  # Khmer script


def test_every_ui_string_has_both_languages():
    import i18n

    english, khmer = i18n.strings("en"), i18n.strings("km")
    assert set(english) == set(khmer)
    assert all(khmer[k].strip() for k in khmer)


def test_a_viewer_sees_the_ranking_at_default_weights_and_no_planning_tools(needs_store, signed_in):
    signed_in("viewer")
    at = open_page("app_pages/needs.py")
    assert not at.exception
    assert [s for s in at.slider if s.key and s.key.startswith("needs_weight_")] == []
    assert i18n.t("needs.default_weights") in [c.value for c in at.caption]
    at.switch_page("app_pages/planning.py").run()
    assert not at.exception
    assert not [b for b in at.button if "planning_target_form" in str(b.form_id)]
    assert i18n.t("planning.analysts_only") in [i.value for i in at.info]
    assert all(m.key != "planning_provinces" for m in at.multiselect)
