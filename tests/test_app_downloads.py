"""Every chart (PNG, SVG, PDF) and table (CSV, XLSX) of every page downloads, with its filters.

A chart keyed `k` has the buttons `k_download_png`, `_svg` and `_pdf`; every table has
a CSV and an XLSX button (st.dataframe keeps no key AppTest can read: they are counted).
Left out: tables that preview an upload or list what a number came from (the mapping
wizard's previews, the explain popover's batch list). Each file names the filters that
made it (an XLSX's metadata sheet, a figure's title and subtitle), and building it is
audited.
"""

import html
import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import conftest
import i18n
from appdb import database
from charts import coverage_charts
from exports import files, rendering

pytestmark = pytest.mark.app
APP = str(conftest.REPO / "dashboard" / "app.py")
CHART = ("png", "svg", "pdf")
TABLE = ("csv", "xlsx")
BATCHES = i18n.t("explain.batch.sha256")  # a column of the explain popover's batch list only
EXTRA_BUTTONS = {  # downloads beside the charts' and tables': the brief, the ranking's weights
    "coverage_brief_download", "needs_download_csv", "planning_plan_csv",
    "import_data_template_csv", "import_data_template_xlsx", "import_data_template_schema",
}  # fmt: skip
REJECTED = b"province_code,year\n01,2024\n"  # a population file short of columns


def open_page(page: str, role: str, signed_in) -> AppTest:
    signed_in(role)
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["coverage_bars_section"] = True  # the ranking bars are built once opened
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def shown_tables(at: AppTest) -> list:
    """The tables the page reports (not the explain popover's sources of a number)."""
    return [d for d in at.dataframe if BATCHES not in d.value.columns]


def check_downloads(at: AppTest) -> tuple[int, int]:
    """Every chart and table shown has its buttons; (charts, tables) counted."""
    buttons = {b.key for b in at.get("download_button")}
    charts, tables = at.get("plotly_chart"), shown_tables(at)
    assert {f"{c.key}_download_{fmt}" for c in charts for fmt in CHART} - buttons == set()
    for fmt in TABLE:
        assert len([b for b in buttons if b.endswith(f"_download_{fmt}")]) >= len(tables), fmt
    assert len(buttons - EXTRA_BUTTONS) >= 3 * len(charts) + 2 * len(tables)
    return len(charts), len(tables)


@pytest.mark.parametrize(
    ("page", "role", "least"),
    [
        ("app_pages/coverage.py", "analyst", (2, 1)),  # map, ranking bars; the table
        ("app_pages/needs.py", "analyst", (2, 2)),  # map, contributions; ranking, inputs
        ("app_pages/gaps.py", "analyst", (0, 4)),  # reach, errors, SDG and SDG by province
        ("app_pages/uptake.py", "analyst", (1, 2)),  # trend; catalogue, breakdown (marks)
        ("app_pages/drilldown.py", "analyst", (1, 2)),  # bars or map; districts, communes
        ("app_pages/planning.py", "analyst", (2, 3)),  # target, change; targets, plan, change
        ("app_pages/registry_sync.py", "data_manager", (1, 4)),  # UpSet; every listing
        ("app_pages/methodology.py", "viewer", (0, 2)),  # the two catalogues
    ],
)  # fmt: skip
def test_every_chart_and_table_of_the_page_has_its_downloads(
    needs_store, signed_in, page, role, least
):
    at = open_page(page, role, signed_in)
    charts, tables = check_downloads(at)
    assert charts >= least[0], charts
    assert tables >= least[1], tables


def test_the_import_pages_validation_report_downloads(tiny_store, signed_in):
    at = open_page("app_pages/import_data.py", "data_manager", signed_in)
    at.selectbox(key="import_data_kind").select("population").run()
    at.file_uploader(key="import_data_file").upload("people.csv", REJECTED, "text/csv").run()
    at.checkbox(key="import_data_dry_run").check().run()
    at.button(key="import_data_run").click().run()
    assert not at.exception
    assert check_downloads(at) == (0, 2)  # problems by reason, the first problems
    keys = {b.key for b in at.get("download_button")}
    assert {"import_data_reasons_download_xlsx", "import_data_problems_download_csv"} <= keys


# ---- the filters on the files, and the audit of each ---------------------------------------


def exports() -> list[dict]:
    con = database.connect()
    rows = con.execute("select detail from audit_log where action = 'export' order by id")
    details = [json.loads(r[0]) for r in rows.fetchall()]
    con.close()
    return details


