"""Linkage: pseudonyms, privacy-preserving name features, and measured precision and recall."""

import os

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench import bench_linkage
from ingest import importer
from linkage import blocking, features, pseudonym

KEY = bytes.fromhex("ab" * 32)


@pytest.mark.parametrize(
    "raw",
    ["010203040", "0102-0304-0", " 0102 0304 0 ", "០១០២០៣០៤០", "0102\u200b03040", "0102–0304–0"],
)
def test_national_ids_are_normalised_before_hashing(raw):
    assert pseudonym.normalise_id(raw) == "010203040"
    assert pseudonym.hash_ids(KEY, [pseudonym.normalise_id(raw)]) == pseudonym.hash_ids(
        KEY, ["010203040"]
    )


ids = st.lists(
    st.sampled_from(
        list("09aZz-._/ \t\n\x0b\x0c\r\x1c\x1f\x85\xa0") + ["០", "៩", "\u2010", "\u2212",
        "\u200b", "\ufeff", "\u3000", "e\u0301", "é", "ß", "ﬁ", "İ", "\u2000"]
    ),
    max_size=24,
).map("".join)  # fmt: skip


@settings(max_examples=300 * int(os.environ.get("FUZZ_SCALE", "1")), deadline=None)
@given(st.lists(st.one_of(ids, st.none()), max_size=20))
@example(["12 34-56.78/9_0", "ab\x1ccd\x0b", "០១២៣ ៤", "x\u00a0y", "E\u0301X"])
def test_ids_are_normalised_and_checked_alike_one_by_one_and_all_at_once(raw):
    values = pd.Series(raw, dtype=object)
    expected = [pseudonym.normalise_id(v) for v in raw]
    assert pseudonym.normalise_ids(values).tolist() == expected
    assert pseudonym.valid_ids(pd.Series(expected, dtype=object)).tolist() == [
        pseudonym.is_valid_id(v) for v in expected
    ]


@settings(max_examples=100 * int(os.environ.get("FUZZ_SCALE", "1")), deadline=None)
@given(
    key=st.binary(min_size=32, max_size=130),
    values=st.lists(st.one_of(st.none(), st.just(""), st.text(max_size=30)), max_size=30),
)
@example(key=bytes(64), values=["010203040", "", None])
@example(key=bytes(range(65)), values=["ID:1", "ក"])
def test_id_hashes_computed_at_once_are_each_ids_hmac(key, values):
    expected = [pseudonym.keyed_hash(key, "nid", v) if v else None for v in values]
    assert pseudonym.hash_ids(key, values) == expected


def test_the_hash_depends_on_the_key_and_the_fingerprint_reveals_neither():
    one = pseudonym.hash_ids(KEY, ["010203040"])[0]
    other = pseudonym.hash_ids(bytes(32), ["010203040"])[0]
    assert one != other
    assert len(one) == 64
    assert "010203040" not in one
    assert pseudonym.fingerprint(KEY) != pseudonym.fingerprint(bytes(32))
    assert pseudonym.hash_ids(KEY, [""]) == [None]


@pytest.mark.parametrize(
    ("khmer", "romanised"),
    [("សុខ សុភា", "Sok Sophea"), ("ចាន់ ដារ៉ា", "Dara Chan"), ("ពេជ្រ វណ្ណា", "PECH Vanna")],
)
def test_khmer_script_and_romanised_names_share_their_keys(khmer, romanised):
    assert features.name_keys(khmer) == features.name_keys(romanised)


def test_name_variants_are_similar_and_different_names_are_not():
    enc = features.Encoder(KEY)
    same = features.dice(enc.clk("Sok Sophea"), enc.clk("Sokh Sopha"))
    typo = features.dice(enc.clk("Chantha Sin"), enc.clk("Chnatha Sin"))
    other = features.dice(enc.clk("Sok Sophea"), enc.clk("Long Vichet"))
    assert same == 1.0
    assert 0.6 < typo < 1.0
    assert other < 0.3


