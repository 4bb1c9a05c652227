"""The rules of each kind of file: from a checked text frame to typed canonical rows."""

import dataclasses
import datetime as dt

import pandas as pd

from ingest import validation
from linkage import pseudonym
from store import storage

SEXES = {"m": "M", "male": "M", "ប្រុស": "M", "f": "F", "female": "F", "ស្រី": "F"}
POVERTY = {"none": "none", "1": "1", "2": "2"}
FLAGS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
MAX_AGE = 120


@dataclasses.dataclass
class Context:
    """What the store knows that rows are checked against."""

    provinces: dict[str, str]  # any accepted spelling -> province code
    district_province: dict[str, str]
    commune_district: dict[str, str]
    occupations: set[str]
    services: set[str]
    age_bands: set[str]
    known_records: set[str]  # the file's record_ids that are current in this source (uptake)
    today: dt.date


def province_spellings(provinces: pd.DataFrame) -> dict[str, str]:
    """Codes ('01' and '1'), ISO codes, English and Khmer names, each to the code."""
    out = {}
    for row in provinces.itertuples():
        code = row.province_code
        for spelling in (code, str(int(code)), row.iso_3166_2, row.name_en, row.name_km):
            out[str(spelling)] = code
    return out


def _place(c: validation.Checker, ctx: Context) -> pd.DataFrame:
    province = c.coded("province_code", ctx.provinces, "unknown province (code or name)")
    district = c.coded(
        "district_code", {d: d for d in ctx.district_province}, "unknown district code"
    )
    commune = c.coded("commune_code", {k: k for k in ctx.commune_district}, "unknown commune code")
    c.flag(
        district.notna()
        & province.notna()
        & (validation.lookup(district, ctx.district_province) != province),
        "district_code",
        "district is not in the row's province",
    )
    commune_district = validation.lookup(commune, ctx.commune_district)
    c.flag(
        commune.notna()
        & province.notna()
        & (validation.lookup(commune_district, ctx.district_province) != province),
        "commune_code",
        "commune is not in the row's province",
    )
    c.flag(
        commune.notna() & district.notna() & (commune_district != district),
        "commune_code",
        "commune is not in the row's district",
    )
    return pd.DataFrame(
        {
            "province_code": province,
            "district_code": district.fillna(commune_district),
            "commune_code": commune,
        }
    )


def _birth(c: validation.Checker, registered_on: pd.Series) -> pd.DataFrame:
    birth_date = c.date("birth_date")
    year = c.integer("birth_year", 1900, c.today.year)
    c.flag(
        birth_date.notna() & year.notna() & (birth_date.dt.year != year),
        "birth_year",
        "birth_year does not match birth_date",
    )
    year = birth_date.dt.year.astype("Int64").fillna(year)
    age = registered_on.dt.year - year
    c.flag(
        age < 0,
        "birth_date" if "birth_date" in c.frame else "birth_year",
        "impossible age: born after the registration date",
    )
    c.flag(
        age > MAX_AGE,
        "birth_date" if "birth_date" in c.frame else "birth_year",
        f"impossible age: over {MAX_AGE} at registration",
    )
    return pd.DataFrame({"birth_date": birth_date, "birth_year": year})


def registrations(c: validation.Checker, ctx: Context) -> pd.DataFrame:
    """Typed registration rows; the raw national_id is normalised (hashed later)."""
    record_id = c.required("record_id")
    c.unique(["record_id"], "duplicate record_id: it appears on an earlier row")
    national = pseudonym.normalise_ids(c.text("national_id"))
    c.flag(
        (national != "") & ~pseudonym.valid_ids(national),
        "national_id",
        "not a valid ID: 4-20 letters or digits once spaces and dashes are removed",
    )
    c.required("registered_on")
    registered_on = c.date("registered_on")
    occupations = {o: o for o in ctx.occupations}
    return pd.concat(
        [
            pd.DataFrame({"record_id": record_id, "national_id": national}),
            pd.DataFrame({"full_name": c.text("full_name").replace("", None)}),
            pd.DataFrame({"sex": c.coded("sex", SEXES, "sex must be M or F")}),
            _birth(c, registered_on),
            _place(c, ctx),
            pd.DataFrame(
                {
                    "occupation": c.coded("occupation", occupations, "unknown occupation"),
                    "registered_on": registered_on,
                    "poverty_level": c.coded("poverty_level", POVERTY, "must be none, 1 or 2"),
                    "disability": c.coded("disability", FLAGS, "must be true or false"),
                }
            ),
        ],
        axis=1,
    )


