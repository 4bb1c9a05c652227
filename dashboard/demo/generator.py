"""Builds a deterministic synthetic store calibrated on the reference data (demo only).

Persons are drawn by province in proportion to estimated informal workers, tilted by a
stated registration propensity (urban provinces register more, remote ones fewer); each
is placed in one to four registries whose reach differs by province tier, occupation,
age and sex, and given service episodes from 2019 to the as-of date. Everything is
generated in chunks with a seeded generator per chunk, so memory stays bounded and the
same seed and as-of date give the same store.
"""

import datetime as dt

import numpy as np
import pandas as pd

from ingest import reference

CHUNK = 250_000
NATIONAL_PEOPLE = 7_000_000
URBAN = {"12": 1.0, "18": 0.7, "17": 0.6, "08": 0.5, "02": 0.4}
REMOTE = {"11", "16", "19", "13", "22", "09", "10", "24"}
OCCUPATIONS = [
    "tuk_tuk_driver", "motor_taxi_driver", "food_vendor", "souvenir_vendor",
    "market_vendor", "auto_mechanic", "construction_worker", "domestic_worker",
    "home_based_worker", "agricultural_worker", "other_informal",
]  # fmt: skip
# Share of registered persons who are informal workers, formal employees, or not working.
WORK_STATUS = {"informal": 0.78, "formal": 0.08, "none": 0.14}
SOURCES = ["IDPOOR", "NSSF", "MOSVY", "MLVT"]
PREFIX = {"IDPOOR": "IDP", "NSSF": "NSSF", "MOSVY": "SV", "MLVT": "LW"}


def province_profile() -> pd.DataFrame:
    """Per province: reference share, urbanity, remoteness and sampling weight.

    The weight is the province's share of estimated informal workers times a stated
    registration propensity (urban provinces register more, remote ones fewer).
    """
    prov = reference.read_csv("provinces")
    prov["urban"] = prov["province_code"].map(URBAN).fillna(0.0)
    prov["remote"] = prov["province_code"].isin(REMOTE)
    prov["reference_share"] = prov["census_2019_population"] / prov["census_2019_population"].sum()
    prov["propensity"] = 1.0 + 0.2 * prov["urban"] - 0.3 * prov["remote"]
    weight = prov["reference_share"] * prov["propensity"]
    prov["weight"] = weight / weight.sum()
    return prov.set_index("province_code")


def _date(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]")


def _day(value: dt.date) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def _uniform_day(rng, low: np.ndarray | int, high: int, size: int) -> np.ndarray:
    low = np.broadcast_to(low, (size,))
    return low + (rng.random(size) * np.maximum(high - low, 0)).astype(np.int64)