def test_the_clk_depends_on_the_key():
    assert features.Encoder(KEY).clk("Sok Sophea") != features.Encoder(bytes(32)).clk("Sok Sophea")


def test_swapped_day_and_month_is_kept_as_a_second_hash():
    frame = pd.DataFrame(
        {"full_name": ["A B", None], "birth_date": pd.to_datetime(["1990-04-12", "1990-04-13"])}
    )
    encoded = features.encode(frame, KEY)
    swapped = features.encode(frame.assign(birth_date=pd.to_datetime(["1990-12-04", None])), KEY)
    assert encoded.loc[0, "birth_swap_hash"] == swapped.loc[0, "birth_hash"]
    assert pd.isna(encoded.loc[1, "birth_swap_hash"])  # 13 is no month
    assert encoded.loc[1, "name_clk"] is None


HEADER = "record_id,national_id,full_name,sex,birth_date,province_code,commune_code,registered_on"


def load(path, source, rows):
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    request = importer.Request(data=data, file_name=f"{source}.csv", kind="registrations",
                               source=source, key=KEY)  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    return outcome


def persons(path):
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "select source || '/' || record_id, person_key from registrations"
    ).fetchall()
    con.close()
    return dict(rows)


def test_records_without_id_link_weeks_apart_and_different_ids_never_link(tmp_path):
    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,,សុខ សុភា,F,1990-04-12,12,120101,2024-01-02",
                          "I-2,111111111,ចាន់ ដារ៉ា,M,1985-11-30,12,120101,2024-01-02"])  # fmt: skip
    nssf = [
        "N-1,,Sokh Sophea,F,1990-12-04,12,120101,2024-03-02",
        "N-2,222222222,Chan Dara,M,1985-11-30,12,120101,2024-03-02",
    ]
    outcome = load(path, "NSSF", nssf)
    keys = persons(path)
    assert keys["NSSF/N-1"] == keys["IDPOOR/I-1"]  # day and month swapped, romanised
    assert keys["NSSF/N-2"] != keys["IDPOOR/I-2"]  # same features, but two different IDs
    assert outcome.stats["link_methods"] == {"probabilistic": 1, "new_with_id": 1}


def features_of(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "select f.source || '/' || f.record_id, r.link_method, f.match_probability,"
        " f.review_person_key from linkage_features as f join registrations as r"
        " using (source, record_id, batch_id)"
    ).fetchall()
    con.close()
    return {r[0]: r[1:] for r in rows}


def test_ids_one_typo_apart_link_as_id_typo_only_with_the_same_name_and_birth_date(tmp_path):
    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,718032049,Sok Sophea,F,1990-04-12,12,120101,2024-01-02",
                          "I-2,518032049,Chan Dara,M,1985-11-30,12,120101,2024-01-02",
                          "I-3,318032049,Keo Bopha,F,1970-02-01,12,120101,2024-01-02"])  # fmt: skip
    outcome = load(path, "NSSF", [
        "N-1,718302049,Sokh Sophea,F,1990-04-12,12,120101,2024-03-02",  # two digits swapped
        "N-2,518032040,Chan Dara,M,1985-11-30,12,120101,2024-03-02",  # the last digit changed
        "N-3,318032050,Keo Bopha,F,1970-02-01,12,120101,2024-03-02",  # two digits changed
        "N-4,718032048,Sok Dara,M,1990-04-12,12,120101,2024-03-02",  # a twin, the next ID
    ])  # fmt: skip
    keys, kept = persons(path), features_of(path)
    assert keys["NSSF/N-1"] == keys["IDPOOR/I-1"]
    assert keys["NSSF/N-2"] == keys["IDPOOR/I-2"]
    assert keys["NSSF/N-3"] != keys["IDPOOR/I-3"]
    assert keys["NSSF/N-4"] not in {keys["IDPOOR/I-1"], keys["IDPOOR/I-3"]}
    assert outcome.stats["link_methods"] == {"id_typo": 2, "new_with_id": 2}
    assert kept["NSSF/N-1"][0] == "id_typo"
    assert kept["NSSF/N-1"][1] >= 0.8  # the link's probability, kept for review
    assert kept["IDPOOR/I-1"][1] is None
    # the twin's ID is one digit from I-1's, its given name another: not linked, for review
    assert kept["NSSF/N-4"][2] == keys["IDPOOR/I-1"]
    assert kept["NSSF/N-3"][2] is None  # two digits apart: another person, not a question


