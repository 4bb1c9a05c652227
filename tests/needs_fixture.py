"""A three-province store for the needs index, targeting errors and drill-down.

As-of 30 June 2024; one registry S1; every person a market vendor (informal, share 1.0);
services: A (general), P (for IDPoor levels 1-2), D (for persons with a disability),
O (for people aged 60+). Persons come in blocks of identical people:

province 01 (district 0102 commune 010201 unless said), estimate 200 (women 80, 65+ 40):
  a  30 men born 1990, not poor, covered by A and P            (P: inclusion error)
  b  10 men born 1990, not poor, not covered                    (district 0103, 010301)
  c  10 women born 1990, IDPoor 1, covered by A and P
  d  10 women born 1990, IDPoor 1, disability, not covered      (P, D: exclusion error)
  e1 10 men born 1950, IDPoor 2, covered by A, P and O
  e2 10 men born 1950, IDPoor 2, covered by A and P             (O: exclusion error)
province 02, estimate 600 (women 250, 65+ 100):
  f 100 men born 1990, not poor, covered by A
  g  50 men born 1990, not poor, not covered
  h  20 women born 1990, IDPoor 1, not covered
  i  30 women born 1990, not poor, covered by A
province 03, estimate 150 (women 50, no 65+ estimate):
  j  12 men born 1990, not poor, covered by A
  k  15 men born 1990, IDPoor 1, disability, not covered
"""

import datetime as dt
from pathlib import Path

import pandas as pd

from ingest import reference
from store import storage

D = dt.date
JUNE = D(2024, 6, 30)
PROVINCES = ("01", "02", "03")

# (block, province, district, commune, count, sex, birth year, poverty, disability, services)
BLOCKS = [
    ("a", "01", "0102", "010201", 30, "M", 1990, "none", False, ("A", "P")),
    ("b", "01", "0103", "010301", 10, "M", 1990, "none", False, ()),
    ("c", "01", "0102", "010201", 10, "F", 1990, "1", False, ("A", "P")),
    ("d", "01", "0102", "010201", 10, "F", 1990, "1", True, ()),
    ("e1", "01", "0102", "010201", 10, "M", 1950, "2", False, ("A", "P", "O")),
    ("e2", "01", "0102", "010201", 10, "M", 1950, "2", False, ("A", "P")),
    ("f", "02", "0201", "020101", 100, "M", 1990, "none", False, ("A",)),
    ("g", "02", "0201", "020101", 50, "M", 1990, "none", False, ()),
    ("h", "02", "0201", "020101", 20, "F", 1990, "1", False, ()),
    ("i", "02", "0201", "020101", 30, "F", 1990, "none", False, ("A",)),
    ("j", "03", "0301", "030101", 12, "M", 1990, "none", False, ("A",)),
    ("k", "03", "0301", "030101", 15, "M", 1990, "1", True, ()),
]
# (province, sex, age band, informal workers)
ESTIMATES = [
    ("01", "M", "25-34", 100), ("01", "F", "25-34", 60), ("01", "M", "65+", 20),
    ("01", "F", "65+", 20), ("02", "M", "25-34", 300), ("02", "F", "25-34", 200),
    ("02", "M", "65+", 50), ("02", "F", "65+", 50), ("03", "M", "25-34", 100),
    ("03", "F", "25-34", 50),
]  # fmt: skip
SERVICES = pd.DataFrame(
    {
        "service_code": ["A", "P", "D", "O"],
        "service_bit": [0, 1, 2, 3],
        "name_en": ["General", "For the poor", "Disability", "Older persons"],
        "started_on": [D(2019, 1, 1), D(2020, 6, 1), D(2023, 10, 1), D(2024, 4, 1)],
    }
)
RULES = pd.DataFrame(
    {
        "service_code": ["P", "P", "D", "O"],
        "criterion": ["poverty_level", "poverty_level", "disability", "min_age"],
        "value": ["1", "2", "true", "60"],
    }
)


def _people() -> tuple[pd.DataFrame, pd.DataFrame]:
    regs, episodes, key = [], [], 1
    for _, prov, dist, comm, count, sex, birth, poverty, disabled, services in BLOCKS:
        for _ in range(count):
            regs.append(
                {
                    "person_key": key, "source": "S1", "record_id": f"S1-{key}", "sex": sex,
                    "birth_year": birth, "province_code": prov, "district_code": dist,
                    "commune_code": comm, "occupation": "market_vendor",
                    "registered_on": D(2023, 1, 1), "poverty_level": poverty,
                    "disability": disabled, "batch_id": 1,
                }
            )  # fmt: skip
            episodes += [
                {"person_key": key, "source": "S1", "record_id": f"S1-{key}",
                 "service_code": s, "started_on": D(2024, 5, 1), "ended_on": None, "batch_id": 2}
                for s in services
            ]  # fmt: skip
            key += 1
    return pd.DataFrame(regs), pd.DataFrame(episodes)


def _population() -> pd.DataFrame:
    frame = pd.DataFrame(
        ESTIMATES, columns=["province_code", "sex", "age_band", "informal_workers"]
    )
    frame["year"] = 2024
    frame["population"] = frame["informal_workers"] * 2
    frame["source"] = "Needs test estimate"
    frame["reference_date"] = D(2024, 7, 1)
    frame["is_modelled"] = False
    return frame


def _batches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "batch_id": [1, 2, 3],
            "file_name": ["s1_people.csv", "s1_episodes.csv", "population.csv"],
            "sha256": ["a" * 64, "b" * 64, "c" * 64],
            "kind": ["registrations", "uptake", "population"],
            "source": ["S1", "S1", None],
            "result": ["loaded"] * 3,
            "imported_at": [pd.Timestamp("2024-07-02 09:00")] * 3,
        }
    )


def build_needs_store(path: Path) -> Path:
    """The three-province store, built through the same write session as real imports."""
    from conftest import AGE_BANDS, OCCUPATIONS, SOURCES, zero_record_keys

    regs, episodes = _people()
    with storage.write_session(path, fresh=True) as con:
        provinces = reference.read_csv("provinces")
        storage.replace(con, "provinces", provinces[provinces["province_code"].isin(PROVINCES)])
        for name in ("districts", "communes"):
            table = reference.read_csv(name)
            storage.replace(con, name, table[table["province_code"].isin(PROVINCES)])
        storage.replace(con, "sources", SOURCES.iloc[:1])
        storage.replace(con, "services", SERVICES)
        storage.replace(con, "eligibility_rules", RULES)
        occupations = OCCUPATIONS.assign(informal_share=[0.0, 1.0, 0.0, None])
        storage.replace(con, "occupations", occupations)
        storage.replace(con, "age_bands", AGE_BANDS)
        reference.load_population(con, _population(), batch_id=3)
        storage.append(con, "registrations", regs)
        storage.append(con, "uptake", episodes)
        storage.append(con, "record_keys", zero_record_keys(regs))
        storage.append(con, "import_batches", _batches())
        storage.set_meta(con, data_as_of="2024-06-30", built_at="2024-07-02T10:00:00")
    return path
