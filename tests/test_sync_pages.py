"""The registry synchronisation and import pages: rendering, suppression, the overlap chart."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import i18n
from charts import sync_charts
from indicators import overlap
from ingest import compatibility, importer

REPO = Path(__file__).resolve().parent.parent
PAGES = [
    "app_pages/coverage.py",
    "app_pages/methodology.py",
    "app_pages/registry_sync.py",
    "app_pages/import_data.py",
]


def overlap_rows(counts: dict[tuple[str, ...], int]) -> pd.DataFrame:
    bits = {"A": 1, "B": 2, "C": 4}
    rows = [
        {"source_mask": sum(bits[s] for s in k), "sources": list(k), "person_count": n}
        for k, n in counts.items()
    ]
    return pd.DataFrame(rows)


def test_a_small_intersection_and_its_complement_are_hidden():
    # A only 50, B only 40, A+B 3 (small), C only 30. A's size 53 = 50 + 3 would reveal
    # the 3, so the smallest other part of A's relation (A only, 50) hides too; then B's
    # relation (B only 40 + A+B) has two hidden cells already. Sizes stay visible.
    frame = overlap_rows({("A",): 50, ("B",): 40, ("A", "B"): 3, ("C",): 30})
    cells, sizes = overlap.suppress_overlap(frame, threshold=10)
    shown = dict(zip(cells["sources"].map(tuple), cells["person_count"], strict=True))
    assert pd.isna(shown[("A", "B")])
    hidden = [k for k, v in shown.items() if pd.isna(v)]
    assert len(hidden) >= 2
    assert shown[("C",)] == 30
    assert dict(zip(sizes["source"], sizes["person_count"], strict=True))["C"] == 30


def test_nothing_is_hidden_when_every_count_is_large():
    frame = overlap_rows({("A",): 50, ("A", "B"): 20, ("B",): 12})
    cells, sizes = overlap.suppress_overlap(frame, threshold=10)
    assert not cells["suppressed"].any()
    assert list(sizes["person_count"]) == [70, 32]


def test_quality_shares_hide_small_counts_and_their_complements():
    frame = pd.DataFrame(
        {
            "source": ["S"] * 3, "province_code": ["01", "02", "03"],
            "province_name_en": ["a", "b", "c"], "record_count": [100, 100, 5],
            "with_id_count": [50, 99, 5], "with_name_count": [100, 100, 5],
            "with_birth_date_count": [0, 100, 5], "with_sex_count": [100, 100, 5],
            "with_commune_count": [100, 100, 5], "with_occupation_count": [100, 100, 5],
            "unlinked_count": [20, 0, 0], "duplicate_count": [0, 0, 0],
        }
    )  # fmt: skip
    table = overlap.quality_table(frame, threshold=10).set_index("province_code")
    assert table.loc["01", "with_id_share"] == 0.5
    assert pd.isna(table.loc["02", "with_id_share"])  # 1 record without ID would show
    assert table.loc["01", "with_birth_date_share"] == 0.0
    assert pd.isna(table.loc["03", "record_count"])
    assert pd.isna(table.loc["03", "with_name_share"])


def test_upset_chart_draws_one_bar_per_combination_and_marks_hidden_ones():
    frame = overlap_rows({("A",): 50, ("B",): 40, ("A", "B"): 3, ("C",): 30})
    cells, sizes = overlap.suppress_overlap(frame, threshold=10)
    fig = sync_charts.upset(cells, sizes, "Overlap", "◼ <10")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars[0].x) == 4
    assert "◼ <10" in bars[0].text
    # registry sizes A 53, B 43, C 30: the largest registry is drawn on top
    assert list(fig.layout.yaxis3.ticktext) == ["C", "B", "A"]


def test_compatibility_matrix_names_the_agencys_columns_and_codes():
    totals = pd.DataFrame([{"source": "NSSF", **{c: 10 for c in compatibility.FILLED.values()}}])
    totals["with_poverty_level_count"] = 0
    row = compatibility.matrix(totals, "en").iloc[0]
    assert row["national_id"] == "✓ from «ID_CARD_NO»"
    assert row["sex"] == "✓ from «Sex» · 2 codes translated"
    assert row["poverty_level"] == "– not provided"
    assert row["disability"] == "✓ as is"


@pytest.mark.app
@pytest.mark.parametrize("page", ["app_pages/registry_sync.py", "app_pages/import_data.py"])
@pytest.mark.parametrize("lang", ["en", "km"])
def test_pages_render(tiny_store, page, lang, as_role):
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "data_manager")
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title  # rendered past the sign-in gate and the role check


@pytest.mark.app
@pytest.mark.parametrize(("role", "sees_detail"), [("viewer", False), ("data_manager", True)])
def test_sync_detail_is_for_data_managers(tiny_store, as_role, role, sees_detail):
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, role)
    at.run()
    at.switch_page("app_pages/registry_sync.py").run()
    headers = {h.value for h in at.subheader}
    assert i18n.t("sync.compatibility") in headers
    assert (i18n.t("sync.history") in headers) is sees_detail
    assert (i18n.t("sync.back") in headers) is sees_detail


def agency_store(tmp_path) -> tuple:
    """A store made from one agency file alone: no population, no demo rows."""
    path = tmp_path / "coverage.duckdb"
    data = (
        b"record_id,full_name,sex,birth_date,province_code,registered_on\n"
        b"A,Sok Dara,M,1990-01-01,12,2024-01-01\n"
    )
    request = importer.Request(data=data, file_name="a.csv", kind="registrations",
                               source="MLVT", key=bytes(32))  # fmt: skip
    return path, importer.run(request, path).batch_id


@pytest.mark.app
@pytest.mark.parametrize("page", PAGES)
def test_a_store_from_agency_files_alone_renders_every_page(tmp_path, monkeypatch, page, as_role):
    path, _ = agency_store(tmp_path)
    monkeypatch.setenv("COVERAGE_DB", str(path))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "admin")
    at.run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    assert at.title


@pytest.mark.app
def test_import_page_rolls_back_the_latest_batch(tmp_path, monkeypatch, as_role):
    path, batch = agency_store(tmp_path)
    monkeypatch.setenv("COVERAGE_DB", str(path))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    assert at.selectbox(key="import_data_rollback_batch").value == batch
    at.button(key="import_data_rollback").click().run()
    assert not at.exception
    assert "rolled back" in at.success[0].value
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from registrations").fetchone()[0] == 0
    con.close()


def test_every_import_stage_and_page_string_is_in_both_languages():
    import json

    en = json.loads((REPO / "data/i18n/en.json").read_text("utf-8"))
    km = json.loads((REPO / "data/i18n/km.json").read_text("utf-8"))
    assert set(en) == set(km)
    for stage in importer.STAGES:
        assert f"import.stage_{stage}" in km
    for key in overlap.DISPLAY.values():
        assert km[key] != en[key]