def test_records_without_a_birth_date_or_a_sex_link_on_name_and_place(tmp_path):
    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,,ឡុង ពិសី,F,1998-09-03,12,120101,2024-01-02",
                          "I-2,,Heng Rith,M,1970-01-01,12,120109,2024-01-02"])  # fmt: skip
    outcome = load(path, "NSSF", ["N-1,,Pisey Lorng,,,12,120101,2024-03-02",
                                  "N-2,,Heng Rith,,1970-01-01,12,,2024-03-02"])  # fmt: skip
    keys = persons(path)
    assert keys["NSSF/N-1"] == keys["IDPOOR/I-1"]  # no date, no sex, another spelling
    assert keys["NSSF/N-2"] == keys["IDPOOR/I-2"]  # no sex, no commune
    assert outcome.stats["link_methods"] == {"probabilistic": 2}


@pytest.mark.parametrize(
    "born",
    ["1990-04-17", "1990-04-28", "1980-04-12", "1991-04-12", "1990-12-04"],
    ids=["one digit", "same month", "decade digit", "year off by one", "swapped"],
)
def test_birth_dates_close_but_not_equal_still_link(tmp_path, born):
    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,,Sok Sophea,F,1990-04-12,12,120101,2024-01-02"])
    load(path, "NSSF", [f"N-1,,Sophea Sok,F,{born},12,120101,2024-03-02"])
    keys = persons(path)
    assert keys["NSSF/N-1"] == keys["IDPOOR/I-1"]


def test_a_record_keeps_its_most_probable_other_person_for_review():
    from linkage import matching

    out = pd.DataFrame({"person_key": pd.array([7, 9, 11], dtype="Int64")})
    pairs = pd.DataFrame(
        {"uid_l": [0, 0, 1, 1, 2], "uid_r": [0, 1, 1, 2, 0],
         "match_probability": [0.95, 0.5, 0.3, 0.4, 0.25]}
    )  # fmt: skip
    person_of_candidate = pd.array([7, 8, 9]).to_numpy()
    matching._review(out, pairs, person_of_candidate)
    # row 0: linked to 7, 8 the next; row 1: linked to 9 (its best pair), 8 the other;
    # row 2: a new person, its best candidate (7) below the threshold
    assert out["review_person_key"].tolist() == [8, 8, 7]
    assert out["review_probability"].tolist() == [0.5, 0.3, 0.25]
    out["person_key"] = pd.array([8, 9, 11], dtype="Int64")
    matching._review(out, pairs.iloc[:1], person_of_candidate)
    assert out["review_person_key"].isna().tolist() == [False, True, True]


def test_ties_link_the_same_way_whatever_order_the_pairs_come_in():
    """Equal probabilities go to the earlier incoming row, then the smaller person_key.

    DuckDB and Splink return rows in no fixed order: the links must not depend on it.
    """
    import itertools

    from linkage import matching

    person_of_candidate = pd.array([40, 10, 10, 30, 20]).to_numpy()
    pairs = pd.DataFrame(
        {"uid_l": [0, 0, 0, 1, 1, 2], "uid_r": [0, 1, 4, 2, 3, 3],
         "match_probability": [0.9, 0.9, 0.9, 0.9, 0.95, 0.5], "id_typo": False}
    )  # fmt: skip
    # Worked by hand. Row 1's best is person 30 (0.95). Row 0 ties at 0.9 between persons
    # 40, 10 and 20: 10 is the smallest. Row 2's only candidate, 30, went to row 1 (each
    # person takes one record of a file). For review, row 0's most probable other person
    # ties at 0.9 between 20 and 40 (20); row 1's is 10 (0.9); row 2, unlinked: 30 (0.5).
    seen = set()
    for order in itertools.permutations(range(len(pairs))):
        shuffled = pairs.iloc[list(order)]
        best = matching._best_matches(shuffled, person_of_candidate)
        out = pd.DataFrame({"person_key": pd.array([10, 30, None], dtype="Int64")})
        matching._review(out, shuffled, person_of_candidate)
        seen.add((
            tuple(best.sort_index()["person_key"].items()),
            tuple(out["review_person_key"].tolist()),
            tuple(out["review_probability"].tolist()),
        ))  # fmt: skip
    assert seen == {(((0, 10), (1, 30)), (20, 10, 30), (0.9, 0.9, 0.5))}


