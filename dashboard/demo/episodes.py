"""The demo's service episodes (uptake), drawn from each person's registrations.

Programme rules and uptake are stated here; those with a published figure (the Health Equity
Fund's beneficiaries, the COVID-19 cash transfer's recipients) are calibrated on it and
checked in demo/calibration.py, the others (Family Package, allowances, MoSVY and labour
ministry services) are plausible assumptions with no figure to compare.
"""

import numpy as np
import pandas as pd

from demo import reach

COVID_START, COVID_END = reach.day("2020-06-24"), reach.day("2024-03-31")
# Share of IDPoor members who received the COVID-19 cash transfer, and of them the share
# whose household left it before it ended (graduated out of IDPoor): assumptions that put
# the peak near the 2.78 M people published.
COVID_UPTAKE, COVID_EXITS = 0.99, 0.06
# Health Equity Fund: yearly entitlement, renewed with this probability (remote: lower).
HEF_RENEW = 0.96


def chain(rng, person, service, start, period, renew, as_of, until=None) -> pd.DataFrame:
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


def draw(rng, people: pd.DataFrame, reg: dict[str, np.ndarray], as_of: int) -> pd.DataFrame:
    """Service episodes of one chunk's registered persons, in day numbers.

    `reg` maps each source to the person's registration day, or -1 if not registered there.
    """
    key = people["person_key"].to_numpy()
    n, parts = len(people), []

    def add(mask, service, start, period, renew, until=None):
        parts.append(chain(rng, key[mask], service, start[mask], period, renew, as_of, until))

    lag = rng.integers(0, 60, n)
    _nssf(rng, people, reg["NSSF"], lag, add)
    _idpoor(rng, people, reg["IDPOOR"], add, parts)
    mosvy = reg["MOSVY"] >= 0
    add(mosvy & (rng.random(n) < 0.6), "MOSVY_WELFARE", reg["MOSVY"], 182, 0.7)
    add(mosvy & (rng.random(n) < 0.25), "MOSVY_VOCATIONAL", reg["MOSVY"] + lag, 90, 0.1)
    flood = reg["MOSVY"] + (rng.random(n) * np.maximum(as_of - reg["MOSVY"], 0)).astype(int)
    add(mosvy & (rng.random(n) < 0.2), "MOSVY_EMERGENCY", flood, 60, 0)
    mlvt = reg["MLVT"] >= 0
    add(mlvt & (rng.random(n) < 0.3), "MLVT_SKILLS", reg["MLVT"] + lag, 90, 0.2)
    episodes = pd.concat(parts, ignore_index=True)
    return episodes[episodes["start"] <= as_of]


def _nssf(rng, people, joined, lag, add) -> None:
    """NSSF contributions are paid by the quarter: one episode per paid-up quarter."""
    urban, remote = people["urban"].to_numpy(), people["remote"].to_numpy()
    nssf = joined >= 0
    add(nssf, "NSSF_HEALTH", joined + lag, 91, (0.9 + 0.05 * urban - 0.1 * remote)[nssf])
    add(nssf & (rng.random(len(people)) < 0.5), "NSSF_INJURY", joined + lag, 91, 0.85)


def _idpoor(rng, people, joined, add, parts) -> None:
    """Programmes reached through an IDPoor card: HEF, COVID-19 cash, Family Package, allowances."""
    n = len(people)
    remote, age = people["remote"].to_numpy(), people["age"].to_numpy()
    dis, female = people["disability"].to_numpy(), people["sex"].to_numpy() == "F"
    poor = joined >= 0
    add(poor, "HEF", joined + rng.integers(0, 30, n), 365, (HEF_RENEW - 0.08 * remote)[poor])
    covid = poor & (joined <= COVID_END) & (rng.random(n) < COVID_UPTAKE)
    start = np.maximum(joined + rng.integers(0, 30, n), COVID_START)
    add(covid, "COVID_CASH", start, COVID_END - COVID_START + 1, 0, COVID_END)
    left = rng.random(len(parts[-1])) < COVID_EXITS
    stay = COVID_END - parts[-1]["start"].to_numpy()
    out = parts[-1]["start"].to_numpy() + (rng.random(len(left)) * stay).astype(np.int64)
    parts[-1]["end"] = np.where(left, out, COVID_END)
    package = np.where(age <= 5, 0.5, np.where(age <= 17, 0.3, 0.02))
    package = np.where(female & (age >= 16) & (age <= 45), 0.15, package)
    begin = np.maximum(joined, reach.day("2024-04-01")) + rng.integers(0, 60, n)
    add(poor & (rng.random(n) < package), "FAMILY_PACKAGE", begin, 91, 0.9)
    disability_start = np.maximum(joined, reach.day("2023-10-01"))
    add(poor & dis, "DISABILITY_ALLOWANCE", disability_start, 365, 0.9)
    elderly_start = np.maximum(joined, reach.day("2024-04-01"))
    add(poor & (age >= 60), "ELDERLY_ALLOWANCE", elderly_start, 365, 0.9)
