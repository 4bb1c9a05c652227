"""The app in both languages (AppTest): the switch, Khmer labels and digits, download buttons."""

import pytest
from streamlit.testing.v1 import AppTest

REPO_APP = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "dashboard/app.py")
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