def test_a_store_of_older_code_gets_the_feature_columns_and_links_against_what_it_holds(
    tmp_path,
):
    from store import storage

    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,,Sok Sophea,F,1990-04-12,12,120101,2024-01-02"])
    con = duckdb.connect(str(path))
    for column in ("birth_variants", "id_variants", "match_probability", "review_person_key",
                   "review_probability"):  # fmt: skip
        con.execute(f"alter table linkage_features drop column {column}")
    con.close()
    assert storage.upgrade_schema(path) is True
    assert storage.upgrade_schema(path) is False
    load(path, "NSSF", ["N-1,,Sophea Sok,F,1990-04-12,12,120101,2024-03-02"])
    assert persons(path)["NSSF/N-1"] == persons(path)["IDPOOR/I-1"]


def test_a_store_whose_features_another_encoder_made_refuses_new_files(tmp_path):
    from store import storage

    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,,Sok Sophea,F,1990-04-12,12,120101,2024-01-02"])
    con = duckdb.connect(str(path))
    con.execute("delete from store_meta where key = 'linkage_encoder'")  # as before encoder 2
    con.close()
    data = (HEADER + "\nN-1,,Sophea Sok,F,1990-04-12,12,120101,2024-03-02\n").encode()
    request = importer.Request(data=data, file_name="NSSF.csv", kind="registrations",
                               source="NSSF", key=KEY)  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "rejected"
    assert "encoded by encoder '1'" in outcome.report.problems[0].reason
    with storage.open_read(path) as con:
        assert con.execute("select count(*) from registrations").fetchone()[0] == 1


def test_a_later_extract_keeps_each_records_person(tmp_path):
    path = tmp_path / "coverage.duckdb"
    load(path, "MLVT", ["L-1,,Long Pisey,F,1998-09-03,08,,2024-01-02"])
    first = persons(path)["MLVT/L-1"]
    outcome = load(path, "MLVT", ["L-1,,Long Pisey,F,1998-09-03,08,,2024-01-02",
                                  "L-2,,Heng Rith,M,1970-01-01,08,,2024-05-02"])  # fmt: skip
    assert outcome.stats["link_methods"] == {"same_record": 1, "new_without_id": 1}
    assert persons(path)["MLVT/L-1"] == first


def test_precision_and_recall_on_a_labelled_synthetic_set(tmp_path):
    """2,000 persons, four registries imported separately, dirt rate 10% (bench_linkage)."""
    score = bench_linkage.run(2000, seed=5, dirt=0.1, folder=tmp_path)
    assert score.precision >= 0.95
    assert score.recall >= 0.90
    assert score.precision_no_id >= 0.95
    assert score.recall_no_id >= 0.90


def test_the_direct_demo_route_for_national_scale_still_builds(tmp_path):
    import datetime as dt

    from demo import builder

    path = tmp_path / "coverage.duckdb"
    counts = builder.build(3000, seed=3, as_of=dt.date(2026, 6, 30), path=path, via_files=False)
    assert counts["informal_workers"] == 3000  # drawn; registries reach a minority of them
    assert 0 < counts["persons"] < 3000
    con = duckdb.connect(str(path), read_only=True)
    route = con.execute("select value from store_meta where key = 'demo_route'").fetchone()
    assert route == ("direct",)
    assert con.execute("select count(*) from persons").fetchone()[0] == counts["persons"]
    con.close()


