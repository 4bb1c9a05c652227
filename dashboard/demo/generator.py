"""Builds a deterministic synthetic store calibrated on published figures (demo only).

`people` is the size of the informal-worker population drawn (7,000,000 is national scale):
each worker gets a province (by census share), sex and age (as the modelled denominators),
an occupation (the province's own mix: urban trades in towns, farming in the countryside)
and a disability status. Registries then reach a minority of them, as their published
figures say (demo/registries.py); the households' other members who hold IDPoor cards are
drawn beside them. Only registered persons reach the store. Everything is generated in
chunks with a seeded generator per chunk, so memory stays bounded and the same seed and
as-of date give the same store.
"""

import datetime as dt

import numpy as np
import pandas as pd

from demo import episodes, households, reach, registries
from ingest import reference

CHUNK = 250_000
NATIONAL_PEOPLE = 7_000_000
# Person keys of IDPoor household members (not informal workers): this plus the chunk's first
# worker key, so they never meet workers' keys (nor bench files' new persons, 500,000,000+).
HOUSEHOLD_KEYS = 400_000_000
URBAN = {"12": 1.0, "18": 0.7, "17": 0.6, "08": 0.5, "02": 0.4}
REMOTE = {"11", "16", "19", "13", "22", "09", "10", "24"}
OCCUPATIONS = [
    "tuk_tuk_driver", "motor_taxi_driver", "food_vendor", "souvenir_vendor",
    "market_vendor", "auto_mechanic", "construction_worker", "domestic_worker",
    "home_based_worker", "agricultural_worker", "other_informal",
]  # fmt: skip
# How much more often each occupation is found in a fully urban province (Phnom Penh) than in
# a rural one, before the national mix (occupations.csv) is restored: farming is rare there.
CITY_TRADES = np.array([3, 3, 1.5, 2, 1.5, 2, 1.5, 2, 1, 0.03, 1.0])
SOURCES = registries.SOURCES
PREFIX = {"IDPOOR": "IDP", "NSSF": "NSSF", "MOSVY": "SV", "MLVT": "LW"}


def province_profile() -> pd.DataFrame:
    """Per province: census share, urbanity, remoteness, weight and occupation mix.

    The weight (the chance that a drawn informal worker lives there) is the province's
    share of estimated informal workers, i.e. its census share. `mix_<occupation>` columns
    hold the province's occupation mix: CITY_TRADES tilts it by urbanity (remote provinces
    farm more), then the rows are scaled back so that the national mix is occupations.csv's.
    """
    prov = reference.read_csv("provinces")
    prov["urban"] = prov["province_code"].map(URBAN).fillna(0.0)
    prov["remote"] = prov["province_code"].isin(REMOTE)
    prov["reference_share"] = prov["census_2019_population"] / prov["census_2019_population"].sum()
    prov["weight"] = prov["reference_share"]
    mix = occupation_mix(prov["reference_share"].to_numpy(), prov["urban"].to_numpy(),
                         prov["remote"].to_numpy())  # fmt: skip
    for i, occupation in enumerate(OCCUPATIONS):
        prov[f"mix_{occupation}"] = mix[:, i]
    return prov.set_index("province_code")


def occupation_mix(share: np.ndarray, urban: np.ndarray, remote: np.ndarray) -> np.ndarray:
    """Provinces x occupations, rows summing to 1, whose population-weighted mean is national.

    Iterative proportional fitting of the tilted national mix to the provinces' shares
    (rows) and the national occupation shares (columns).
    """
    base = reference.read_csv("occupations").set_index("occupation")["informal_share"]
    base = base.reindex(OCCUPATIONS).to_numpy()
    tilt = 1 + urban[:, None] * (CITY_TRADES - 1)
    farming = np.arange(len(OCCUPATIONS)) == OCCUPATIONS.index("agricultural_worker")
    tilt = np.where(remote[:, None], np.where(farming, 1.3, 0.8), tilt)
    cells = tilt * base
    for _ in range(200):
        cells *= (share / cells.sum(axis=1))[:, None]
        cells *= (base / base.sum() / cells.sum(axis=0))[None, :]
    return cells / cells.sum(axis=1, keepdims=True)


def _date(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]")


def _day(value: dt.date) -> int:
    return reach.day(value)


