"""A small two-agency store for the outreach files, worked out by hand.

Registries S1 ("Registry one") and S2 ("Registry two"); everyone a market vendor in Phnom
Penh, registered on 1 January 2023 unless said; record keys 0. Services and their rules:
A general (no rule); P for IDPoor levels 1-2; D for persons with a disability; O for
people aged 60+ (from April 2024); X for IDPoor levels 1-2, closed at the end of March
2024; F for IDPoor levels 1-2, opening in September 2024. Episodes start 1 May 2024 and
stay open unless said.

  1  S1; A until 30 June 2024 (inclusive)            June: covered, nothing missing
  2  S1                                               June: not covered
  3  S1 (not poor) and S2 from Feb 2024 (IDPoor 1,    June: not covered, eligible P (X closed,
     the latest registration: the person's)             F not open) - in both agencies' files
  4  S1; IDPoor 1, disability; P                      June: covered, eligible D
  5  S2; born 1950; A                                 June: covered, eligible O
  6  S1, registered 15 July 2024                      June: not yet registered
  7  S1 (record ended by batch 5) and S2              June: S2 only, not covered
  8  S2; disability; A ended 29 June 2024, D          June: covered, nothing missing
  9  S1; IDPoor 2; P ended 31 May 2024                June: not covered, eligible P
 10  S1; born 1960, IDPoor 1; O                       June: covered, eligible P

A file lists the agency's records of persons covered by nothing on the month end, with the
running programmes the agency's own record makes them eligible for (never another
registry's attributes: S1 does not learn that person 3 is IDPoor-poor).
Expected, June 2024 (record_id, eligible_programmes):
  S1: S1-2 (-), S1-3 (- : S1's own record is not poor), S1-9 (P); 1, 4, 10 are covered
  S2: S2-3 (P), S2-7 (-); 5 and 8 are covered
March 2024, S2 (no episode has started; O not open yet, X still open):
  S2-3 (P; X), S2-5 (-), S2-7 (-), S2-8 (D)
"""

import datetime as dt
from pathlib import Path

import pandas as pd

from ingest import reference
from store import storage

D = dt.date
JUNE = D(2024, 6, 30)
SERVICES = pd.DataFrame(
    {
        "service_code": ["A", "P", "D", "O", "X", "F"],
        "service_bit": [0, 1, 2, 3, 4, 5],
        "name_en": ["General", "For the poor", "Disability", "Older", "Closed", "Future"],
        "started_on": [D(2019, 1, 1), D(2020, 1, 1), D(2023, 10, 1), D(2024, 4, 1),
                       D(2020, 6, 1), D(2024, 9, 1)],
        "ended_on": [None, None, None, None, D(2024, 3, 31), None],
    }
)  # fmt: skip
RULES = pd.DataFrame(
    [
        ("P", "poverty_level", "1"), ("P", "poverty_level", "2"), ("D", "disability", "true"),
        ("O", "min_age", "60"), ("X", "poverty_level", "1"), ("X", "poverty_level", "2"),
        ("F", "poverty_level", "1"), ("F", "poverty_level", "2"),
    ],
    columns=["service_code", "criterion", "value"],
)  # fmt: skip
EXPECTED_JUNE = {
    "S1": [("S1-2", ""), ("S1-3", ""), ("S1-9", "P")],
    "S2": [("S2-3", "P"), ("S2-7", "")],
}
EXPECTED_MARCH_S2 = [("S2-3", "P; X"), ("S2-5", ""), ("S2-7", ""), ("S2-8", "D")]


FIRST = D(2023, 1, 1)  # the usual registration date
MAY = D(2024, 5, 1)  # the usual start of an episode


def _registration(key, source, *, born=1990, sex="M", poverty="none", disability=False,
                  registered_on=FIRST, ended_batch_id=None):  # fmt: skip
    return {
        "person_key": key, "source": source, "record_id": f"{source}-{key}", "sex": sex,
        "birth_year": born, "province_code": "12", "occupation": "market_vendor",
        "registered_on": registered_on, "poverty_level": poverty, "disability": disability,
        "batch_id": 1, "ended_batch_id": ended_batch_id,
    }  # fmt: skip


def _episode(key, source, service, started_on=MAY, ended_on=None):
    return {
        "person_key": key, "source": source, "record_id": f"{source}-{key}",
        "service_code": service, "started_on": started_on, "ended_on": ended_on, "batch_id": 2,
    }  # fmt: skip


def registrations() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _registration(1, "S1"),
            _registration(2, "S1"),
            _registration(3, "S1", sex="F"),
            _registration(3, "S2", sex="F", poverty="1", registered_on=D(2024, 2, 1)),
            _registration(4, "S1", poverty="1", disability=True),
            _registration(5, "S2", born=1950),
            _registration(6, "S1", registered_on=D(2024, 7, 15)),
            _registration(7, "S1", ended_batch_id=5),
            _registration(7, "S2"),
            _registration(8, "S2", disability=True),
            _registration(9, "S1", poverty="2"),
            _registration(10, "S1", born=1960, poverty="1"),
        ]
    )


def uptake() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _episode(1, "S1", "A", ended_on=D(2024, 6, 30)),
            _episode(4, "S1", "P"),
            _episode(5, "S2", "A"),
            _episode(8, "S2", "A", ended_on=D(2024, 6, 29)),
            _episode(8, "S2", "D"),
            _episode(9, "S1", "P", started_on=D(2024, 1, 1), ended_on=D(2024, 5, 31)),
            _episode(10, "S1", "O"),
        ]
    )


def build_outreach_store(path: Path) -> Path:
    """The two-agency store, built through the same write session as real imports."""
    from conftest import AGE_BANDS, OCCUPATIONS, SOURCES, zero_record_keys

    regs = registrations()
    with storage.write_session(path, fresh=True) as con:
        for name in ("provinces", "districts", "communes"):
            storage.replace(con, name, reference.read_csv(name))
        storage.replace(con, "sources", SOURCES)
        storage.replace(con, "services", SERVICES)
        storage.replace(con, "eligibility_rules", RULES)
        storage.replace(con, "occupations", OCCUPATIONS)
        storage.replace(con, "age_bands", AGE_BANDS)
        storage.append(con, "registrations", regs)
        storage.append(con, "uptake", uptake())
        storage.append(con, "record_keys", zero_record_keys(regs))
        storage.set_meta(con, data_as_of="2024-06-30", built_at="2024-07-01T00:00:00")
    return path
