"""The demo's four registries, calibrated: national curves, who leans to join, each chunk's days.

Curves are national persons over time (demo/reach.py), from the published figures that
demo/calibration.py lists beside the demo's values; where no figure exists the number is a
stated assumption. Weights only decide who joins: IDPoor leans to rural, remote and farming
households; NSSF's voluntary scheme to Phnom Penh and the city trades (its 2023 pilot almost
only to Phnom Penh); the labour ministry's platform to towns; MoSVY to disability and age.
"""

import numpy as np
import pandas as pd

from demo import reach
from demo.reach import Curve

SOURCES = ["IDPOOR", "NSSF", "MOSVY", "MLVT"]

# IDPoor: about 2.8 M people held Equity Cards 2021-2024 (about 700,000 households, so
# 4 persons a household); on-demand IDPoor added about 178,000 households (x 4 = 712,000
# persons) from June 2020 to June 2021; 100,000 persons a year afterwards (assumption).
IDPOOR_PEOPLE = Curve(
    (("2018-12-31", 0), ("2019-12-31", 1_950_000), ("2020-06-23", 2_000_000),
     ("2021-06-30", 2_712_000)),
    per_year=100_000,
)  # fmt: skip
# Assumption (no published split): 40% of IDPoor members are informal workers; the rest are
# their households' children, older persons and adults out of work (or in formal jobs).
IDPOOR_INFORMAL_SHARE = 0.40
# NSSF's voluntary scheme for the self-employed (informal workers only): the 2023 pilot,
# over 24,000 members by August 2023 (traders over 13,000, tuk-tuk drivers over 3,000,
# construction workers over 1,500), then 97,031 self-employed joining 14 Nov 2023 - 1 Jan
# 2024 and about 170,000 self-employed members by 30 June 2024; then 72,000 a year
# (assumption: the first half of 2024's pace, slowing).
NSSF_PILOT = {
    ("market_vendor",): 13_000,
    ("tuk_tuk_driver",): 3_000,
    ("construction_worker",): 1_500,
    None: 6_500,  # every other informal occupation
}
PILOT_ZERO, PILOT_END = "2023-03-31", "2023-08-31"  # the pilot opened on 1 April 2023
NSSF_NATIONAL = Curve(
    (("2023-08-31", 0), ("2023-11-13", 9_000), ("2024-01-01", 106_031),
     ("2024-06-30", 146_000)),
    per_year=72_000,
)  # fmt: skip
# The labour ministry's informal-worker platform: about 18,500 registered by early 2025
# (taken as 31 March 2025); opened 1 October 2024 and 24,000 a year afterwards (assumptions).
MLVT_WORKERS = Curve((("2024-09-30", 0), ("2025-03-31", 18_500)), per_year=24_000)
# MoSVY service records: no published count; 15,000 informal workers a year (assumption).
MOSVY_WORKERS = Curve((("2018-12-31", 0),), per_year=15_000)

NSSF_TRADES = {
    "tuk_tuk_driver": 3.0, "motor_taxi_driver": 2.5, "food_vendor": 2.0,
    "souvenir_vendor": 2.0, "market_vendor": 2.5, "auto_mechanic": 1.5,
    "construction_worker": 1.5, "domestic_worker": 1.0, "home_based_worker": 0.7,
    "agricultural_worker": 0.2, "other_informal": 1.0,
}  # fmt: skip
IDPOOR_TRADES = {"agricultural_worker": 1.5, "construction_worker": 1.2,
                 "domestic_worker": 1.2, "home_based_worker": 1.2, "tuk_tuk_driver": 0.8,
                 "motor_taxi_driver": 0.8, "auto_mechanic": 0.6}  # fmt: skip
MLVT_TRADES = {"construction_worker": 1.5, "domestic_worker": 1.5, "agricultural_worker": 0.5}


