"""Disclosure control by the cell-key method: every published count of persons passes here.

Each person carries a random record key 0-255 (store.storage.assign_record_keys). A query
returns, beside each count `<name>_count`, the sum of the counted persons' record keys
`<name>_ksum`; the cell key is that sum mod 256, so the same persons give the same key in
every table, page and file. The published count is the count plus the p-table's
perturbation for (pcv, cell key), where pcv is the count itself up to 750 and the rows
501-750 reused cyclically above (as ONS's `cell-key-perturbation` package does). Zero
stays zero. A published count below the threshold is suppressed: missing, with
`<name>_count_suppressed` true (a marker on screen, an empty cell with a flag in files).
Figures derived from counts (rates, gaps, shares) are computed from published counts,
never from true ones, and are missing where a count they use is suppressed. Population
estimates are not person counts and are never perturbed.
"""

import dataclasses
import functools
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

import settings

PTABLE = settings.DATA_DIR / "ptable" / "ptable_cellkey_D2_V1.csv"
KEYS = 256
MAX_PCV = 750
REUSE_FROM = 501  # rows 501-750 serve every count above 750, cyclically


@dataclasses.dataclass(frozen=True)
class PTable:
    """A perturbation table: `values[pcv, ckey]` is the noise added to a count."""

    values: np.ndarray
    threshold: int
    name: str


@functools.cache
def load(path: Path = PTABLE) -> PTable:
    """The p-table in force (ONS format: pcv, ckey, pvalue) and its parameters file."""
    frame = pd.read_csv(path, dtype="int64")
    values = np.zeros((MAX_PCV + 1, KEYS), dtype=np.int64)  # row 0: zero stays zero
    values[frame["pcv"].to_numpy(), frame["ckey"].to_numpy()] = frame["pvalue"].to_numpy()
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return PTable(values, int(meta["threshold"]), path.stem)


def check_threshold(threshold: int, table: PTable | None = None) -> None:
    """Refuse a threshold below the one the p-table was built for (ValueError)."""
    table = table or load()
    if threshold < table.threshold:
        raise ValueError(
            f"the threshold must be {table.threshold} or more: the perturbation table in "
            f"force ({table.name}) was built for a threshold of {table.threshold}"
        )


def pcv(counts: np.ndarray) -> np.ndarray:
    """The p-table row of each count: itself up to 750, else rows 501-750 cyclically."""
    counts = np.asarray(counts, dtype=np.int64)
    span = MAX_PCV - REUSE_FROM + 1
    return np.where(counts <= MAX_PCV, counts, (counts - 1) % span + REUSE_FROM)


def perturb(counts, key_sums, table: PTable | None = None) -> np.ndarray:
    """Published counts: count + p-table(pcv, key sum mod 256); zero stays zero."""
    table = table or load()
    counts = np.asarray(counts, dtype=np.int64)
    ckeys = np.asarray(key_sums, dtype=np.int64) % KEYS
    return np.where(counts > 0, counts + table.values[pcv(counts), ckeys], 0)


def key_column(count: str) -> str:
    """The key-sum column that goes with a count column (`x_count` -> `x_ksum`)."""
    return count.removesuffix("_count") + "_ksum"


def publish(frame: pd.DataFrame, counts: Iterable[str], threshold: int) -> pd.DataFrame:
    """Perturb every count column, suppress those below the threshold, drop the key sums.

    Each count keeps its name and becomes Int64 (missing where suppressed); a boolean
    `<count>_suppressed` column says which. The frame must hold `<x>_ksum` for each
    `<x>_count`; the key sums never leave this function.
    """
    out = frame.copy()
    for count in counts:
        keys = key_column(count)
        true = out[count].fillna(0).to_numpy(dtype=np.int64)
        published = perturb(true, out[keys].fillna(0).to_numpy(dtype=np.int64))
        hidden = (true > 0) & (published < threshold)
        out[count] = pd.array(published, dtype="Int64")
        out[count] = out[count].mask(hidden)
        out[f"{count}_suppressed"] = hidden
    return out.drop(columns=[c for c in out.columns if c.endswith("_ksum")])


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Numerator / denominator as Float64, missing where either is missing or zero."""
    num = numerator.astype("Float64")
    den = denominator.astype("Float64")
    return (num / den.mask(den == 0)).astype("Float64")
