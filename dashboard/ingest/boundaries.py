"""District boundaries imported by an analyst: validated, stored beside the store as GeoJSON.

No district polygons ship with the repository. `python -m dashboard boundaries import
FILE` reads any file GDAL reads (GeoJSON, GeoPackage, shapefile), checks every district
code against data/reference/districts.csv (a `district_code` column, or OCHA's
`ADM2_PCODE` such as KH0102), rejects duplicates, empty or invalid geometries and
non-polygons, reprojects to WGS 84 and writes data/boundaries/districts.geojson
(atomically) with the codes and names of the reference list. A swap of the store never
touches it.
"""

import functools
import json
import math
import os
from pathlib import Path

import pandas as pd

import settings
from ingest import reference

CODE_COLUMNS = ("district_code", "adm2_pcode")


class BoundaryError(ValueError):
    """An imported boundary file that cannot be used."""


def path() -> Path:
    """Where the imported district boundaries live: boundaries/ beside the store."""
    return settings.store_path().parent / "boundaries" / "districts.geojson"


def _codes(frame) -> pd.Series:
    """The district codes of the file as 4-digit text."""
    columns = {c.lower(): c for c in frame.columns}
    found = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    if found is None:
        raise BoundaryError("no district code column: expected district_code or ADM2_PCODE")
    codes = frame[found].astype(str).str.strip().str.upper().str.removeprefix("KH")
    return codes.str.zfill(4)


def _check_geometry(frame, codes: pd.Series) -> None:
    problems = []
    for code, geometry in zip(codes, frame.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            problems.append(f"{code}: no geometry")
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{code}: a {geometry.geom_type}, not a polygon")
        elif not geometry.is_valid:
            from shapely.validation import explain_validity

            problems.append(f"{code}: invalid geometry ({explain_validity(geometry)})")
    if problems:
        raise BoundaryError("; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))


def validate(frame) -> tuple:
    """Check codes and geometries of a GeoDataFrame; return it in WGS 84 with its codes.

    Raises:
        BoundaryError: naming the first problems found.
    """
    codes = _codes(frame)
    known = set(reference.read_csv("districts")["district_code"])
    unknown = sorted(set(codes) - known)
    if unknown:
        raise BoundaryError(f"district codes not in the reference list: {', '.join(unknown[:10])}")
    repeated = sorted(codes[codes.duplicated()].unique())
    if repeated:
        raise BoundaryError(f"district codes found more than once: {', '.join(repeated[:10])}")
    _check_geometry(frame, codes)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame, codes


def import_file(source: Path, attribution: str, dest: Path | None = None) -> int:
    """Validate a boundary file and store it as the district GeoJSON; return its feature count.

    Args:
        source: the file to import.
        attribution: who the boundaries come from (shown under every district map).
        dest: where to write (default: path()).
    """
    import geopandas

    frame, codes = validate(geopandas.read_file(source))
    names = reference.read_csv("districts").set_index("district_code")
    out = geopandas.GeoDataFrame(
        {
            "district_code": codes.to_numpy(),
            "province_code": names.loc[codes, "province_code"].to_numpy(),
            "name_en": names.loc[codes, "name_en"].to_numpy(),
            "name_km": names.loc[codes, "name_km"].to_numpy(),
        },
        geometry=frame.geometry.to_numpy(),
        crs=4326,
    )
    collection = json.loads(out.to_json(drop_id=True))
    collection["attribution"] = attribution
    dest = Path(dest or path())
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, dest)
    return len(out)


def load() -> dict | None:
    """The imported district boundaries, or None when none have been imported."""
    file = path()
    if not file.exists():
        return None
    return _read(str(file), file.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _read(file: str, mtime: int) -> dict:
    return json.loads(Path(file).read_text(encoding="utf-8"))


def of_province(collection: dict, province: str) -> dict:
    """The features of one province's districts."""
    features = [f for f in collection["features"] if f["properties"]["province_code"] == province]
    return {"type": "FeatureCollection", "features": features}


def view(collection: dict) -> tuple[dict, float]:
    """Centre and zoom that frame the features (a rough fit for a 520-pixel map)."""
    points = [
        point for f in collection["features"] for point in _points(f["geometry"]["coordinates"])
    ]
    if not points:
        return {"lat": 12.55, "lon": 104.95}, 5.7
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    span = max(max(lons) - min(lons), max(lats) - min(lats), 0.01)
    zoom = max(5.0, min(11.0, 8.9 - 3.32 * math.log10(span)))
    return {"lat": (min(lats) + max(lats)) / 2, "lon": (min(lons) + max(lons)) / 2}, zoom


def _points(coordinates) -> list:
    """Every [lon, lat] pair of nested GeoJSON coordinates."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [p for part in coordinates for p in _points(part)]
