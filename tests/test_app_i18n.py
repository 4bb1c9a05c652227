"""The app in both languages (AppTest): the switch, Khmer labels and digits, download buttons."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import i18n
import test_browser_khmer

REPO_APP = str(Path(__file__).resolve().parent.parent / "dashboard/app.py")
PAGES = ["app_pages/coverage.py", "app_pages/methodology.py"]

pytestmark = pytest.mark.app


def app(as_role, **query) -> AppTest:
    at = AppTest.from_file(REPO_APP, default_timeout=60)
    as_role(at, "viewer")
    at.query_params.update(query)
    return at.run()


@pytest.mark.parametrize("lang", ["en", "km"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(tiny_store, page, lang, as_role):
    at = app(as_role, lang=lang)
    at.switch_page(page).run()
    assert not at.exception
    assert at.title  # the page rendered past the sign-in gate


def test_switching_to_khmer_translates_labels_and_digits(tiny_store, as_role):
    at = app(as_role)
    assert at.sidebar.radio(key="lang").value == "en"
    assert at.metric[2].label == "Est. informal workers"
    at.sidebar.radio(key="lang").set_value("km").run()
    assert not at.exception
    assert at.title[0].value == "វិសាលភាពកិច្ចគាំពារសង្គមសម្រាប់ពលករក្រៅប្រព័ន្ធ"
    # national estimate: Phnom Penh 1,000 + 24 provinces x 100 = 3,400
    assert at.metric[2].label == "ពលករក្រៅប្រព័ន្ធប៉ាន់ស្មាន"
    assert at.metric[2].value == "៣.៤០០"
    assert at.metric[1].value == "១៣"  # national covered 13 (record keys 0: not perturbed)
    assert at.metric[4].value == "◼ <១០"  # registered, not covered: 3
    assert at.sidebar.selectbox(key="filter_sex").options == ["ទាំងអស់", "ស្ត្រី", "បុរស"]
    table = next(d.value for d in at.dataframe if "ខេត្ត/រាជធានី" in d.value.columns)
    assert table.iloc[0, 0] == "បន្ទាយមានជ័យ"  # Banteay Meanchey
    assert at.query_params["lang"] == "km"


def test_a_link_with_lang_km_opens_in_khmer(tiny_store, as_role):
    at = app(as_role, lang="km")
    assert at.sidebar.radio(key="lang").value == "km"
    assert at.sidebar.selectbox(key="filter_month").format_func("2024-06") == "ខែមិថុនា ឆ្នាំ២០២៤"


def test_every_chart_and_table_has_download_buttons(tiny_store, as_role):
    at = app(as_role)
    assert "coverage_bars_download_png" not in {b.key for b in at.get("download_button")}
    at.session_state["coverage_bars_section"] = True  # the ranking is built once opened
    at.run()
    keys = {b.key for b in at.get("download_button")}
    for chart in ("coverage_map_download", "coverage_bars_download"):
        assert {f"{chart}_png", f"{chart}_svg", f"{chart}_pdf"} <= keys
    assert {"coverage_table_download_csv", "coverage_table_download_xlsx"} <= keys
    assert "coverage_brief_download" in keys
    at.switch_page("app_pages/methodology.py").run()
    keys = {b.key for b in at.get("download_button")}
    for table in ("methodology_services_download", "methodology_occupations_download"):
        assert {f"{table}_csv", f"{table}_xlsx"} <= keys


# ---------------------------------------------------------------------------------------
# Khmer, all of it: every page's tables, names and placeholders; choices kept on a switch

EVERY_PAGE = [
    "app_pages/coverage.py", "app_pages/needs.py", "app_pages/gaps.py", "app_pages/uptake.py",
    "app_pages/drilldown.py", "app_pages/planning.py", "app_pages/registry_sync.py",
    "app_pages/import_data.py", "app_pages/methodology.py", "app_pages/admin.py",
]  # fmt: skip
# The headers (in the Khmer catalogue) of the columns that name places, programmes and
# registries: their cells are the reference tables' Khmer names.
NAME_COLUMNS = [
    "column.province_name", "gaps.col.province", "planning.col.province", "needs.col.province",
    "sync.col_province", "uptake.province", "drilldown.col.name", "column.name",
    "uptake.col.programme", "planning.targets.place", "planning.targets.programme",
    "sync.col_name", "review.col_place", "review.col_other_place", "admin.accounts.provinces",
    "explain.batch.source",
]  # fmt: skip
REFERENCE = Path(REPO_APP).parent.parent / "data" / "reference"


def reference_khmer_names() -> set[str]:
    """The Khmer names of the reference tables, read from the CSV files themselves."""
    names = set()
    for table in ("provinces", "districts", "communes", "services", "sources", "occupations"):
        frame = pd.read_csv(REFERENCE / f"{table}.csv", dtype=str)
        names |= set(frame["name_km"].dropna())
    return names


def latin(text: object) -> set[str]:
    """Latin-script words of a cell or header, acronyms and codes allowed (as in the browser)."""
    return test_browser_khmer.english_words(str(text))


@pytest.fixture
def demo_store(demo_store_file, monkeypatch):
    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    return demo_store_file


def khmer_page(as_role, page: str) -> AppTest:
    """A page of the demo store in Khmer, as an administrator, its lazy parts opened."""
    at = AppTest.from_file(REPO_APP, default_timeout=120)
    as_role(at, "admin")
    at.query_params["lang"] = "km"
    at.run()
    at.switch_page(page).run()
    for lazy in ("coverage_bars_section", "coverage_explain", "needs_explain"):
        at.session_state[lazy] = True  # the ranking and the "explain" popovers, opened
    return at.run()


@pytest.mark.parametrize("page", EVERY_PAGE, ids=lambda p: p.split("/")[-1][:-3])
def test_every_table_in_khmer_has_khmer_headers_and_names(demo_store, as_role, page):
    at = khmer_page(as_role, page)
    assert not at.exception
    km = i18n.strings("km")
    name_headers = {km[key] for key in NAME_COLUMNS}
    reference = reference_khmer_names()
    tables = [frame.value for frame in at.dataframe]
    assert tables or page == "app_pages/import_data.py"  # its tables follow an upload
    assert {frame.proto.placeholder for frame in at.dataframe} <= {"–"}  # not "None"
    found, named = [], 0
    for table in tables:
        found += [("header", h) for h in table.columns if latin(h)]
        for header in [h for h in table.columns if h in name_headers]:
            cells = [c for c in table[header].astype(str) if c not in ("", "–")]
            found += [(header, c) for c in cells if latin(c)]
            named += sum(any(name in c for name in reference) for c in cells)
    assert found == []
    if page not in ("app_pages/import_data.py", "app_pages/admin.py"):  # no place named there
        assert named > 0  # the names shown are the reference tables' Khmer names


@pytest.mark.parametrize("page", EVERY_PAGE, ids=lambda p: p.split("/")[-1][:-3])
def test_every_select_box_in_khmer_says_choose_in_khmer(demo_store, as_role, page):
    at = khmer_page(as_role, page)
    boxes = [*at.selectbox, *at.multiselect]
    assert boxes
    placeholders = {box.key: box.proto.placeholder for box in boxes}
    khmer = {
        i18n.t("select.choose", "km"),
        i18n.t("select.choose_many", "km"),
        i18n.t("filters.services_placeholder", "km"),
        i18n.t("admin.every_province", "km"),
    }
    assert {k: p for k, p in placeholders.items() if p not in khmer} == {}


def shown_label(box) -> str | None:
    """The label a select box is told to show in the browser when its value was re-set."""
    return box.proto.raw_value if box.proto.set_value else None


def test_switching_language_keeps_and_relabels_map_classes_and_the_briefing_area(
    tiny_store, as_role
):
    # The browser shows a choice by the label it was chosen under: a switch must send each
    # choice again, in the new language, or the box keeps the old label (or empties).
    at = app(as_role)
    assert at.selectbox(key="coverage_brief_area").value == "KH"  # the national pack
    at.selectbox(key="coverage_map_scheme").select("quantiles").run()
    at.sidebar.radio(key="lang").set_value("km").run()
    assert not at.exception
    scheme, area = at.selectbox(key="coverage_map_scheme"), at.selectbox(key="coverage_brief_area")
    assert (scheme.value, area.value) == ("quantiles", "KH")
    assert shown_label(scheme) == i18n.t("maps.scheme.quantiles", "km")
    assert shown_label(area) == i18n.t("brief.national", "km")
    at.selectbox(key="coverage_brief_area").select("12").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    scheme, area = at.selectbox(key="coverage_map_scheme"), at.selectbox(key="coverage_brief_area")
    assert (scheme.value, area.value) == ("quantiles", "12")
    assert (shown_label(scheme), shown_label(area)) == ("Quantiles", "Phnom Penh")
    at.sidebar.radio(key="lang").set_value("km").run()
    provinces = pd.read_csv(REFERENCE / "provinces.csv", dtype=str).set_index("province_code")
    area = at.selectbox(key="coverage_brief_area")
    assert (area.value, shown_label(area)) == ("12", provinces.loc["12", "name_km"])
