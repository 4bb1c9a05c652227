"""What the importer would have kept of the direct route's records: linkage features, ID hashes.

The demo's direct route (national scale) writes registrations without going through the
importer, but a store must hold, for every current record, the linkage features and
keyed ID hashes that the next agency file is linked against; without them a bench
import would link against nothing. Each registry's records are written as its file
would carry them (demo_sources.dirty: its script and name order, its missing IDs, the
demo's dirt), then encoded exactly as the importer encodes (features.encode, with the
date's and ID's variants; pseudonym.hash_ids) with the demo's key.
"""

import datetime as dt

import pandas as pd

from demo import demo_sources, generator
from linkage import features, pseudonym

# The demo files' dirt rate (demo_files.DIRT), not imported: that module loads the importer.
DIRT = 0.05


def records(rng, regs: pd.DataFrame, people: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Each registration as its registry's file would write it (canonical text columns).

    With the person_key, source and batch_id the store holds for it.
    """
    who = demo_sources.identities(rng, people)
    parts = []
    for source in generator.SOURCES:
        rows = regs[regs["source"] == source]
        rows = demo_sources.attach(rows, who, as_of)
        text = demo_sources.canonical(demo_sources.dirty(rng, rows, source, DIRT))
        parts.append(text.assign(person_key=rows["person_key"].to_numpy(), source=source,
                                 batch_id=rows["batch_id"].to_numpy()))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def encoded(files: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The linkage_features rows of canonical records (as the importer keeps them)."""
    born = pd.to_datetime(files["birth_date"].replace("", None), format="%Y-%m-%d")
    identity = {"full_name": files["full_name"], "birth_date": born,
                "national_id": pseudonym.normalise_ids(files["national_id"])}  # fmt: skip
    kept = features.encode(pd.DataFrame(identity), key)
    year = born.dt.year.fillna(pd.to_numeric(files["birth_year"].replace("", None)))
    blank = files[["commune_code", "province_code", "sex"]].replace("", None)
    return pd.concat(
        [
            files[["source", "record_id", "person_key"]],
            pd.DataFrame({"id_hash": pseudonym.hash_ids(key, files["national_id"].tolist())}),
            kept,
            pd.DataFrame({"birth_year": year.astype("Int16")}),
            blank[["sex", "province_code", "commune_code"]],
            files[["batch_id"]].assign(ended_batch_id=pd.Series(pd.NA, dtype="Int64")),
        ],
        axis=1,
    )


def person_ids(rows: pd.DataFrame) -> pd.DataFrame:
    """The person_ids rows of encoded records: each keyed ID once, with its first batch."""
    keyed = rows[rows["id_hash"].notna()]
    return (
        keyed.groupby("id_hash", sort=False)
        .agg(person_key=("person_key", "min"), batch_id=("batch_id", "min"))
        .reset_index()
    )


def chunk_rows(rng, regs, people, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """linkage_features and person_ids rows of one chunk of the direct route."""
    rows = encoded(records(rng, regs, people, as_of), pseudonym.DEMO_KEY)
    return rows, person_ids(rows)
