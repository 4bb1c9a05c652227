"""Builds the perturbation table (p-table) of the cell-key method, committed in data/ptable/.

The method is the one the R `ptable` package documents (Enderle, Giessing, Tent; Destatis
and the SGA of the ESS): for each original count i, the perturbation d is drawn from the
maximum-entropy distribution on {-D, …, D} (no result below zero) with mean 0 and variance
V. That distribution has the form p(d) ∝ exp(a·d + b·d²); a and b are found by minimising
its convex dual. Each cell key 0–255 then takes one value of d: the keys are shared out in
proportion to the probabilities (largest remainders), in the order 0, −1, +1, −2, +2 (so
cell key 0 is never perturbed: cell keys are uniform, any fixed order gives the same
distribution), in the ONS `cell-key-perturbation` file format (pcv, ckey, pvalue).
Counts above 750 reuse the rows 501–750 cyclically, as ONS's package does, so 750 rows a
key suffice.

The file is deterministic: `python -m dashboard ptable` writes it again byte for byte.
"""

import json
from pathlib import Path

import numpy as np
from scipy import optimize

import settings

KEYS = 256
MAX_PCV = 750
PARAMETERS = {"max_noise": 2, "variance": 1.0, "threshold": 10}
NAME = "ptable_cellkey_D2_V1"
FOLDER = settings.DATA_DIR / "ptable"


def distribution(count: int, max_noise: int, variance: float) -> tuple[np.ndarray, np.ndarray]:
    """The perturbations allowed for `count` and their maximum-entropy probabilities."""
    d = np.arange(max(-max_noise, -count), max_noise + 1, dtype=float)

    def dual(lam: np.ndarray) -> float:
        return float(np.log(np.exp(lam[0] * d + lam[1] * d**2).sum()) - lam[1] * variance)

    lam = optimize.minimize(dual, np.zeros(2), method="BFGS", options={"gtol": 1e-12}).x
    weights = np.exp(lam[0] * d + lam[1] * d**2)
    return d.astype(int), weights / weights.sum()


def key_shares(probabilities: np.ndarray) -> np.ndarray:
    """How many of the 256 cell keys each perturbation takes (largest remainders)."""
    exact = probabilities * KEYS
    shares = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - shares), kind="stable")[: KEYS - shares.sum()]:
        shares[i] += 1
    return shares


def rows(max_noise: int, variance: float) -> list[tuple[int, int, int]]:
    """(pcv, ckey, pvalue) for every original count 1–750 and cell key 0–255."""
    out = []
    for pcv in range(1, MAX_PCV + 1):
        d, p = distribution(pcv, max_noise, variance)
        order = sorted(range(len(d)), key=lambda i: (abs(d[i]), d[i]))
        values = np.repeat(d[order], key_shares(p[order]))
        out += [(pcv, ckey, int(v)) for ckey, v in enumerate(values)]
    return out


def write(folder: Path = FOLDER) -> Path:
    """Write the p-table (CSV) and its parameters (JSON); return the CSV's path."""
    folder.mkdir(parents=True, exist_ok=True)
    table = rows(PARAMETERS["max_noise"], PARAMETERS["variance"])
    lines = ['"pcv","ckey","pvalue"'] + [f"{a},{b},{c}" for a, b, c in table]
    path = folder / f"{NAME}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    meta = {
        "file": path.name,
        "method": "maximum entropy on -D..D, mean 0, variance V (R ptable); ONS file format",
        **PARAMETERS,
        "keys": KEYS,
        "max_pcv": MAX_PCV,
    }
    (folder / f"{NAME}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return path
