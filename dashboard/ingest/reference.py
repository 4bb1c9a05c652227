"""Loads the committed reference data (geography, catalogues, modelled population) into a store."""

import datetime as dt

import pandas as pd

import settings
from store import storage

CATALOGUES = ("provinces", "districts", "communes", "sources", "services", "occupations")
TEXT_CODES = {"province_code": str, "district_code": str, "commune_code": str}
FIRST_YEAR = 2019


def read_csv(name: str) -> pd.DataFrame:
    """Read data/reference/<name>.csv with codes kept as text."""
    return pd.read_csv(settings.REFERENCE_DIR / f"{name}.csv", dtype=TEXT_CODES)


def labour_force() -> dict[tuple[str, str], float]:
    """The Labour Force Survey and census rates, keyed by (indicator, sex)."""
    frame = read_csv("labour_force")
    return {(r.indicator, r.sex): float(r.value) for r in frame.itertuples()}


def load_catalogues(con) -> None:
    """Replace the geography and catalogue tables with the committed reference files."""
    for name in CATALOGUES:
        storage.replace(con, name, read_csv(name))
    storage.replace(con, "age_bands", read_csv("age_bands")[["age_band", "min_age", "max_age"]])
    storage.replace(con, "eligibility_rules", eligibility_rules())


def eligibility_rules() -> pd.DataFrame:
    """The programme eligibility rules (data/reference/eligibility_rules.csv), values as text."""
    return pd.read_csv(settings.REFERENCE_DIR / "eligibility_rules.csv", dtype=str)


def modelled_population(last_year: int, scale: float = 1.0) -> pd.DataFrame:
    """Population and informal workers per province x year x sex x age band, modelled.

    Census 2019 population per province (DOMAIN.md), split by the national age and sex
    structure, projected by the census growth rate; informal workers are the population
    aged 15+ times the employment-to-population ratio (by sex) times the informal rate.

    Args:
        last_year: the last year to project to (inclusive), from 2019.
        scale: a factor applied to every figure (the demo scales to its own size).
    """
    rates = labour_force()
    growth = rates[("annual_growth_rate", "all")]
    male = rates[("male_share_of_population", "all")]
    informal = rates[("informal_employment_rate", "all")]
    provinces = read_csv("provinces")
    bands = read_csv("age_bands")
    rows = []
    for year in range(FIRST_YEAR, last_year + 1):
        for sex, sex_share in (("M", male), ("F", 1 - male)):
            epr = rates[("employment_to_population_ratio", sex)]
            for band in bands.itertuples():
                working_age = band.min_age >= 15
                for prov in provinces.itertuples():
                    pop = prov.census_2019_population * (1 + growth) ** (year - FIRST_YEAR)
                    pop *= sex_share * band.population_share * scale
                    workers = pop * epr * informal if working_age else 0.0
                    rows.append((prov.province_code, year, sex, band.age_band, pop, workers))
    frame = pd.DataFrame(
        rows, columns=["province_code", "year", "sex", "age_band", "population", "informal_workers"]
    )
    frame[["population", "informal_workers"]] = frame[["population", "informal_workers"]].round()
    note = f"; scaled x{scale:.5f} to the demo's size" if scale != 1.0 else ""
    frame["source"] = (
        "Modelled: NIS 2019 census x national age-sex structure x growth "
        f"{growth:.2%}/yr; informal = aged 15+ x LFS 2019 employment ratio x {informal:.0%}" + note
    )
    frame["reference_date"] = [
        dt.date(2019, 3, 3) if y == FIRST_YEAR else dt.date(y, 7, 1) for y in frame["year"]
    ]
    frame["is_modelled"] = True
    return frame


def load_population(con, frame: pd.DataFrame, batch_id: int) -> None:
    """Replace the estimates of every year present in the frame with the frame's rows."""
    storage.execute_with(con, "imports/replace_population_years", frame.assign(batch_id=batch_id))