def _persons(rng, n: int, first_key: int, prov: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    codes = prov.index.to_numpy()
    p_idx = rng.choice(len(codes), size=n, p=prov["weight"].to_numpy())
    urban = prov["urban"].to_numpy()[p_idx]
    remote = prov["remote"].to_numpy()[p_idx]
    status = rng.choice(list(WORK_STATUS), size=n, p=list(WORK_STATUS.values()))
    sex = np.where(rng.random(n) < 0.54, "M", "F")
    worker_age = np.clip(rng.gamma(4.0, 9.0, n) + 15, 15, 80)
    child_or_old = np.where(rng.random(n) < 0.6, rng.integers(0, 15, n), rng.integers(65, 90, n))
    age = np.where(status == "none", child_or_old, worker_age).astype(int)
    occupation = _occupations(rng, n, urban, remote)
    occupation = np.where(status == "informal", occupation, None)
    occupation = np.where(status == "formal", "formal_employee", occupation)
    disability = rng.random(n) < np.where(age >= 60, 0.12, 0.035)
    district, commune = _communes(rng, codes[p_idx])
    return pd.DataFrame(
        {
            "person_key": np.arange(first_key, first_key + n, dtype=np.int64),
            "province_code": codes[p_idx],
            "district_code": district,
            "commune_code": commune,
            "urban": urban,
            "remote": remote,
            "sex": sex,
            "age": age,
            "birth_year": as_of.year - age,
            "occupation": occupation,
            "disability": disability,
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


def _occupations(rng, n: int, urban: np.ndarray, remote: np.ndarray) -> np.ndarray:
    base = reference.read_csv("occupations").set_index("occupation")["informal_share"]
    base = base.reindex(OCCUPATIONS).to_numpy()
    city_trades = np.array([3, 3, 1.5, 2, 1.5, 2, 1.5, 2, 1, 0.15, 1.0])
    tilt = np.where(urban[:, None] > 0, 1 + urban[:, None] * (city_trades - 1), 1.0)
    tilt = np.where(remote[:, None], np.where(np.arange(11) == 9, 1.4, 0.7), tilt)
    weights = base * tilt
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    pick = (rng.random(n)[:, None] > cum).sum(axis=1)
    return np.array(OCCUPATIONS, dtype=object)[np.minimum(pick, 10)]


def _memberships(rng, people: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which registries each person is in (boolean arrays), by stated propensities."""
    n = len(people)
    urban, remote = people["urban"].to_numpy(), people["remote"].to_numpy()
    age, occ = people["age"].to_numpy(), people["occupation"].to_numpy()
    female = people["sex"].to_numpy() == "F"
    city_trade = np.isin(occ, ["tuk_tuk_driver", "motor_taxi_driver", "market_vendor",
                               "souvenir_vendor", "construction_worker"])  # fmt: skip
    p_idpoor = 0.30 - 0.15 * urban + 0.12 * remote + 0.08 * (occ == "agricultural_worker")
    p_nssf = 0.08 + 0.40 * urban - 0.06 * remote + 0.10 * city_trade - 0.04 * female
    p_nssf = np.where(occ == "formal_employee", 0.85, np.where(age < 15, 0.0, p_nssf))
    p_mosvy = 0.10 + 0.25 * people["disability"].to_numpy() + 0.10 * (age >= 60)
    p_mlvt = np.where(occ == None, 0.0, 0.35 + 0.15 * urban - 0.1 * remote)  # noqa: E711
    probs = {"IDPOOR": p_idpoor, "NSSF": p_nssf, "MOSVY": p_mosvy, "MLVT": p_mlvt}
    member = {s: rng.random(n) < np.clip(p, 0, 1) for s, p in probs.items()}
    nowhere = ~np.any(np.stack(list(member.values())), axis=0)
    fallback = np.where(occ == None, "IDPOOR", "MLVT")  # noqa: E711
    for source in SOURCES:
        member[source] |= nowhere & (fallback == source)
    return member


def _registration_days(rng, source: str, people: pd.DataFrame, as_of: int) -> np.ndarray:
    n = len(people)
    starts = {"IDPOOR": "2019-01-01", "MOSVY": "2019-01-01", "MLVT": "2021-01-01"}
    if source == "NSSF":
        pp = people["province_code"].to_numpy() == "12"
        low = np.where(pp, _day(dt.date(2023, 4, 1)), _day(dt.date(2023, 10, 1)))
        campaign = rng.random(n) < 0.25  # the late-2023 national campaign
        camp_day = _uniform_day(rng, _day(dt.date(2023, 11, 1)), _day(dt.date(2023, 12, 31)), n)
        days = np.where(campaign, camp_day, _uniform_day(rng, low, as_of, n))
    else:
        days = _uniform_day(rng, _day(dt.date.fromisoformat(starts[source])), as_of, n)
    if source == "IDPOOR":  # on-demand IDPoor during COVID-19
        covid = rng.random(n) < 0.2
        covid_day = _uniform_day(rng, _day(dt.date(2020, 6, 1)), _day(dt.date(2021, 6, 30)), n)
        days = np.where(covid, covid_day, days)
    return np.minimum(days, as_of)


def _chain(rng, person, service, start, period, renew, as_of, until=None) -> pd.DataFrame:
    """Renewable episodes of `period` days from `start`.

    Each is renewed with probability `renew`; none starts after `as_of` (or `until`).
    """
    until = as_of if until is None else min(until, as_of)
    ok = start <= until
    person, start, renew = person[ok], start[ok], np.broadcast_to(renew, ok.shape)[ok]
    possible = (until - start) // period + 1
    count = np.minimum(rng.geometric(1 - np.clip(renew, 0, 0.99)), possible)
    rep = np.repeat(np.arange(len(person)), count)
    nth = np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    starts = start[rep] + nth * period
    ends = starts + period - 1
    return pd.DataFrame(
        {"person_key": person[rep], "service_code": service, "start": starts, "end": ends}
    )


def _episodes(rng, people: pd.DataFrame, reg: dict[str, np.ndarray], as_of: int) -> pd.DataFrame:
    """Service episodes for one chunk, in day numbers.

    `reg` maps each source to the person's registration day, or -1 if not registered there.
    """
    key = people["person_key"].to_numpy()
    urban, remote = people["urban"].to_numpy(), people["remote"].to_numpy()
    age, dis = people["age"].to_numpy(), people["disability"].to_numpy()
    female = people["sex"].to_numpy() == "F"
    n, parts = len(people), []

    def day(value):
        return _day(dt.date.fromisoformat(value))

    def chain(mask, service, start, period, renew, until=None):
        parts.append(_chain(rng, key[mask], service, start[mask], period, renew, as_of, until))

    nssf = reg["NSSF"] >= 0
    lag = rng.integers(0, 60, n)
    # NSSF contributions are paid by the quarter: one episode per paid-up quarter.
    renew = (0.9 + 0.05 * urban - 0.1 * remote)[nssf]
    chain(nssf, "NSSF_HEALTH", reg["NSSF"] + lag, 91, renew)
    chain(nssf & (rng.random(n) < 0.5), "NSSF_INJURY", reg["NSSF"] + lag, 91, 0.85)
    poor = reg["IDPOOR"] >= 0
    chain(poor, "HEF", reg["IDPOOR"] + rng.integers(0, 30, n), 365, (0.85 - 0.25 * remote)[poor])
    covid = poor & (rng.random(n) < 0.85) & (reg["IDPOOR"] <= day("2024-03-31"))
    chain(covid, "COVID_CASH", np.maximum(reg["IDPOOR"], day("2020-06-01")), 3 * 365 + 300, 0)
    parts[-1]["end"] = np.minimum(parts[-1]["end"], day("2024-03-31"))
    package = poor & (rng.random(n) < np.where(female & (age < 46) & (age > 15), 0.6, 0.2))
    chain(package, "FAMILY_PACKAGE", np.maximum(reg["IDPOOR"], day("2024-04-01")), 91, 0.9)
    chain(
        poor & dis, "DISABILITY_ALLOWANCE", np.maximum(reg["IDPOOR"], day("2023-10-01")), 365, 0.9
    )
    chain(
        poor & (age >= 60),
        "ELDERLY_ALLOWANCE",
        np.maximum(reg["IDPOOR"], day("2024-04-01")),
        365,
        0.9,
    )
    mosvy = reg["MOSVY"] >= 0
    chain(mosvy & (rng.random(n) < 0.6), "MOSVY_WELFARE", reg["MOSVY"], 182, 0.7)
    chain(mosvy & (rng.random(n) < 0.25), "MOSVY_VOCATIONAL", reg["MOSVY"] + lag, 90, 0.1)
    flood = _uniform_day(rng, reg["MOSVY"], as_of, n)
    chain(mosvy & (rng.random(n) < 0.2), "MOSVY_EMERGENCY", flood, 60, 0)
    mlvt = reg["MLVT"] >= 0
    chain(mlvt & (rng.random(n) < 0.3), "MLVT_SKILLS", reg["MLVT"] + lag, 90, 0.2)
    episodes = pd.concat(parts, ignore_index=True)
    return episodes[episodes["start"] <= as_of]


def _registrations(rng, people: pd.DataFrame, as_of: int) -> tuple[pd.DataFrame, dict]:
    member = _memberships(rng, people)
    poverty = np.where(rng.random(len(people)) < 0.4, "1", "2")
    poverty = np.where(member["IDPOOR"], poverty, "none")
    frames, reg_days = [], {}
    for bit, source in enumerate(SOURCES):
        days = _registration_days(rng, source, people, as_of)
        reg_days[source] = np.where(member[source], days, -1)
        sub = people[member[source]]
        frames.append(
            sub.assign(
                source=source,
                record_id=record_ids(sub["person_key"].to_numpy(), source),
                registered_on=_date(days[member[source]]),
                poverty_level=poverty[member[source]],
                batch_id=bit + 2,
            )
        )
    return pd.concat(frames, ignore_index=True), reg_days


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


def _chunk(rng, n: int, first_key: int, prov: pd.DataFrame, as_of: dt.date):
    """Persons `first_key`.. of one chunk, their registrations and their uptake."""
    people = _persons(rng, n, first_key, prov, as_of)
    as_of_day = _day(as_of)
    regs, reg_days = _registrations(rng, people, as_of_day)
    return people, regs, _uptake(_episodes(rng, people, reg_days, as_of_day))


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