def poverty_lean(urban: np.ndarray, remote: np.ndarray) -> np.ndarray:
    """IDPoor's lean by place: fewer poor households in towns, more in remote provinces."""
    return (1 - 0.7 * urban) * (1 + 0.6 * remote)


def _trade(occupation: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    return pd.Series(occupation).map(weights).fillna(1.0).to_numpy(dtype=float)


def worker_days(rng, workers: pd.DataFrame, share: float, as_of: int) -> dict[str, np.ndarray]:
    """Each drawn informal worker's joining day in each registry (-1: not a member).

    `share` is the chunk's share of the nation (workers drawn / NATIONAL_PEOPLE).
    """
    urban, remote = workers["urban"].to_numpy(), workers["remote"].to_numpy()
    occ, age = workers["occupation"].to_numpy(), workers["age"].to_numpy()
    dis = workers["disability"].to_numpy()
    idpoor = poverty_lean(urban, remote) * _trade(occ, IDPOOR_TRADES)
    informal = Curve(
        tuple((d, c * IDPOOR_INFORMAL_SHARE) for d, c in IDPOOR_PEOPLE.points),
        IDPOOR_PEOPLE.per_year * IDPOOR_INFORMAL_SHARE,
    )
    days = {"IDPOOR": reach.join(rng, idpoor, informal, share, as_of)}
    days["NSSF"] = _nssf_days(rng, workers, share, as_of)
    mosvy = (1 + 9 * dis) * (1 + 2 * (age >= 60)) * (1 + 0.5 * remote) * (1 - 0.5 * urban)
    days["MOSVY"] = reach.join(rng, mosvy, MOSVY_WORKERS, share, as_of)
    mlvt = (0.5 + urban) * np.where(remote, 0.6, 1.0) * _trade(occ, MLVT_TRADES)
    days["MLVT"] = reach.join(rng, mlvt, MLVT_WORKERS, share, as_of)
    return days


def _nssf_days(rng, workers: pd.DataFrame, share: float, as_of: int) -> np.ndarray:
    """The pilot, occupation group by group (almost only Phnom Penh), then the whole country."""
    urban, remote = workers["urban"].to_numpy(), workers["remote"].to_numpy()
    occ, female = workers["occupation"].to_numpy(), workers["sex"].to_numpy() == "F"
    named = [o for group in NSSF_PILOT if group for o in group]
    city = (0.05 + urban) ** 2
    days = None
    for group, members in NSSF_PILOT.items():
        mine = np.isin(occ, group) if group else ~np.isin(occ, named)
        curve = Curve(((PILOT_ZERO, 0), (PILOT_END, members)))
        days = reach.join(rng, city * mine, curve, share, as_of, days)
    national = (0.25 + 1.5 * urban) * np.where(remote, 0.5, 1.0) * _trade(occ, NSSF_TRADES)
    national *= np.where(female, 0.85, 1.0)
    return reach.join(rng, national, NSSF_NATIONAL, share, as_of, days)


def household_days(rng, members: pd.DataFrame, idpoor: np.ndarray, as_of: int) -> dict:
    """Registries of IDPoor household members who are not informal workers.

    All are in IDPoor (`idpoor`: their days); a few are MoSVY clients (older or disabled
    persons more often), on a day between their IDPoor registration and as_of.
    """
    n = len(members)
    dis, age = members["disability"].to_numpy(), members["age"].to_numpy()
    mosvy = reach.exactly(rng, 0.02 + 0.3 * dis + 0.08 * (age >= 60))
    low = np.maximum(idpoor, reach.day("2019-01-01"))
    mosvy_day = low + (rng.random(n) * np.maximum(as_of - low, 0)).astype(np.int64)
    none = np.full(n, -1, dtype=np.int64)
    return {
        "IDPOOR": idpoor,
        "NSSF": none,
        "MOSVY": np.where(mosvy, np.minimum(mosvy_day, as_of), -1),
        "MLVT": none,
    }