def test_a_file_of_the_direct_routes_persons_links_to_them(tmp_path):
    """The direct route keeps what the importer would: a later file finds its persons.

    40 persons of the store (their identities replayed from the generator) and 60 new ones,
    written as the labour ministry writes them (missing IDs, typos, the demo's dirt).
    """
    import datetime as dt

    from bench import bench_import
    from demo import builder

    path = tmp_path / "coverage.duckdb"
    as_of = dt.date(2026, 6, 30)
    builder.build(3000, seed=3, as_of=as_of, path=path, via_files=False)
    known = bench_import.stored_identities(path, 40)
    records = bench_import.file_records(100, seed=2, known=known, as_of=as_of)
    request = importer.Request(
        data=bench_import.file_bytes(records, "csv"), file_name="MLVT.csv",
        kind="registrations", source="MLVT", key=pseudonym.DEMO_KEY, append=True,
        today=as_of, user="test",
    )  # fmt: skip
    people = bench_import.last_person_key(path)
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    quality = bench_import.linkage_quality(path, records, people)
    assert quality["known"] == 40
    assert quality["new"] == 60
    assert quality["found"] >= 36  # by ID, or by name, birth date and place without one
    assert quality["elsewhere"] == 0
    assert quality["to_stored"] == 0
    methods = outcome.stats["link_methods"]
    assert methods.get("probabilistic", 0) >= 1
    assert methods.get("national_id", 0) >= 20


def test_quality_counts_unlinked_records_and_duplicates(tmp_path):
    from data_access import reads
    from store import storage

    path = tmp_path / "coverage.duckdb"
    load(path, "MLVT", ["R-1,111111111,Sok Dara,M,1990-01-01,12,120101,2024-01-02",
                        "R-2,,Chan Thida,F,1985-05-05,12,120101,2024-01-02",
                        "R-3,111111111,Sok Dara,M,1990-01-01,12,120101,2024-01-03"])  # fmt: skip
    load(path, "NSSF", ["N-1,,Chan Thida,F,1985-05-05,12,120101,2024-02-02",
                        "N-2,,Long Pisey,F,1998-09-03,17,,2024-02-02"])  # fmt: skip
    con = storage.open_read(path)
    frame = reads.run(con, "source_quality_by_province")
    con.close()
    got = {
        (r.source, r.province_code): (r.record_count, r.with_id_count, r.unlinked_count,
                                      r.duplicate_count, r.with_commune_count)
        for r in frame.itertuples()
    }  # fmt: skip
    # share an ID: one person, one duplicate. R-2 has no ID but is linked to
    # N-1 (same name, birth date, commune): not unlinked. N-2 matches nobody: unlinked.
    assert got == {
        ("MLVT", "12"): (3, 2, 0, 1, 3),
        ("NSSF", "12"): (1, 0, 0, 0, 1),
        ("NSSF", "17"): (1, 0, 1, 0, 0),
    }


FEATURE_VALUES = {
    "id_hash": [None, "i1", "i2"],
    "id_variants": [None, "v1"],
    "birth_variants": [None, "b1"],
    "token_min_hash": [None, "t1", "t2"],
    "token_max_hash": [None, "t1", "t2"],
    "birth_hash": [None, "d1", "d2"],
    "birth_swap_hash": [None, "d1", "d2"],
    "birth_year": [None, 1990, 1991],
    "sex": [None, "F", "M"],
    "province_code": [None, "01", "02"],
    "commune_code": [None, "010101", "020101"],
}


