"""Drill-down counts and suppression, and the district boundary import, on hand-made data.

tests/needs_fixture.py, province 01 on 30 June 2024: district 0102 (commune 010201) holds
blocks a, c, d, e1, e2: 70 registered, 60 covered (d not); district 0103 (commune 010301)
holds block b: 10 registered, none covered.
"""

import datetime as dt
import json
import shutil

import pandas as pd
import pytest
import shapely.geometry as sg

import cli
from data_access import reads
from ingest import boundaries


@pytest.fixture(autouse=True)
def _signed_in_analyst(signed_in):
    signed_in("analyst")  # these pages are tested as an analyst sees them


CUT = reads.CoverageFilter(as_of=dt.date(2024, 6, 30))


def areas(con, threshold=10):
    return reads.load_areas(con, CUT, "01", threshold).set_index("area_code")


def test_province_districts_and_communes_add_up(needs_con):
    frame = areas(needs_con)
    assert frame.loc["01", ["registered_count", "covered_count"]].tolist() == [80, 60]
    assert frame.loc["0102", ["registered_count", "covered_count"]].tolist() == [70, 60]
    assert frame.loc["0103", ["registered_count", "registered_not_covered_count"]].tolist() == [
        10,
        10,
    ]
    assert frame.loc["010201", "covered_share_of_registered"] == pytest.approx(60 / 70)
    assert frame.loc["010301", "covered_count"] == 0
    assert frame.loc["0104", "registered_count"] == 0  # a district without anyone: a true zero
    assert set(frame["level"]) == {"province", "district", "commune"}


def test_programme_filter_applies_below_the_province(needs_con):
    only_o = reads.CoverageFilter(as_of=CUT.as_of, services=("O",))
    frame = reads.load_areas(needs_con, only_o, "01", 10).set_index("area_code")
    assert frame.loc["0102", "covered_count"] == 10  # e1


def test_only_small_areas_are_hidden_across_levels(needs_con):
    frame = areas(needs_con, threshold=11)
    # 0103's 10 registered are below 11 and hidden; with cell-key perturbation no
    # complement is hidden: 0102's 70, its commune 010201 and the province's 80 stay.
    assert frame.loc["0103", "registered_count_suppressed"]
    assert pd.isna(frame.loc["0103", "registered_count"])
    assert pd.isna(frame.loc["0103", "covered_share_of_registered"])
    assert frame.loc["0102", "registered_count"] == 70
    assert frame.loc["010201", "registered_count"] == 70
    assert frame.loc["01", "registered_count"] == 80
    # 0103's 10 are its commune 010301's 10; 0102's 10 not covered (block d) are small too
    assert set(frame.index[frame["registered_count_suppressed"]]) == {"0103", "010301"}
    assert "0102" in set(frame.index[frame["registered_not_covered_count_suppressed"]])


def test_unknown_province_is_rejected(needs_con):
    with pytest.raises(reads.InvalidFilter, match="unknown province"):
        reads.load_areas(needs_con, CUT, "99' or 1=1", 10)


def square(x, y, size=0.1):
    return sg.box(x, y, x + size, y + size)


def write_geojson(path, features):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": sg.mapping(geometry)}
            for props, geometry in features
        ],
    }
    path.write_text(json.dumps(collection))
    return path


def test_boundaries_import_keeps_reference_names(tmp_path):
    source = write_geojson(
        tmp_path / "d.geojson",
        [
            ({"district_code": "0102"}, square(103.0, 13.5)),
            ({"ADM": 1, "district_code": "103"}, square(103.2, 13.5)),
        ],
    )
    dest = tmp_path / "out" / "districts.geojson"
    assert boundaries.import_file(source, "Test polygons, CC0", dest) == 2
    stored = json.loads(dest.read_text())
    props = [f["properties"] for f in stored["features"]]
    assert [p["district_code"] for p in props] == ["0102", "0103"]
    assert props[0]["name_en"] == "Mangkul Bourei"
    assert props[0]["province_code"] == "01"
    assert stored["attribution"] == "Test polygons, CC0"


def test_ocha_pcodes_are_accepted(tmp_path):
    source = write_geojson(tmp_path / "o.geojson", [({"ADM2_PCODE": "KH0102"}, square(103, 13))])
    assert boundaries.import_file(source, "x", tmp_path / "d.geojson") == 1


D0102 = {"district_code": "0102"}
BOW_TIE = sg.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([({"district_code": "9999"}, square(103, 13))], "not in the reference list: 9999"),
        ([(D0102, square(103, 13)), (D0102, square(104, 13))], "more than once: 0102"),
        ([(D0102, BOW_TIE)], "invalid geometry"),
        ([(D0102, sg.Point(103, 13))], "a Point, not a polygon"),
        ([({"name": "x"}, square(103, 13))], "no district code column"),
    ],
)
def test_bad_boundary_files_are_rejected_with_the_reason(tmp_path, features, message):
    source = write_geojson(tmp_path / "bad.geojson", features)
    with pytest.raises(boundaries.BoundaryError, match=message):
        boundaries.import_file(source, "x", tmp_path / "d.geojson")
    assert not (tmp_path / "d.geojson").exists()


def test_boundaries_command_stores_beside_the_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "coverage.duckdb"))
    source = write_geojson(tmp_path / "d.geojson", [({"district_code": "0102"}, square(103, 13))])
    code = cli.main(["boundaries", "import", str(source), "--attribution", "Test"])
    assert code == 0
    assert (tmp_path / "boundaries" / "districts.geojson").exists()
    assert "Imported 1 district boundaries" in capsys.readouterr().out
    bad = write_geojson(tmp_path / "bad.geojson", [({"district_code": "9999"}, square(103, 13))])
    assert cli.main(["boundaries", "import", str(bad), "--attribution", "Test"]) == 1
    assert "not in the reference list" in capsys.readouterr().err


@pytest.mark.app
def test_district_map_appears_once_boundaries_are_imported(needs_store_file, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from test_app_needs import APP

    store_copy = tmp_path / "coverage.duckdb"
    shutil.copyfile(needs_store_file, store_copy)
    monkeypatch.setenv("COVERAGE_DB", str(store_copy))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/drilldown.py").run()
    assert any("No district boundaries" in i.value for i in at.info)
    source = write_geojson(
        tmp_path / "d.geojson",
        [
            ({"district_code": "0102"}, square(103.0, 13.5)),
            ({"district_code": "0103"}, square(103.2, 13.5)),
        ],
    )
    boundaries.import_file(source, "Test polygons", boundaries.path())
    at.run()
    assert not at.exception
    assert not any("No district boundaries" in i.value for i in at.info)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    locations = {loc for trace in figure["data"] for loc in trace["locations"]}
    assert {"0102", "0103"} <= locations
    assert any("Test polygons" in a["text"] for a in figure["layout"]["annotations"])
