"""IDPoor household members who are not informal workers: children, older persons, others.

IDPoor registers households: about 2.8 M persons, of whom the demo takes 40% to be informal
workers (registries.IDPOOR_INFORMAL_SHARE). The rest are drawn here, all in IDPoor, so that
the programmes reached through an IDPoor card (Health Equity Fund, COVID-19 cash, Family
Package, allowances) are modelled whole and can be compared with their published figures.
"""

import datetime as dt

import numpy as np
import pandas as pd

from demo import reach, registries

# At registration: share of members, youngest and oldest age, share of men, probability of a
# disability (assumptions, chosen so that the COVID-19 cash transfer's recipients aged 60+
# and with disabilities come out as published).
KINDS = {
    "child": (0.50, 0, 14, 0.51, 0.008),
    "adult": (0.32, 15, 59, 0.35, 0.03),
    "older": (0.18, 60, 90, 0.42, 0.07),
}
FORMAL_ADULTS = 0.25  # of those adults, the share in a formal job (garment factories ...)


def curve() -> reach.Curve:
    """National IDPoor members who are not informal workers, over time."""
    rest = 1 - registries.IDPOOR_INFORMAL_SHARE
    people = registries.IDPOOR_PEOPLE
    return reach.Curve(tuple((d, c * rest) for d, c in people.points), people.per_year * rest)


def _kinds(rng, m: int) -> np.ndarray:
    """Each member's kind (an index into KINDS), in exact proportions, shuffled."""
    sizes = [round(m * share) for share, *_ in list(KINDS.values())[:-1]]
    return rng.permutation(np.repeat(np.arange(len(KINDS)), [*sizes, m - sum(sizes)]))


def attributes(rng, joined: np.ndarray, as_of: dt.date) -> pd.DataFrame:
    """Sex, age, birth year, occupation and disability of members who joined on `joined`.

    Ages are drawn at registration (no child is registered before birth), then aged to
    the as-of date.
    """
    m = len(joined)
    kind = _kinds(rng, m)
    _, low, high, men, disabled = (np.array(v)[kind] for v in zip(*KINDS.values(), strict=True))
    older = kind == list(KINDS).index("older")
    young = low + rng.random(m) * (high - low + 1)
    at_join = np.where(older, 60 + np.minimum(rng.exponential(8, m), 30), young).astype(int)
    birth_year = joined.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    birth_year -= at_join
    adult = kind == list(KINDS).index("adult")
    formal = adult & (rng.random(m) < FORMAL_ADULTS)
    return pd.DataFrame(
        {
            "sex": np.where(rng.random(m) < men, "M", "F"),
            "age": as_of.year - birth_year,
            "birth_year": birth_year,
            "occupation": np.where(formal, "formal_employee", None),
            "disability": reach.exactly(rng, disabled),
        }
    )
