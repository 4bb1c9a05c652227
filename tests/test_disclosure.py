"""The cell-key method: the p-table, the perturbation, and ONS's package as a peer."""

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_access import reads
from indicators import disclosure
from ingest import ptable_build
from store import storage

PTABLE = disclosure.PTABLE


def read_ptable(path: Path) -> dict[tuple[int, int], int]:
    """(pcv, ckey) -> pvalue, read with the csv module (not the product's loader)."""
    with path.open(newline="") as handle:
        return {(int(r["pcv"]), int(r["ckey"])): int(r["pvalue"]) for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def table() -> dict[tuple[int, int], int]:
    return read_ptable(PTABLE)


def test_the_committed_ptable_is_what_its_builder_writes(tmp_path):
    written = ptable_build.write(tmp_path)
    assert written.read_bytes() == PTABLE.read_bytes()
    assert written.with_suffix(".json").read_bytes() == PTABLE.with_suffix(".json").read_bytes()


def test_the_ptable_is_unbiased_small_and_never_negative(table):
    by_count = defaultdict(list)
    for (pcv, _), value in table.items():
        by_count[pcv].append(value)
    assert sorted(by_count) == list(range(1, 751))
    for pcv, values in by_count.items():
        assert len(values) == 256
        assert all(-2 <= v <= 2 and pcv + v >= 0 for v in values)
        assert abs(np.mean(values)) <= 0.01  # mean 0 within the 1/256 steps of the keys
        if pcv >= 2:  # a count of 1 cannot go down by 2
            assert np.var(values) == pytest.approx(1.0, abs=0.02)


def test_perturbation_follows_the_ptable_row_by_row(table):
    # below 750 the row is the count itself; above, rows 501-750 are reused cyclically
    counts = np.array([0, 1, 9, 10, 750, 751, 1000, 123_456])
    keys = np.array([5, 0, 255, 300, 17, 42, 1024 + 7, 99])
    rows = [0, 1, 9, 10, 750, 501, 750, 706]  # 751 -> 501; 1000 -> 750; 123456 -> 706
    assert ((123_456 - 1) % 250) + 501 == 706
    expected = [0] + [
        c + table[(row, k % 256)] for c, row, k in zip(counts[1:], rows[1:], keys[1:], strict=True)
    ]
    assert disclosure.perturb(counts, keys).tolist() == expected


def test_publish_hides_small_results_keeps_zero_and_drops_the_key_sums(table):
    frame = pd.DataFrame(
        {"a_count": [0, 3, 11, 40], "a_ksum": [0, 300, 7, 513], "rate": [0.1, 0.2, 0.3, 0.4]}
    )
    out = disclosure.publish(frame, ["a_count"], threshold=10)
    published = [0, 3 + table[(3, 44)], 11 + table[(11, 7)], 40 + table[(40, 1)]]
    assert 3 + table[(3, 44)] < 10
    assert out["a_count_suppressed"].tolist() == [False, True, published[2] < 10, False]
    assert out["a_count"].iloc[0] == 0
    assert pd.isna(out["a_count"].iloc[1])
    assert out["a_count"].iloc[3] == published[3]
    assert "a_ksum" not in out.columns
    assert out["rate"].tolist() == frame["rate"].tolist()


def test_a_threshold_below_the_ptables_is_refused():
    disclosure.check_threshold(10)
    disclosure.check_threshold(25)
    with pytest.raises(ValueError, match="built for a threshold of 10"):
        disclosure.check_threshold(9)


# --- Held against ONS's cell-key-perturbation package ---------------------------------


def microdata(path: Path, month_end: dt.date) -> pd.DataFrame:
    """One row per person counted in the month's registered informal workers, with its key.

    Written here from the base tables (registrations, uptake, record keys), not from the
    cubes: a person counts from their first registration, or first episode if earlier,
    with the attributes of their latest registration.
    """
    con = storage.open_read(path)
    try:
        return con.execute(
            """
            with latest as (
                select person_key, arg_max(struct_pack(sex, birth_year, province_code,
                    occupation), struct_pack(registered_on, batch_id, source, record_id)) as a,
                    min(registered_on) as first_on
                from registrations where ended_batch_id is null group by person_key
            ), started as (
                select person_key, min(started_on) as first_on from uptake
                where ended_batch_id is null group by person_key
            )
            select l.a.province_code as province, coalesce(l.a.sex, 'none') as sex,
                coalesce(b.age_band, 'none') as age_band, k.record_key
            from latest as l
            left join started as s using (person_key)
            join record_keys as k using (person_key)
            join occupations as o on o.occupation = l.a.occupation and o.is_informal
            left join age_bands as b
                on $year - l.a.birth_year between b.min_age and b.max_age
            where least(l.first_on, coalesce(s.first_on, l.first_on)) <= $month_end
            """,
            {"year": month_end.year, "month_end": month_end},
        ).df()
    finally:
        con.close()


def ons_ptable() -> pd.DataFrame:
    return pd.read_csv(PTABLE)


@pytest.fixture(scope="module")
def ons():
    return pytest.importorskip("cell_key_perturbation.create_perturbed_table")


CUTS = {
    "province": [],
    "province x sex": ["sex"],
    "province x sex x age band": ["sex", "age_band"],
}


@pytest.mark.parametrize("threshold", [0, 10])
@pytest.mark.parametrize("cut", list(CUTS))
def test_cube_values_equal_ons_package_cell_for_cell(ons, demo_store_file, cut, threshold):
    month = dt.date(2026, 10, 31)
    data = microdata(demo_store_file, month)
    dims = CUTS[cut]
    theirs = ons.create_perturbed_table(
        data=data, ptable=ons_ptable(), geog=["province"], tab_vars=dims,
        record_key="record_key", use_existing_ons_id=False, threshold=threshold,
    )  # fmt: skip
    con = storage.open_read(demo_store_file)
    try:
        compared = 0
        for values, rows in theirs.groupby(dims) if dims else [((), theirs)]:
            values = values if isinstance(values, tuple) else (values,)
            chosen = dict(zip(dims, values, strict=True))
            if "none" in chosen.values():
                continue  # the page filters by a known sex or age band only
            cut_filter = reads.CoverageFilter(as_of=month, **chosen)
            ours = reads.load_coverage(con, cut_filter, max(threshold, 10))
            ours = ours.set_index("province_code")
            for row in rows.itertuples():
                raw = disclosure.perturb([row.pre_sdc_count], [row.ckey])[0]
                published = ours.loc[row.province, "registered_count"]
                if threshold == 0:
                    assert raw == row.count  # ONS's perturbed count, before any threshold
                    if not pd.isna(published):
                        assert published == row.count
                elif pd.isna(row.count):  # ONS: below 10 (a true zero included)
                    assert row.pre_sdc_count == 0 or pd.isna(published)
                else:
                    assert published == row.count
                compared += 1
    finally:
        con.close()
    assert compared >= 25 * (1 if not dims else 2)


# --- One cell, one value: page, command line, CSV/JSON/XLSX, briefing pack -------------


@pytest.mark.app
def test_one_cell_shows_one_value_everywhere(demo_store_file, monkeypatch, capsys, as_role):
    import io
    import json

    import openpyxl
    from streamlit.testing.v1 import AppTest

    import cli
    from exports import brief, files, rendering

    monkeypatch.setenv("COVERAGE_DB", str(demo_store_file))
    month = dt.date(2026, 10, 31)
    cut = reads.CoverageFilter(as_of=month, sex="F")
    # the page, with Women chosen in the sidebar
    at = AppTest.from_file(str(Path(__file__).parent.parent / "dashboard/app.py"))
    as_role(at, "viewer")
    at.run()
    at.sidebar.selectbox(key="filter_sex").set_value("F").run()
    page = next(d.value for d in at.dataframe if "Covered persons" in d.value.columns)
    page = page.set_index("Province")
    # the command line
    assert cli.main(["table", "coverage", "--as-of", "2026-10-31", "--sex", "F",
                     "--format", "json"]) == 0  # fmt: skip
    printed = {r["province_code"]: r for r in json.loads(capsys.readouterr().out)}
    # the files
    con = storage.open_read(demo_store_file)
    try:
        table = reads.load_coverage(con, cut, 10)
        content = brief.build(con, cut, "23", "en", 10, provinces=None)  # Kep, a small province
    finally:
        con.close()
    as_csv = pd.read_csv(io.BytesIO(files.to_csv(table)), dtype={"province_code": str})
    as_json = {r["province_code"]: r for r in json.loads(files.to_json(table))}
    ctx = rendering.ExportContext(lang="en", filters=(), sources="", is_demo=True, threshold=10)
    sheet = openpyxl.load_workbook(io.BytesIO(files.to_xlsx(table, "t", ctx)))["data"]
    rows = list(sheet.iter_rows(values_only=True))
    as_xlsx = {r[rows[0].index("province_code")]: r for r in rows[1:]}
    kpis = dict(brief.kpis(content))
    for row in table.itertuples():
        code, value = row.province_code, row.covered_count
        expected = None if pd.isna(value) else int(value)
        assert printed[code]["covered_count"] == expected
        assert as_json[code]["covered_count"] == expected
        assert as_xlsx[code][rows[0].index("covered_count")] == expected
        csv_value = as_csv.set_index("province_code").loc[code, "covered_count"]
        assert (None if pd.isna(csv_value) else int(csv_value)) == expected
        name = row.province_name_en
        if code != "KH":
            shown = page.loc[name, "Covered persons"]
            assert shown == ("◼ <10" if expected is None else f"{expected:,}")
    kep = table.set_index("province_code").loc["23", "covered_count"]
    assert kpis["Covered persons"] == ("◼ <10" if pd.isna(kep) else f"{int(kep):,}")