def feature_rows(draw, count: int, stored: bool, like: tuple | list = ()) -> list[dict]:
    """Linkage features drawn from tiny vocabularies, so that keys collide often.

    A stored record may also be drawn near one of `like` (the incoming records): each value
    kept or drawn anew, so that records meeting a rule but for one column are common.
    """
    rows = []
    for i in range(count):
        near = draw(st.sampled_from([None, *like]))
        row = {"person_key": draw(st.integers(0, 6)) if stored else i, "name_clk": None}
        for column, values in FEATURE_VALUES.items():
            drawn = st.sampled_from(values)
            row[column] = draw(drawn if near is None else st.one_of(st.just(near[column]), drawn))
        if stored:
            row |= {
                "source": draw(st.sampled_from(["IDPOOR", "MLVT"])),
                "record_id": f"R-{i}",
                "batch_id": 1,
                "ended_batch_id": draw(st.sampled_from([None, None, 2])),
            }
        rows.append(row)
    return rows


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_candidates_are_the_stored_records_a_blocking_rule_pairs_with_an_incoming_one(data):
    """The SQL generated from blocking.RULES and matching.BLOCKING (what Splink compares) agree.

    A stored record is `keyed` when its person has an ID (person_ids: every person with a
    record carrying one), an incoming one when it carries an ID.
    """
    from linkage import matching
    from store import storage

    con = duckdb.connect(":memory:")
    storage.create_schema(con)
    near = feature_rows(data.draw, data.draw(st.integers(0, 6)), stored=False)
    count = data.draw(st.integers(1, 25))
    stored = pd.DataFrame(feature_rows(data.draw, count, stored=True, like=near))
    incoming = pd.DataFrame(near).reindex(columns=matching.FEATURES).astype(object)
    storage.append(con, "linkage_features", stored.astype(object))
    con.execute(
        "insert into person_ids select id_hash, min(person_key), 1 from linkage_features"
        " where id_hash is not null group by id_hash"
    )
    columns = [c for c in matching.FEATURES if c != "name_clk"]
    got = blocking.candidates(con, incoming, "MLVT")
    con.register("incoming", incoming)
    rules = " or ".join(f"({rule})" for rule in matching.BLOCKING)
    wanted = con.execute(
        f"select distinct {', '.join('r.' + c for c in ['person_key', *columns])}"  # noqa: S608
        " from (select *, case when person_key in (select person_key from person_ids) then 1"
        " end as keyed from linkage_features) as r"
        " join (select *, case when id_hash is not null then 1 end as keyed from incoming) as l"
        f" on {rules} where r.source <> 'MLVT' and r.ended_batch_id is null"
    ).fetchall()
    as_rows = [tuple(row.values()) for row in got.select(["person_key", *columns]).to_pylist()]
    assert sorted(map(repr, as_rows)) == sorted(map(repr, wanted))
    keyed = set(con.execute("select person_key from person_ids").fetchall())
    people, flags = got.column("person_key").to_pylist(), got.column("keyed").to_pylist()
    assert all(k == ((p,) in keyed) for p, k in zip(people, flags, strict=True))


def apart() -> tuple[dict, dict]:
    """An incoming and a stored record without an ID, every other feature present and apart."""
    values = {
        "token_min_hash": ("t1", "t2"), "token_max_hash": ("t3", "t4"),
        "birth_hash": ("d1", "d2"), "birth_swap_hash": ("d3", "d4"), "birth_year": (1990, 1991),
        "sex": ("F", "M"), "province_code": ("01", "02"), "commune_code": ("010101", "020202"),
    }  # fmt: skip
    none = dict.fromkeys(["id_hash", "id_variants", "name_clk", "birth_variants"])
    return {c: v[0] for c, v in values.items()} | none, {c: v[1] for c, v in values.items()} | none


def listed_terms(rule: blocking.Rule) -> list[tuple]:
    """A rule's terms in near_miss's order: equal pairs, missing incoming, missing stored."""
    out = [("=", left, right) for left, right in rule.pairs]
    return out + [("l", c) for c in rule.missing_incoming] + [("r", c) for c in rule.missing_stored]


def terms(rule: blocking.Rule) -> set[tuple]:
    return set(listed_terms(rule))


def implied(rule: blocking.Rule) -> list[int]:
    """The other rules that a pair meeting this one meets too (their terms are among its)."""
    return [i for i, r in enumerate(blocking.RULES) if r != rule and terms(r) <= terms(rule)]


