"""Checks of the committed reference data in data/reference/."""

import itertools
import json
import pathlib

import pandas as pd
import pytest
import shapely.geometry

from ingest import reference_build

REFERENCE_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "reference"
SHARED_BOUNDARIES = (
    pathlib.Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "reference"
    / "cambodia_provinces.geojson"
)
GENERATED_FILES = [
    "provinces.csv",
    "districts.csv",
    "communes.csv",
    "provinces.geojson",
    "README.md",
]
# Sum of the province table of shared/DOMAIN.md (2019 census, approx.).
DOMAIN_CENSUS_TOTAL = 15_523_709


def read_csv(name):
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def provinces():
    return read_csv("provinces.csv")


@pytest.fixture(scope="module")
def districts():
    return read_csv("districts.csv")


@pytest.fixture(scope="module")
def communes():
    return read_csv("communes.csv")


@pytest.fixture(scope="module")
def geojson():
    return json.loads((REFERENCE_DIR / "provinces.geojson").read_text(encoding="utf-8"))


def signed_area(ring):
    """Shoelace sum over lon/lat pairs: positive for a counter-clockwise ring."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def polygons_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon"
    return geometry["coordinates"]


def test_25_provinces_with_text_codes(provinces):
    assert list(provinces.columns) == [
        "province_code",
        "iso_3166_2",
        "name_en",
        "name_km",
        "census_2019_population",
    ]
    assert list(provinces["province_code"]) == [f"{n:02d}" for n in range(1, 26)]
    assert list(provinces["iso_3166_2"]) == [f"KH-{n}" for n in range(1, 26)]
    assert (provinces["name_en"] != "").all()
    assert (provinces["name_km"] != "").all()


def test_census_total_matches_domain_table(provinces):
    populations = provinces["census_2019_population"].map(int)
    assert populations.sum() == DOMAIN_CENSUS_TOTAL
    assert (populations > 0).all()


@pytest.mark.parametrize(
    ("code", "name_en", "population"),
    [
        ("12", "Phnom Penh", "2281951"),
        ("18", "Preah Sihanouk", "310072"),
        ("25", "Tbong Khmum", "763735"),
        ("01", "Banteay Meanchey", "861883"),
    ],
)
def test_known_provinces(provinces, code, name_en, population):
    row = provinces.set_index("province_code").loc[code]
    assert row["name_en"] == name_en
    assert row["census_2019_population"] == population


def test_module_dicts_match_csv(provinces):
    assert dict(zip(provinces["province_code"], provinces["name_en"], strict=True)) == (
        reference_build.PROVINCE_NAMES_EN
    )
    census = {k: str(v) for k, v in reference_build.CENSUS_2019_POPULATION.items()}
    assert (
        dict(zip(provinces["province_code"], provinces["census_2019_population"], strict=True))
        == census
    )


def test_districts_belong_to_existing_provinces(provinces, districts):
    assert len(districts) > 0
    assert districts["district_code"].is_unique
    assert districts["district_code"].str.fullmatch(r"\d{4}").all()
    assert set(districts["province_code"]) <= set(provinces["province_code"])
    for code, province in zip(districts["district_code"], districts["province_code"], strict=True):
        assert code.startswith(province), code


def test_communes_belong_to_existing_districts(districts, communes):
    assert len(communes) > 0
    assert communes["commune_code"].is_unique
    assert communes["commune_code"].str.fullmatch(r"\d{6}").all()
    province_of = dict(zip(districts["district_code"], districts["province_code"], strict=True))
    for code, district, province in zip(
        communes["commune_code"], communes["district_code"], communes["province_code"], strict=True
    ):
        assert district in province_of, code
        assert code.startswith(district), code
        assert province_of[district] == province, code


def test_geojson_has_25_valid_features_matching_csv(provinces, geojson):
    features = geojson["features"]
    assert geojson["type"] == "FeatureCollection"
    assert len(features) == 25
    codes = [f["properties"]["province_code"] for f in features]
    assert sorted(codes) == sorted(provinces["province_code"])
    for feature in features:
        assert set(feature["properties"]) == {"province_code", "iso_3166_2", "name_en", "name_km"}
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert geometry.is_valid, feature["properties"]["province_code"]
        assert not geometry.is_empty


def test_geojson_names_match_csv(provinces, geojson):
    by_code = provinces.set_index("province_code")
    for feature in geojson["features"]:
        props = feature["properties"]
        row = by_code.loc[props["province_code"]]
        assert props["iso_3166_2"] == row["iso_3166_2"]
        assert props["name_en"] == row["name_en"]
        assert props["name_km"] == row["name_km"]


def test_geojson_rings_follow_rfc7946_winding(geojson):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946 section 3.1.6)."""
    for feature in geojson["features"]:
        for exterior, *holes in polygons_of(feature["geometry"]):
            assert signed_area(exterior) > 0, feature["properties"]["province_code"]
            for hole in holes:
                assert signed_area(hole) < 0, feature["properties"]["province_code"]


def test_geojson_is_small_and_rounded(geojson):
    assert (REFERENCE_DIR / "provinces.geojson").stat().st_size < 150_000
    for feature in geojson["features"]:
        for polygon in polygons_of(feature["geometry"]):
            for ring in polygon:
                for lon, lat in ring:
                    assert round(lon, 4) == lon
                    assert round(lat, 4) == lat
                    assert 102 < lon < 108
                    assert 10 < lat < 15


def test_readme_carries_attributions():
    readme = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    assert reference_build.BOUNDARY_ATTRIBUTION in readme
    assert reference_build.ADMIN_ATTRIBUTION in readme
    assert "15,523,709" in readme


@pytest.mark.skipif(not SHARED_BOUNDARIES.exists(), reason="shared/ boundaries not present")
def test_regenerating_reproduces_committed_files(tmp_path):
    reference_build.main(out_dir=tmp_path, shared_dir=SHARED_BOUNDARIES.parent)
    for name in GENERATED_FILES:
        assert (tmp_path / name).read_bytes() == (REFERENCE_DIR / name).read_bytes(), name
