import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo import builder, generator
from store import storage

# 2019 census populations (DOMAIN.md), written here independently of the code.
CENSUS = {
    "01": 861883, "02": 997169, "03": 899791, "04": 527027, "05": 877523, "06": 677260,
    "07": 592845, "08": 1201581, "09": 125902, "10": 372825, "11": 92213, "12": 2281951,
    "13": 254827, "14": 1057720, "15": 411759, "16": 217453, "17": 1014234, "18": 310072,
    "19": 165713, "20": 525497, "21": 900914, "22": 276038, "23": 42665, "24": 75112,
    "25": 763735,
}  # fmt: skip
# The national occupation mix of informal workers (a demo assumption in the reference data).
INFORMAL_MIX = Path(__file__).parents[1] / "data" / "reference" / "occupations.csv"


def digest(path, table):
    con = storage.open_read(path)
    # key_sum: the sum of record keys, drawn afresh by the cryptographic generator each build
    columns = "* exclude (key_sum)" if table == "coverage_cube" else "*"
    try:
        rows = con.execute(f"select {columns} from {table} order by all").fetchall()  # noqa: S608
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_same_store(tmp_path):
    a, b, c = (tmp_path / f"{n}.duckdb" for n in "abc")
    for path, seed in ((a, 1), (b, 1), (c, 2)):
        builder.build(3_000, seed=seed, as_of=dt.date(2025, 12, 31), path=path)
    for table in ("registrations", "uptake", "coverage_cube"):
        assert digest(a, table) == digest(b, table)
    assert digest(a, "registrations") != digest(c, "registrations")
    # the record keys of disclosure control are never derived from the seed
    assert digest(a, "record_keys") != digest(b, "record_keys")


def test_drawn_workers_follow_the_census_and_each_provinces_occupation_mix():
    """200,000 drawn informal workers: census shares, and an urban Phnom Penh."""
    n = 200_000
    rng = np.random.default_rng([1, 0])
    people = generator._persons(rng, n, 1, generator.province_profile(), dt.date(2026, 10, 31))
    census_total = sum(CENSUS.values())
    shares = people["province_code"].value_counts() / n
    for code, population in CENSUS.items():
        expected = population / census_total
        assert shares[code] == pytest.approx(expected, abs=4 * (expected / n) ** 0.5), code
    national = pd.read_csv(INFORMAL_MIX).set_index("occupation")["informal_share"].dropna()
    drawn = people["occupation"].value_counts() / n
    for occupation, share in national.items():
        assert drawn[occupation] == pytest.approx(share, abs=4 * (share / n) ** 0.5), occupation
    farming = people.assign(farm=people["occupation"] == "agricultural_worker")
    by_province = farming.groupby("province_code")["farm"].mean()
    assert by_province["12"] < 0.05  # Phnom Penh: few farmers
    rural = ["03", "04", "05", "06", "14", "20", "21", "25"]  # no town, not remote
    assert (by_province[rural] > 0.45).all()
    assert by_province["12"] < by_province["18"] < by_province["14"]


def test_demo_is_marked_and_registries_reach_a_minority(demo_store_file):
    con = storage.open_read(demo_store_file)
    meta = dict(con.execute("select key, value from store_meta").fetchall())
    persons, workers, members, registrations, episodes, multi = con.execute(
        "select (select count(*) from persons),"
        " (select count(*) from persons where occupation in"
        "   (select occupation from occupations where is_informal)),"
        " (select count(*) from persons"
        "   where occupation is null or occupation = 'formal_employee'),"
        " (select count(*) from registrations), (select count(*) from uptake),"
        " (select count(*) from persons where source_count > 1)"
    ).fetchone()
    con.close()
    assert meta["is_demo"] == "true"
    assert meta["demo_people"] == "20000"
    # 20,000 informal workers drawn: registries reach about a quarter of them (IDPoor about
    # 16%, NSSF and the rest a few per cent: tests/test_calibration.py)
    assert 0.15 * 20_000 <= workers <= 0.35 * 20_000
    # beside them, IDPoor households' other members: 60% of IDPoor's 3.2 M persons by late
    # 2026, x 20,000 / 7,000,000
    assert members == pytest.approx(0.6 * 3_240_000 / 350, rel=0.05)
    assert workers + members == persons
    assert registrations > persons  # some persons are in several registries
    assert multi > 0.01 * persons
    assert episodes > 4 * persons  # yearly HEF, quarterly contributions and Family Package


def test_urban_provinces_lead_on_nssf(demo_store_file):
    from data_access import reads

    con = storage.open_read(demo_store_file)
    cut = reads.CoverageFilter(dt.date(2026, 10, 31), services=("NSSF_HEALTH",))
    table = reads.load_coverage(con, cut, 10).set_index("province_code")
    con.close()
    # Phnom Penh is ahead of every remote province (Mondul Kiri, Ratanak Kiri, Stung Treng)
    rates = table["coverage_rate"].fillna(0)  # a hidden rate is a small count
    for remote in ("11", "16", "19"):
        assert rates["12"] > rates[remote]
    assert table.loc["12", "coverage_rate"] > 2 * table.loc["KH", "coverage_rate"]


@pytest.mark.parametrize("people", [1, 7])
def test_tiny_demo_builds(tmp_path, people):
    counts = builder.build(people, seed=3, as_of=dt.date(2024, 1, 31), path=tmp_path / "t.duckdb")
    assert counts["informal_workers"] == people
    assert counts["persons"] <= 2 * people  # the registered few, and household members
