"""The demo against the published figures it is calibrated on (issue 18 section 6).

Published figures are written here from DOMAIN.md, and the demo's values are recounted here
with the test's own SQL (or pandas), independently of demo/calibration.py.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import cli
from demo import calibration, generator
from store import storage

NATIONAL = 7_000_000
DEMO_PEOPLE = 20_000  # conftest's demo_store_file
INFORMAL = ("tuk_tuk_driver", "motor_taxi_driver", "food_vendor", "souvenir_vendor",
            "market_vendor", "auto_mechanic", "construction_worker", "domestic_worker",
            "home_based_worker", "agricultural_worker", "other_informal")  # fmt: skip

REGISTERED = """
    select count(*) from (
        select person_key from registrations
        where ended_batch_id is null and source = ? and registered_on between ? and ?
          and (? or list_contains(?::varchar[], occupation))
        group by person_key
    )
"""
ACTIVE = """
    with on_day as (
        select person_key from uptake
        where ended_batch_id is null and service_code = ?
          and ?::date between started_on and coalesce(ended_on, ?::date)
        group by person_key
    )
    select count(*), count(*) filter (where ? - birth_year >= 60),
           count(*) filter (where disability)
    from on_day join persons using (person_key)
"""
START = "1900-01-01"
# (figure as calibration.py names it, published value, how to recount it in the store)
PUBLISHED = [
    ("NSSF voluntary members (self-employed)", 24_000, ("NSSF", START, "2023-08-31", INFORMAL)),
    ("  of whom traders", 13_000, ("NSSF", START, "2023-08-31", ("market_vendor",))),
    ("  of whom tuk-tuk drivers", 3_000, ("NSSF", START, "2023-08-31", ("tuk_tuk_driver",))),
    ("  of whom construction workers", 1_500,
     ("NSSF", START, "2023-08-31", ("construction_worker",))),
    ("NSSF self-employed new voluntary members", 97_031,
     ("NSSF", "2023-11-14", "2024-01-01", INFORMAL)),
    ("NSSF voluntary members (self-employed)", 130_000, ("NSSF", START, "2024-01-31", INFORMAL)),
    ("NSSF self-employed members", 170_000, ("NSSF", START, "2024-06-30", INFORMAL)),
    ("Labour ministry informal-worker platform: registered", 18_500,
     ("MLVT", START, "2025-03-31", INFORMAL)),
    ("IDPoor card holders (persons)", 2_800_000, ("IDPOOR", START, "2022-12-31", None)),
    ("Health Equity Fund beneficiaries", 2_600_000, ("HEF", "2023-12-31", 0)),
    ("COVID-19 cash transfer recipients", 2_783_989, ("COVID_CASH", "2021-12-31", 0)),
    ("  of whom aged 60+", 386_035, ("COVID_CASH", "2021-12-31", 1)),
    ("  of whom with disabilities", 60_660, ("COVID_CASH", "2021-12-31", 2)),
    ("Informal workers", 6_200_000, (2024,)),
]  # fmt: skip


def recount(con, how: tuple) -> int:
    if len(how) == 4:
        source, first, last, occupations = how
        every = occupations is None
        row = con.execute(REGISTERED, [source, first, last, every, list(occupations or [])])
        return row.fetchone()[0]
    if len(how) == 3:
        service, day, column = how
        year = dt.date.fromisoformat(day).year
        return con.execute(ACTIVE, [service, day, day, year]).fetchone()[column]
    sql = "select sum(informal_workers) from population_estimates where year = ?"
    return con.execute(sql, [how[0]]).fetchone()[0]


@pytest.fixture(scope="module")
def checked(demo_store_file):
    con = storage.open_read(demo_store_file)
    try:
        frame, people = calibration.figures(con)
        counts = [recount(con, how) for _, _, how in PUBLISHED]
    finally:
        con.close()
    return frame, people, counts


def test_demo_values_are_the_stores_own_counts_scaled_to_national(checked):
    frame, people, counts = checked
    assert people == DEMO_PEOPLE
    assert list(frame["figure"]) == [name for name, _, _ in PUBLISHED]
    assert list(frame["target"]) == [target for _, target, _ in PUBLISHED]
    assert list(frame["demo_count"]) == counts
    assert frame["demo_value"].tolist() == pytest.approx([c * 350 for c in counts])
    assert min(counts) > 0


def test_figures_with_room_for_sampling_are_within_the_band_in_a_small_store(checked):
    """At 20,000 workers a figure of 300 persons or more (x 350: 105,000) is checked here."""
    _, _, counts = checked
    for (name, target, _), count in zip(PUBLISHED, counts, strict=True):
        if target >= 105_000:
            assert 0.8 <= count * NATIONAL / DEMO_PEOPLE / target <= 1.2, name


@pytest.fixture(scope="module")
def quarter_million():
    """A 250,000-worker chunk drawn in memory (1/28 of the nation): registrations, uptake."""
    rng = np.random.default_rng([11, 0])
    prov = generator.province_profile()
    people, regs, uptake = generator._chunk(rng, 250_000, 1, prov, dt.date(2026, 10, 31))
    return people, regs, uptake


def pandas_count(people, regs, uptake, how) -> int:
    if len(how) == 4:
        source, first, last, occupations = how
        on = pd.to_datetime(regs["registered_on"])
        rows = regs[(regs["source"] == source) & (on >= first) & (on <= last)]
        if occupations is not None:
            rows = rows[rows["occupation"].isin(occupations)]
        return rows["person_key"].nunique()
    if len(how) == 3:
        service, day, column = how
        day = pd.Timestamp(day)
        rows = uptake[(uptake["service_code"] == service)
                      & (pd.to_datetime(uptake["started_on"]) <= day)
                      & (pd.to_datetime(uptake["ended_on"]) >= day)]  # fmt: skip
        who = people[people["person_key"].isin(rows["person_key"])]
        return [len(who), (day.year - who["birth_year"] >= 60).sum(), who["disability"].sum()][
            column
        ]
    return None


def test_every_modelled_figure_is_within_20_percent_at_national_scale(quarter_million):
    people, regs, uptake = quarter_million
    for name, target, how in PUBLISHED[:-1]:  # the denominator is checked in the store
        national = pandas_count(people, regs, uptake, how) * NATIONAL / 250_000
        assert 0.8 <= national / target <= 1.2, (name, national)
    for day in ("2021-06-30", "2024-12-31"):  # IDPoor's 2.8 M hold over 2021-2024
        how = ("IDPOOR", START, day, None)
        national = pandas_count(people, regs, uptake, how) * NATIONAL / 250_000
        assert 0.8 <= national / 2_800_000 <= 1.2, (day, national)


def test_registries_reach_a_minority_of_informal_workers(quarter_million):
    people, regs, _ = quarter_million
    workers = regs[regs["occupation"].isin(INFORMAL)]["person_key"].nunique()
    assert 0.15 <= workers / 250_000 <= 0.35  # no published rate: IDPoor's 16% and the rest
    # everyone in the chunk's persons is registered somewhere
    assert set(people["person_key"]) == set(regs["person_key"])


def test_counts_by_a_reference_date_do_not_depend_on_the_data_date():
    prov = generator.province_profile()
    found = []
    for as_of in (dt.date(2025, 6, 30), dt.date(2026, 10, 31)):
        rng = np.random.default_rng([5, 0])
        _, regs, _ = generator._chunk(rng, 100_000, 1, prov, as_of)
        nssf = regs[(regs["source"] == "NSSF") & (regs["registered_on"] <= "2024-06-30")]
        found.append(len(nssf))
    assert found[0] == pytest.approx(found[1], abs=3)
    assert found[0] == pytest.approx(170_000 / 70, rel=0.02)


def test_check_calibration_prints_the_table_scaled_to_national(demo_store_file, monkeypatch,
                                                               capsys):  # fmt: skip
    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    assert cli.main(["demo", "--check-calibration"]) == 0
    out = capsys.readouterr().out
    assert "a store of 20,000 informal workers drawn" in out
    assert "x 350 (scaled to national: 7,000,000)" in out
    rows = [line for line in out.splitlines() if "+-20%" in line and "reference date" not in line]
    assert len(rows) == len(PUBLISHED)
    assert all("within +-20%" in line for line in rows)
    assert "97,031" in out
    assert "2023-11-14 to 2024-01-01" in out
    not_modelled = out.split("Not modelled:")[1].split("No published figure:")[0]
    for figure in ("88.0%", "2,229,522", "570,000", "705,487", "11,447", "6.2%", "31.4%"):
        assert figure in not_modelled
    assert "Registration rate of informal workers on 2026-10-31" in out


def test_check_calibration_fails_when_a_figure_is_outside(demo_store_file, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    first = calibration.MODELLED[0]
    doubled = calibration.Figure(first.name, first.target * 2, first.reference, first.source,
                                 first.measure)  # fmt: skip
    monkeypatch.setattr(calibration, "MODELLED", [doubled, *calibration.MODELLED[1:]])
    assert cli.main(["demo", "--check-calibration"]) == 1
    assert "OUTSIDE +-20%" in capsys.readouterr().out


def test_check_calibration_refuses_a_store_that_is_not_a_demo(tiny_store_file, monkeypatch,
                                                              capsys):  # fmt: skip
    monkeypatch.setenv("COVERAGE_DB", str(tiny_store_file))
    assert cli.main(["demo", "--check-calibration"]) == 2
    assert "not a demo store" in capsys.readouterr().err