def uptake(c: validation.Checker, ctx: Context) -> pd.DataFrame:
    """Typed uptake rows of persons this source has registered."""
    record_id = c.required("record_id")
    c.flag(
        (record_id != "") & ~record_id.isin(ctx.known_records),
        "record_id",
        "unknown person: no current registration of this source has this record_id",
    )
    c.required("service_code")
    service = c.coded(
        "service_code", {s: s for s in ctx.services}, "service code not in the catalogue"
    )
    c.required("started_on")
    started = c.date("started_on")
    ended = c.date("ended_on", future_ok=True)  # paid up to a later month
    c.flag(ended < started, "ended_on", "ends before it starts")
    return pd.DataFrame(
        {"record_id": record_id, "service_code": service, "started_on": started, "ended_on": ended}
    )


def population(c: validation.Checker, ctx: Context) -> pd.DataFrame:
    """Typed population rows; a file without age bands gives all-ages totals ('all')."""
    for column in ("province_code", "year", "sex", "population", "informal_workers", "source"):
        c.required(column)
    bands = {b: b for b in ctx.age_bands}
    frame = pd.DataFrame(
        {
            "province_code": c.coded("province_code", ctx.provinces, "unknown province"),
            "year": c.integer("year", 1900, 2100),
            "sex": c.coded("sex", SEXES, "sex must be M or F"),
            "age_band": c.coded("age_band", bands, "unknown age band"),
            "population": c.integer("population", 0, 10**9),
            "informal_workers": c.integer("informal_workers", 0, 10**9),
            "source": c.text("source"),
            "reference_date": c.date("reference_date"),
        }
    )
    if "age_band" in c.frame:
        c.required("age_band")
    c.flag(
        frame["informal_workers"] > frame["population"],
        "informal_workers",
        "more informal workers than population",
    )
    c.unique(
        ["province_code", "year", "sex", *(["age_band"] if "age_band" in c.frame else [])],
        "duplicate row for this province, year, sex and age band",
    )
    return frame.assign(age_band=frame["age_band"].fillna("all"), is_modelled=False)


def services(c: validation.Checker, ctx: Context) -> pd.DataFrame:
    """Typed catalogue rows."""
    code = c.required("service_code")
    c.flag(
        (code != "") & ~code.str.fullmatch(r"[A-Z][A-Z0-9_]{1,39}"),
        "service_code",
        "a code is capitals, digits and underscores",
    )
    c.unique(["service_code"], "duplicate service_code: it appears on an earlier row")
    name = c.required("name_en")
    return pd.DataFrame(
        {
            "service_code": code,
            "name_en": name,
            "name_km": c.text("name_km").replace("", None),
            "ministry": c.text("ministry").replace("", None),
            "pillar": c.text("pillar").replace("", None),
        }
    )


def context(
    con, source: str | None, today: dt.date, record_ids: pd.Series | None = None
) -> Context:
    """The reference lists and known records validation checks rows against.

    Args:
        con: the write session's connection.
        source: the file's source registry (None for population and services).
        today: the import's date (no date may lie after it).
        record_ids: the file's record_id column, for a kind whose rows must refer to a
            current record of the source (uptake); only these are looked up in the store.
    """
    codes = storage.run_statement(con, "imports/code_lists")
    lists = codes.groupby("list_name")["code"].agg(set).to_dict()
    districts = storage.run_statement(con, "imports/district_list")
    communes = storage.run_statement(con, "imports/commune_list")
    known = set()
    if record_ids is not None:
        asked = pd.DataFrame({"record_id": record_ids.astype(str)})
        found = storage.query_with(con, "imports/current_record_ids", asked, source=source or "")
        known = set(found["record_id"])
    return Context(
        provinces=province_spellings(storage.run_statement(con, "imports/province_list")),
        district_province=dict(
            zip(districts["district_code"], districts["province_code"], strict=True)
        ),
        commune_district=dict(
            zip(communes["commune_code"], communes["district_code"], strict=True)
        ),
        occupations=lists.get("occupation", set()),
        services=lists.get("service", set()),
        age_bands=lists.get("age_band", set()),
        known_records=known,
        today=today,
    )


RULES = {
    "registrations": registrations,
    "uptake": uptake,
    "population": population,
    "services": services,
}


def typed_rows(kind: str, c: validation.Checker, ctx: Context) -> pd.DataFrame:
    """The kind's typed rows; a blank cell of any required column is a row problem too."""
    typed = RULES[kind](c, ctx)
    c.all_required(kind)
    return typed
