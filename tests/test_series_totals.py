"""The monthly series give the same numbers through their roll-ups as through the full cubes.

coverage_trend and uptake_monthly read series_totals / series_service_totals when no
occupation, sex or age band is chosen, and series_cube / series_service_cube otherwise. The
roll-ups must be the cubes summed over those three, and every count of the series is a sum
over persons: so the unfiltered series (the roll-up) equals the sum, over every age band, of
the series cut by that band (the cube). Checked on the demo store (20,000 persons).
"""

import pandas as pd
import pytest

from data_access import reads
from store import storage

TOTALS = {
    "series_totals": ("series_cube", "service_mask"),
    "series_service_totals": ("series_service_cube", "service_bit"),
}
SERIES = {
    "coverage_trend": (
        ["month_end", "province_code"],
        ["covered_count", "registered_count", "covered_ksum", "registered_ksum"],
    ),
    "uptake_monthly": (
        ["month_end", "province_code", "service_code"],
        ["receiving_count", "receiving_ksum"],
    ),
}


@pytest.fixture(scope="module")
def con(demo_store_file):
    con = storage.open_read(demo_store_file)
    yield con
    con.close()


@pytest.mark.parametrize("totals", TOTALS)
def test_a_roll_up_is_its_cube_summed_over_occupation_sex_and_age_band(con, totals):
    cube, service = TOTALS[totals]
    keys = f"month_idx, province_no, source_mask, {service}"
    # table and column names come from TOTALS above, nothing a user touches
    summed = f"select {keys}, sum(persons), sum(key_sum) from {cube} group by all order by all"  # noqa: S608
    ours = con.execute(f"select {keys}, persons, key_sum from {totals} order by all").fetchall()  # noqa: S608
    assert ours == con.execute(summed).fetchall()
    assert len(ours) > 100


def age_bands(con) -> list[str]:
    bands = con.execute("select distinct age_band from series_cube order by all").fetchall()
    assert len(bands) > 3
    assert all(band is not None for (band,) in bands)
    return [band for (band,) in bands]


@pytest.mark.parametrize(
    ("query", "cut"),
    [
        ("coverage_trend", "none"),
        ("coverage_trend", "one service"),
        ("coverage_trend", "one source"),
        ("uptake_monthly", "none"),
        ("uptake_monthly", "one source"),
    ],
)
def test_the_uncut_series_is_the_sum_of_its_cuts_by_age_band(con, query, cut):
    params = {"occupation": None, "sex": None, "age_band": None, "source": None}
    if query == "coverage_trend":
        services = reads.run(con, "service_catalogue")["service_code"].tolist()[:1]
        params["services"] = services if cut == "one service" else []
    if cut == "one source":
        params["source"] = reads.run(con, "source_registries")["source"].iloc[0]
    keys, counts = SERIES[query]
    whole = reads.run(con, query, **params).set_index(keys)[counts]
    parts = [reads.run(con, query, **params | {"age_band": b}) for b in age_bands(con)]
    summed = pd.concat(parts).groupby(keys)[counts].sum()
    assert whole[counts[0]].sum() > 0
    pd.testing.assert_frame_equal(whole.sort_index(), summed.sort_index(), check_dtype=False)