def rule_pair(rule: str) -> tuple[dict, dict]:
    """An incoming and a stored record that meet this blocking rule and no other."""
    from linkage import matching

    incoming, stored = apart()
    for term in rule.split(" AND "):
        if term.endswith(" IS NULL"):
            side, column = term.removesuffix(" IS NULL").split(".")
            (incoming if side == "l" else stored)[column] = None
        else:
            left, right = (t.split(".")[1] for t in term.split(" = "))
            stored[right] = incoming[left]
    assert set(incoming) == set(matching.FEATURES)
    return incoming, stored


@pytest.mark.parametrize("rule", range(len(blocking.RULES)))
@pytest.mark.parametrize(
    ("incoming_id", "person_id", "candidate"),
    [(None, "i1", True), ("i2", None, True), ("i2", "i1", False)],
)
def test_each_blocking_rule_alone_brings_its_stored_record(rule, incoming_id, person_id, candidate):
    """A stored person known by an ID only through an incoming record without one, but by
    an any_id rule (then matching tells IDs one typo apart from others)."""
    candidate = candidate or blocking.RULES[rule].any_id
    from linkage import matching
    from store import storage

    rules = [blocking.condition(r) for r in blocking.RULES]
    incoming, stored = rule_pair(rules[rule])
    con = duckdb.connect(":memory:")
    storage.create_schema(con)
    row = stored | {"person_key": 7, "source": "IDPOOR", "record_id": "R", "batch_id": 1}
    storage.append(con, "linkage_features", pd.DataFrame([row]).astype(object))
    if person_id:  # another record of the person carries an ID
        con.execute("insert into person_ids values (?, 7, 1)", [person_id])
    frame = pd.DataFrame([incoming | {"id_hash": incoming_id}])[matching.FEATURES].astype(object)
    got = blocking.candidates(con, frame, "MLVT")
    assert got.column("person_key").to_pylist() == ([7] if candidate else [])
    # rules whose terms are among this one's are met too (the any_id rules', for one)
    others = [
        r for i, r in enumerate(rules) if i != rule and i not in implied(blocking.RULES[rule])
    ]
    con.register("l", frame.assign(keyed=None))
    con.register("r", pd.DataFrame([row]).astype(object).assign(keyed=None))
    met = ", ".join(f"coalesce({r}, false)" for r in others)
    assert not any(con.execute(f"select {met} from l, r").fetchone())  # noqa: S608 - this rule only


def near_miss(rule: blocking.Rule, skip: int | None) -> tuple[dict, dict]:
    """An incoming and a stored record that meet every term of the declared rule (its equal
    columns, then its missing ones) but the one at `skip` (None: every term)."""
    incoming, stored = apart()
    terms = [*rule.pairs, *(("l", c) for c in rule.missing_incoming)]
    terms += [("r", c) for c in rule.missing_stored]
    for i, (left, right) in enumerate(terms):
        if i == skip:
            continue
        if i < len(rule.pairs):
            stored[right] = incoming[left]
        else:
            (incoming if left == "l" else stored)[right] = None
    return incoming, stored


def test_each_term_of_each_blocking_rule_counts_in_the_sql_and_for_splink():
    """From the declared rules: a pair that meets a rule brings its stored record and meets
    that Splink rule; one that meets every term of it but one meets no Splink rule (but a
    rule whose terms are among those left), and the generated SQL does not bring the record.
    Either side losing a rule's column or condition fails here, whatever examples the
    hypothesis test draws."""
    from linkage import matching
    from store import storage

    con = duckdb.connect(":memory:")
    storage.create_schema(con)
    for number, rule in enumerate(blocking.RULES):
        for skip in [None, *range(len(listed_terms(rule)))]:
            incoming, stored = near_miss(rule, skip)
            row = stored | {"person_key": 7, "source": "IDPOOR", "record_id": "R", "batch_id": 1}
            storage.replace(con, "linkage_features", pd.DataFrame([row]).astype(object))
            frame = pd.DataFrame([incoming])[matching.FEATURES].astype(object)
            got = blocking.candidates(con, frame, "MLVT").column("person_key").to_pylist()
            con.register("l", frame.assign(keyed=None))
            con.register("r", pd.DataFrame([row]).astype(object).assign(keyed=None))
            met = ", ".join(f"coalesce({r}, false)" for r in matching.BLOCKING)
            splink = con.execute(f"select {met} from l, r").fetchone()  # noqa: S608 - the rules
            if skip is None:
                assert (got, splink[number]) == ([7], True), f"rule {number + 1}"
                continue
            left = terms(rule) - {listed_terms(rule)[skip]}
            still = any(terms(r) <= left for r in blocking.RULES)
            assert (got, any(splink)) == ([7] * still, still), f"rule {number + 1} but {skip}"


