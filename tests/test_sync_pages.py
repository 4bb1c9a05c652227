"""The registry synchronisation and import pages: rendering, disclosure control, UpSet chart."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import i18n
from charts import sync_charts
from indicators import disclosure, overlap
from ingest import compatibility, importer

REPO = Path(__file__).resolve().parent.parent
PAGES = [
    "app_pages/coverage.py",
    "app_pages/methodology.py",
    "app_pages/registry_sync.py",
    "app_pages/import_data.py",
]


def overlap_rows(counts: dict[tuple[str, ...], int], keys: dict | None = None) -> pd.DataFrame:
    """registry_overlap rows; key sums 0 unless given (cell key 0 is never perturbed)."""
    bits = {"A": 1, "B": 2, "C": 4}
    rows = [
        {"source_mask": sum(bits[s] for s in k), "sources": list(k), "person_count": n,
         "person_ksum": (keys or {}).get(k, 0)}
        for k, n in counts.items()
    ]  # fmt: skip
    return pd.DataFrame(rows)


def ptable_value(count: int, key: int) -> int:
    """The p-table's perturbation for a count (up to 750) and cell key, read from its file."""
    table = pd.read_csv(disclosure.PTABLE)
    return int(table[(table["pcv"] == count) & (table["ckey"] == key % 256)]["pvalue"].iloc[0])


def test_a_small_intersection_is_hidden_and_its_neighbours_are_not():
    # A only 50, B only 40, A+B 3 (small), C only 30: with cell-key perturbation no
    # complement is hidden; subtracting A's size from A only gives noise, not the 3.
    frame = overlap_rows({("A",): 50, ("B",): 40, ("A", "B"): 3, ("C",): 30})
    cells, sizes = overlap.publish_overlap(frame, threshold=10)
    shown = dict(zip(cells["sources"].map(tuple), cells["person_count"], strict=True))
    assert pd.isna(shown[("A", "B")])
    assert [shown[("A",)], shown[("B",)], shown[("C",)]] == [50, 40, 30]
    assert dict(zip(sizes["source"], sizes["person_count"], strict=True)) == {
        "A": 53, "B": 43, "C": 30
    }  # fmt: skip
    assert "person_ksum" not in cells.columns


def test_a_registrys_size_is_a_cell_of_its_own():
    keys = {("A",): 5, ("A", "B"): 200, ("B",): 17}
    frame = overlap_rows({("A",): 50, ("A", "B"): 20, ("B",): 12}, keys)
    cells, sizes = overlap.publish_overlap(frame, threshold=10)
    # A's persons are A only and A+B: 70 of them, cell key 5 + 200
    sizes = dict(zip(sizes["source"], sizes["person_count"], strict=True))
    assert sizes["A"] == 70 + ptable_value(70, 205)
    assert sizes["B"] == 32 + ptable_value(32, 217)
    shown = dict(zip(cells["sources"].map(tuple), cells["person_count"], strict=True))
    assert shown[("A", "B")] == 20 + ptable_value(20, 200)
    assert not cells["suppressed"].any()


def test_quality_shares_come_from_published_counts():
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
    for count in [c for c in frame.columns if c.endswith("_count")]:
        frame[count.removesuffix("_count") + "_ksum"] = 0
    published = overlap.publish_quality(frame, threshold=10)
    table = overlap.quality_table(published).set_index("province_code")
    assert table.loc["01", "with_id_share"] == 0.5
    assert table.loc["02", "with_id_share"] == 0.99
    assert table.loc["01", "with_birth_date_share"] == 0.0
    assert pd.isna(table.loc["03", "record_count"])
    assert pd.isna(table.loc["03", "with_name_share"])


def test_upset_chart_draws_one_bar_per_combination_and_marks_hidden_ones():
    frame = overlap_rows({("A",): 50, ("B",): 40, ("A", "B"): 3, ("C",): 30})
    cells, sizes = overlap.publish_overlap(frame, threshold=10)
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
    confirm = at.checkbox(key="import_data_rollback_confirm")
    assert f"rolling back batch {batch}" in confirm.label  # says what it will undo
    at.button(key="import_data_rollback").click().run()  # not confirmed: nothing happens
    assert "tick the box" in at.warning[0].value
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from registrations").fetchone()[0] > 0
    con.close()
    at.checkbox(key="import_data_rollback_confirm").check().run()
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
