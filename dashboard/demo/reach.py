"""Registry reach of the demo, calibrated on published figures: who joins each registry, when.

Each registry's national membership is a curve: cumulative persons at dated points (linear
in between; after the last point, a stated number a year). A chunk of `n` drawn informal
workers holds its share n / NATIONAL_PEOPLE of every step of a curve: that many persons
join in the step, chosen by a weighted race among those not yet members (the larger a
person's weight, the earlier they join), with their dates spread evenly over the step. A
registry's count by any date is therefore the curve's, up to rounding, at any demo size;
the weights decide only who (which province, occupation, sex) joins. The figures behind
each curve, and the demo's value beside them, are in demo/calibration.py.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np


def day(value: str | dt.date) -> int:
    """Day number (days since 1970-01-01) of an ISO date or a date."""
    return int(np.datetime64(value, "D").astype(np.int64))


@dataclass(frozen=True)
class Curve:
    """Cumulative national members of a registry (or of one group of its members).

    Attributes:
        points: (ISO date, cumulative persons on that day), the first with 0 persons.
        per_year: persons added each year after the last point (a stated assumption).
    """

    points: tuple[tuple[str, float], ...]
    per_year: float = 0.0

    def steps(self, as_of: int) -> list[tuple[int, int, float]]:
        """(first day, last day, national persons) of each step, cut at as_of."""
        days = [day(d) for d, _ in self.points] + [day("2100-01-01")]
        counts = [c for _, c in self.points]
        counts.append(counts[-1] + self.per_year * (days[-1] - days[-2]) / 365.25)
        out = []
        for a, b, ca, cb in zip(days, days[1:], counts, counts[1:], strict=False):
            if a >= as_of:
                break
            end = min(b, as_of)
            out.append((a + 1, end, (cb - ca) * (end - a) / (b - a)))
        return out

    def at(self, on: int) -> float:
        """National members on day `on` (cumulative)."""
        return sum(persons for _, _, persons in self.steps(on))


def rounded(rng, value: float) -> int:
    """`value` rounded up or down at random, unbiased (small chunks keep the right mean)."""
    low = int(np.floor(value))
    return low + int(rng.random() < value - low)


def join(rng, weights: np.ndarray, curve: Curve, share: float, as_of: int,
         joined: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Each person's joining day, -1 if not a member by as_of.

    Args:
        rng: the chunk's generator.
        weights: each person's weight in the race (0: never joins this curve).
        curve: national members over time.
        share: the chunk's share of the nation (persons drawn / NATIONAL_PEOPLE).
        as_of: the data date (day number).
        joined: days already drawn for the same registry (another group's curve); persons
            with a day >= 0 there keep it and do not race again.
    """
    days = np.full(len(weights), -1, dtype=np.int64) if joined is None else joined.copy()
    race = rng.exponential(size=len(weights)) / np.maximum(weights, 1e-300)
    race[(weights <= 0) | (days >= 0)] = np.inf
    order = np.argsort(race, kind="stable")
    order = order[np.isfinite(race[order])]
    taken = 0
    for first, last, persons in curve.steps(as_of):
        picked = order[taken : taken + rounded(rng, persons * share)]
        taken += len(picked)
        days[picked] = first + spread(rng, len(picked), last - first + 1)
    return days


def spread(rng, count: int, length: int) -> np.ndarray:
    """`count` day offsets in [0, length), evenly spread (one per equal slice), shuffled."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    slices = (rng.permutation(count) + rng.random(count)) / count
    return np.minimum((slices * length).astype(np.int64), length - 1)


def dates(rng, count: int, curve: Curve, as_of: int) -> np.ndarray:
    """Joining days of `count` persons who are all members by as_of, spread as the curve."""
    steps = curve.steps(as_of)
    if count == 0 or not steps:
        return np.full(count, as_of, dtype=np.int64)
    sizes = np.array([persons for _, _, persons in steps])
    cum = np.cumsum(sizes) / sizes.sum()
    where = (rng.permutation(count) + rng.random(count)) / count  # one per equal slice
    step = np.minimum(np.searchsorted(cum, where, side="right"), len(steps) - 1)
    low = np.concatenate([[0.0], cum[:-1]])[step]
    within = (where - low) / np.maximum(cum[step] - low, 1e-12)
    first = np.array([s[0] for s in steps])[step]
    length = np.array([s[1] - s[0] + 1 for s in steps])[step]
    return first + np.minimum((within * length).astype(np.int64), length - 1)


def exactly(rng, probability: np.ndarray) -> np.ndarray:
    """A boolean draw with each person's probability, whose total is exactly their sum.

    (Rounded at random.) Totals that a published figure is compared with do not wander by
    sampling noise in a small demo.
    """
    count = rounded(rng, float(np.sum(probability)))
    race = rng.exponential(size=len(probability)) / np.maximum(probability, 1e-300)
    race[probability <= 0] = np.inf
    chosen = np.zeros(len(probability), dtype=bool)
    chosen[np.argsort(race, kind="stable")[:count]] = True
    return chosen & np.isfinite(race)