def test_a_blocking_rule_names_only_the_fixed_columns_and_can_be_met():
    """Only the allow-listed column names reach the generated SQL: a rule is checked when made."""
    for rule in [
        {"equal": ("birth_hash", "sex; drop table person_ids")},
        {"equal": (("birth_hash", "x) or (1 = 1"),)},
        {"equal": ("sex",), "missing_stored": ("id_hash",)},
        {"equal": ()},
    ]:
        with pytest.raises(ValueError, match="compares columns"):
            blocking.Rule(**rule)
    with pytest.raises(ValueError, match="both equal and missing"):
        blocking.Rule(("birth_hash", "sex"), missing_incoming=("birth_hash",))
    from linkage import matching

    assert set(matching.FEATURES) >= blocking.COLUMNS


def test_the_candidate_sql_shares_its_joins_and_its_template_is_not_run_unfilled():
    """Rules differing only in their conditions share a join, and rules on the same incoming
    columns the CTE of their keys; the template alone fails rather than find no one."""
    import sql
    from linkage import matching
    from store import storage

    text = blocking.candidate_sql()
    joins = {frozenset(rule.pairs) for rule in blocking.RULES}
    keys = {frozenset(left for left, _ in rule.pairs) for rule in blocking.RULES}
    assert text.count("left join ") == len(joins) < len(blocking.RULES)
    assert text.count("from incoming") == len(keys) < len(joins)
    con = duckdb.connect(":memory:")
    storage.create_schema(con)
    con.register("incoming", pd.DataFrame(columns=matching.FEATURES).astype(object))
    with pytest.raises(duckdb.CatalogException, match="blocking_rules_not_generated"):
        con.execute(sql.load_query("imports/linkage_candidates"), {"source": "MLVT"})


@settings(max_examples=30, deadline=None)
@given(
    names=st.lists(
        st.tuples(
            st.sampled_from(["Sok Sophea", "Sokh Sopha", "សុខ សុភា", "Chan Dara", "", "Dara"]),
            st.sampled_from(["Sok Sophea", "Chan Dara", "Heng Rith", "ចាន់ ដារ៉ា", ""]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_splink_reads_the_clk_dice_that_features_defines(names):
    """The CLK as words and bit count (matching._compact) gives features.dice, missing alike."""
    from linkage import comparisons, matching

    frames = []
    for side in (0, 1):
        named = pd.DataFrame({"full_name": [n[side] or None for n in names], "birth_date": None})
        frames.append(
            features.encode(named, KEY).assign(
                id_hash=None, birth_year=None, sex=None, province_code=None, commune_code=None
            )
        )
    left, right = matching._compact(
        [pa.Table.from_pandas(f[matching.FEATURES], preserve_index=False) for f in frames]
    )
    con = duckdb.connect(":memory:")
    con.register("l", left)
    con.register("r", right)
    sql = "select " + comparisons.DICE.replace("clk_bits_l", "l.clk_bits").replace(
        "clk_bits_r", "r.clk_bits"
    )
    for i in range(comparisons.CLK_WORDS):
        sql = sql.replace(f"clk{i}_l", f"l.clk{i}").replace(f"clk{i}_r", f"r.clk{i}")
    got = con.execute(sql + " from l join r using (uid) order by uid").fetchall()
    for (value,), a, b in zip(got, frames[0]["name_clk"], frames[1]["name_clk"], strict=True):
        expected = features.dice(a, b)
        assert (value is None) if pd.isna(expected) else value == pytest.approx(expected)