def _worker_ages(rng, n: int) -> np.ndarray:
    """Ages of informal workers as the modelled denominators have them (bands 15+)."""
    bands = reference.read_csv("age_bands")
    bands = bands[bands["min_age"] >= 15]
    share = bands["population_share"].to_numpy() / bands["population_share"].sum()
    pick = rng.choice(len(bands), size=n, p=share)
    low = bands["min_age"].to_numpy()[pick]
    high = np.minimum(bands["max_age"].to_numpy()[pick], 79)
    return low + (rng.random(n) * (high - low + 1)).astype(int)


def _persons(rng, n: int, first_key: int, prov: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """`n` informal workers (keys first_key..): place, sex, age, occupation, disability."""
    codes = prov.index.to_numpy()
    p_idx = rng.choice(len(codes), size=n, p=prov["weight"].to_numpy())
    sex = np.where(rng.random(n) < 0.54, "M", "F")
    age = _worker_ages(rng, n)
    mix = prov[[f"mix_{o}" for o in OCCUPATIONS]].to_numpy()[p_idx]
    pick = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    occupation = np.array(OCCUPATIONS, dtype=object)[np.minimum(pick, len(OCCUPATIONS) - 1)]
    disability = reach.exactly(rng, np.where(age >= 60, 0.05, 0.01))
    return _located(rng, n, first_key, codes[p_idx], prov).assign(
        sex=sex, age=age, birth_year=as_of.year - age, occupation=occupation,
        disability=disability,
    )  # fmt: skip


def _located(rng, n: int, first_key: int, codes: np.ndarray, prov) -> pd.DataFrame:
    """Keys, province, district and commune of `n` persons living in the provinces `codes`."""
    district, commune = _communes(rng, codes)
    return pd.DataFrame(
        {
            "person_key": np.arange(first_key, first_key + n, dtype=np.int64),
            "province_code": codes,
            "district_code": district,
            "commune_code": commune,
            "urban": prov["urban"].reindex(codes).to_numpy(),
            "remote": prov["remote"].reindex(codes).to_numpy(),
        }
    )


def _communes(rng, provinces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A commune drawn uniformly within each person's province, and its district."""
    communes = reference.read_csv("communes").sort_values("commune_code")
    by_prov = communes.groupby("province_code")["commune_code"]
    counts = by_prov.size()
    offsets = counts.cumsum() - counts
    ordered = communes.sort_values(["province_code", "commune_code"])
    pick = offsets.reindex(provinces).to_numpy() + (
        rng.random(len(provinces)) * counts.reindex(provinces).to_numpy()
    ).astype(np.int64)
    chosen = ordered.iloc[pick]
    return chosen["district_code"].to_numpy(), chosen["commune_code"].to_numpy()


def _household(rng, m: int, first_key: int, prov, as_of: dt.date):
    """`m` IDPoor household members who are not informal workers, and their IDPoor days."""
    lean = prov["reference_share"] * registries.poverty_lean(prov["urban"], prov["remote"])
    pick = rng.choice(len(prov), size=m, p=(lean / lean.sum()).to_numpy())
    joined = reach.dates(rng, m, households.curve(), _day(as_of))
    where = _located(rng, m, first_key, prov.index.to_numpy()[pick], prov)
    who = households.attributes(rng, joined, as_of)
    return pd.concat([where, who], axis=1), joined


def _registration_rows(rng, people: pd.DataFrame, days: dict[str, np.ndarray]) -> pd.DataFrame:
    """One registrations row per person and registry they are in (days[source] >= 0)."""
    poverty = np.where(rng.random(len(people)) < 0.4, "1", "2")
    poverty = np.where(days["IDPOOR"] >= 0, poverty, "none")
    frames = []
    for bit, source in enumerate(SOURCES):
        member = days[source] >= 0
        sub = people[member]
        frames.append(
            sub.assign(
                source=source,
                record_id=record_ids(sub["person_key"].to_numpy(), source),
                registered_on=_date(days[source][member]),
                poverty_level=poverty[member],
                batch_id=bit + 2,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _registrations(rng, people: pd.DataFrame, as_of: int) -> tuple[pd.DataFrame, dict]:
    """Every given person in one to four registries at stated rates, on days since 2019.

    Not calibrated, and not the demo's: the linkage bench's labelled sets
    (bench/bench_linkage.py), where persons must often sit in several registries for
    linkage to have pairs to find.
    """
    n, urban = len(people), people["urban"].to_numpy()
    rates = {"IDPOOR": 0.35 - 0.15 * urban, "NSSF": 0.1 + 0.4 * urban, "MOSVY": 0.15,
             "MLVT": np.full(n, 0.4)}  # fmt: skip
    member = {s: rng.random(n) < p for s, p in rates.items()}
    member["MLVT"] |= ~np.any(np.stack(list(member.values())), axis=0)
    start = _day(dt.date(2019, 1, 1))
    days = {
        s: np.where(member[s], start + (rng.random(n) * (as_of - start)).astype(np.int64), -1)
        for s in SOURCES
    }
    return _registration_rows(rng, people, days), days


def _chunk(rng, n: int, first_key: int, prov: pd.DataFrame, as_of: dt.date):
    """A chunk of `n` informal workers (keys first_key..), drawn with their households.

    Returns the registered persons (workers in at least one registry, then household
    members), their registrations and their uptake.
    """
    as_of_day, share = _day(as_of), n / NATIONAL_PEOPLE
    workers = _persons(rng, n, first_key, prov, as_of)
    days = registries.worker_days(rng, workers, share, as_of_day)
    members = reach.rounded(rng, households.curve().at(as_of_day) * share)
    household, idpoor = _household(rng, min(members, n), HOUSEHOLD_KEYS + first_key, prov, as_of)
    at_home = registries.household_days(rng, household, idpoor, as_of_day)
    registered = np.any(np.stack([d >= 0 for d in days.values()]), axis=0)
    people = pd.concat([workers[registered], household], ignore_index=True)
    days = {s: np.concatenate([days[s][registered], at_home[s]]) for s in SOURCES}
    regs = _registration_rows(rng, people, days)
    return people, regs, _uptake(episodes.draw(rng, people, days, as_of_day))


SERVICE_SOURCE = {
    "NSSF_HEALTH": "NSSF", "NSSF_INJURY": "NSSF", "HEF": "IDPOOR", "COVID_CASH": "IDPOOR",
    "FAMILY_PACKAGE": "IDPOOR", "DISABILITY_ALLOWANCE": "IDPOOR", "ELDERLY_ALLOWANCE": "IDPOOR",
    "MOSVY_WELFARE": "MOSVY", "MOSVY_VOCATIONAL": "MOSVY", "MOSVY_EMERGENCY": "MOSVY",
    "MLVT_SKILLS": "MLVT",
}  # fmt: skip


def record_ids(person_key: np.ndarray, source: str) -> np.ndarray:
    """Each registry's own record numbers: a bijection of person_key, different per registry."""
    bit = SOURCES.index(source)
    number = (person_key * 2654435761 + bit * 7919) % 10**10
    return PREFIX[source] + pd.Series(number).astype(str).str.zfill(10).to_numpy()


def _uptake(episodes: pd.DataFrame) -> pd.DataFrame:
    source = episodes["service_code"].map(SERVICE_SOURCE)
    ids = pd.Series(index=episodes.index, dtype=object)
    for name in SOURCES:
        rows = source == name
        ids[rows] = record_ids(episodes.loc[rows, "person_key"].to_numpy(), name)
    return pd.DataFrame(
        {
            "person_key": episodes["person_key"],
            "source": source,
            "record_id": ids,
            "service_code": episodes["service_code"],
            "started_on": _date(episodes["start"].to_numpy()),
            "ended_on": _date(episodes["end"].to_numpy()),
            "batch_id": source.map({s: i + 6 for i, s in enumerate(SOURCES)}),
        }
    )


def batches(con, as_of: dt.date) -> pd.DataFrame:
    """The import_batches rows of a demo store: population, then each registry's files."""
    rows = [(1, "population", None)]
    rows += [(i + 2, "registrations", s) for i, s in enumerate(SOURCES)]
    rows += [(i + 6, "uptake", s) for i, s in enumerate(SOURCES)]
    frame = pd.DataFrame(rows, columns=["batch_id", "kind", "source"])
    frame["file_name"] = "demo generator"
    frame["result"] = "demo"
    frame["user_name"] = "demo"
    frame["imported_at"] = pd.Timestamp(as_of)
    return frame