def women_only(at: AppTest) -> None:
    at.sidebar.selectbox(key="filter_sex").set_value("F").run()
    assert not at.exception


def test_a_tables_workbook_carries_its_filters_and_the_download_is_audited(
    needs_store, signed_in, monkeypatch
):
    builds = conftest.capture_builds(monkeypatch)
    at = open_page("app_pages/gaps.py", "analyst", signed_in)
    women_only(at)
    at.selectbox(key="gaps_programme").set_value("P").run()
    data = builds["gaps_errors_P_2024-06.xlsx"]()
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = {row[0]: row[1] for row in book[files.METADATA_SHEET].iter_rows(values_only=True)}
    assert meta["Filters: As-of month"] == "June 2024"
    assert meta["Filters: Sex"] == "Women"
    assert meta["Filters: Programme"]  # the page's own choice
    assert meta["Title"].endswith("(June 2024; Sex: Women)")
    header = [c.value for c in book[files.DATA_SHEET][1]]
    assert "Exclusion error" in header  # the table as shown: worded headers
    (detail,) = exports()
    assert detail["file"] == "gaps_errors_P_2024-06.xlsx"
    assert ["Sex", "Women"] in detail["filters"]


def test_a_charts_export_says_its_filters_in_title_and_subtitle(
    needs_store, signed_in, monkeypatch
):
    builds = conftest.capture_builds(monkeypatch)
    rendered = []

    def render(fig, fmt):
        rendered.append(fig)
        return b"<svg/>"

    monkeypatch.setattr(rendering, "render", render)  # decorate runs; Chromium is not needed
    at = open_page("app_pages/needs.py", "analyst", signed_in)
    women_only(at)
    shown = next(c for c in at.get("plotly_chart") if c.key == "needs_contributions")
    on_screen = html.unescape(json.loads(shown.proto.spec)["layout"]["title"]["text"])
    assert on_screen.endswith("(June 2024; Sex: Women)")
    assert builds["needs_contributions_2024-06_en.svg"]() == b"<svg/>"
    (fig,) = rendered
    subtitle = html.unescape(fig.layout.title.subtitle.text)
    assert subtitle == "Filters: As-of month: June 2024; Sex: Women"
    assert html.unescape(fig.layout.title.text) == on_screen
    (detail,) = exports()
    assert detail["file"] == "needs_contributions_2024-06_en.svg"
    assert ["Sex", "Women"] in detail["filters"]
    builds["needs_map_2024-06_en.svg"]()  # a map: exported as vector shapes, not WebGL
    assert {t.type for t in rendered[-1].data} == {"scatter"}
    assert html.unescape(rendered[-1].layout.title.subtitle.text) == subtitle


def test_unset_filters_leave_a_title_alone(needs_store, signed_in):
    at = open_page("app_pages/coverage.py", "analyst", signed_in)
    titles = {
        c.key: html.unescape(json.loads(c.proto.spec)["layout"]["title"]["text"])
        for c in at.get("plotly_chart")
    }
    assert titles["coverage_map"] == "Coverage rate of informal workers, June 2024"
    assert titles["coverage_bars"].endswith("informal workers (June 2024)")  # month added


def test_the_coverage_maps_export_keeps_the_classes_chosen_on_screen(
    needs_store, signed_in, monkeypatch
):
    builds = conftest.capture_builds(monkeypatch)
    rendered = []
    monkeypatch.setattr(rendering, "render", lambda fig, fmt: rendered.append(fig) or b"<svg/>")
    at = open_page("app_pages/coverage.py", "analyst", signed_in)
    at.selectbox(key="coverage_map_scheme").select("quantiles").run()
    assert not at.exception
    shown = next(c for c in at.get("plotly_chart") if c.key == "coverage_map")
    spec = json.loads(shown.proto.spec)
    # the legend on screen: one entry per class, filled (a trace) or empty (a legend shape)
    on_screen = {t["name"] for t in spec["data"]} | {
        s["name"] for s in spec["layout"].get("shapes", []) if s.get("name")
    }
    assert builds["coverage_map_2024-06_en.svg"]() == b"<svg/>"
    exported = {t.name for t in rendered[-1].data}
    assert exported == on_screen
    fixed = {v for v in coverage_charts.class_labels("en").values() if "–" in v}  # ranges
    assert not exported & fixed  # the quantiles', not the fixed classes'
