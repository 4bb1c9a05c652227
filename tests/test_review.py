"""Clerical review: the queue, what it says of each pair, decisions applied, audited and kept.

The fixture is two agency files (IDPOOR, then NSSF) built by hand so that, of NSSF's four
records:
- N-1 carries I-1's ID with its last digit changed, the same birth date, sex and commune,
  and the name in another spelling: linked to I-1 as `id_typo`, hence in the queue;
- N-2 shares I-2's family name (Keo) only, gives the birth year alone, and lives in
  another district of the same province: scored below the threshold, not linked. By the
  model's stated m and u (linkage/comparisons.py) and a prior of 0.3 / 3 stored records:
  odds 1/9 x (0.01/0.04 a token shared) x (0.06/0.002 same year, a date missing) x
  (0.97/0.5 same sex) x (0.8 same province) = 1.2933, a probability of 0.5640;
- N-3 is I-3 in every feature (linked for sure, not a question), N-4 nobody (province 17).
Persons: 1 (I-1, N-1), 2 (I-2), 3 (I-3, N-3), 4 (N-2), 5 (N-4). N-1 and N-2 have a
programme episode each (HEF, from March 2024).
"""

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import i18n
from appdb import audit
from bench import bench_linkage
from ingest import batches, importer
from linkage import comparisons, features, review
from store import storage
from test_aggregates import derived, rebuilt

REPO = Path(__file__).resolve().parent.parent
KEY = bytes.fromhex("ab" * 32)
HEADER = (
    "record_id,national_id,full_name,sex,birth_date,birth_year,province_code,commune_code,"
    "registered_on"
)
IDPOOR = [
    "I-1,718032049,Sok Sophea,F,1990-04-12,,12,120101,2024-01-02",
    "I-2,,Keo Bopha,F,1970-02-03,,12,120101,2024-01-02",
    "I-3,,Chan Dara,M,1985-11-30,,12,120101,2024-01-02",
]
NSSF = [
    "N-1,718032048,Sokh Sophea,F,1990-04-12,,12,120101,2024-03-02",
    "N-2,,Keo Dara,F,,1970,12,120201,2024-03-02",
    "N-3,,Chan Dara,M,1985-11-30,,12,120101,2024-03-02",
    "N-4,,Long Pisey,F,1998-09-03,,17,,2024-03-02",
]
UPTAKE = [
    "record_id,service_code,started_on,ended_on",
    "N-1,HEF,2024-03-01,",
    "N-2,HEF,2024-03-01,",
]
# What never appears on screen or in the audit log: names, ID numbers, birth dates.
IDENTITY = ["Sophea", "Bopha", "Keo Dara", "Chan Dara", "Pisey", "718032049", "718032048",
            "1990-04-12", "1970-02-03", "1985-11-30", "1998-09-03"]  # fmt: skip
# The band pair: odds and probability worked out above from the stated m and u.
BAND_ODDS = (0.1 / 0.9) * (0.01 / 0.04) * (0.06 / 0.002) * (0.97 / 0.5) * (0.04 / 0.05)
BAND_PROBABILITY = BAND_ODDS / (1 + BAND_ODDS)
TYPO_WORDS = (
    "names 1.00 similar; birth date: same; same sex; same commune; "
    "IDs differ by one digit (or two swapped)"
)
BAND_WORDS = (
    "names 0.51 similar; birth date: same year, a full date missing; same sex; same province; "
    "no two IDs to compare"
)


def load(path, source, rows, kind="registrations", header=HEADER):
    data = ("\n".join([header, *rows]) + "\n").encode()
    request = importer.Request(data=data, file_name=f"{source}-{kind}.csv", kind=kind,
                               source=source, key=KEY)  # fmt: skip
    outcome = importer.run(request, path)
    assert outcome.result == "accepted", outcome.report.lines()
    return outcome


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("review") / "coverage.duckdb"
    load(path, "IDPOOR", IDPOOR)
    load(path, "NSSF", NSSF)
    load(path, "NSSF", UPTAKE[1:], kind="uptake", header=UPTAKE[0])
    return path


@pytest.fixture
def store(built, tmp_path) -> Path:
    """A copy of the fixture store of one's own (decisions change it)."""
    path = tmp_path / "store" / "coverage.duckdb"
    path.parent.mkdir()
    shutil.copyfile(built, path)
    return path


def persons(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "select source || '/' || record_id, person_key from registrations"
        " where ended_batch_id is null"
    ).fetchall()
    con.close()
    return dict(rows)


def counts(path) -> tuple[int, int, int]:
    """Persons; and in province 12 on the last month of the cubes, registered and covered."""
    con = duckdb.connect(str(path), read_only=True)
    people = con.execute("select count(*) from persons").fetchone()[0]
    registered, covered = con.execute(
        "select sum(persons), sum(persons) filter (where service_mask <> 0) from coverage_cube"
        " where province_code = '12' and month_end = (select max(month_end) from coverage_cube)"
    ).fetchone()
    con.close()
    return people, int(registered), int(covered)


def queue_of(path, provinces=None) -> pd.DataFrame:
    con = storage.open_read(path)
    try:
        return review.queue(con, review.pairs(con, provinces), provinces)
    finally:
        con.close()


def by_record(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {f"{r.source_l}/{r.record_id_l}": r for _, r in frame.iterrows()}


def test_the_fixture_links_as_designed(store):
    keys = persons(store)
    assert keys["NSSF/N-1"] == keys["IDPOOR/I-1"]
    assert keys["NSSF/N-3"] == keys["IDPOOR/I-3"]
    assert keys["NSSF/N-2"] != keys["IDPOOR/I-2"]
    assert len(set(keys.values())) == 5
    assert counts(store) == (5, 4, 2)  # persons 1-4 in Phnom Penh; N-1's and N-2's covered


def test_the_queue_holds_the_id_typo_link_and_the_pair_below_the_threshold(store):
    queue = by_record(queue_of(store))
    assert set(queue) == {"NSSF/N-1", "NSSF/N-2"}
    typo, band = queue["NSSF/N-1"], queue["NSSF/N-2"]
    assert (typo["kind"], typo["source_r"], typo["record_id_r"]) == ("id_typo", "IDPOOR", "I-1")
    assert (band["kind"], band["source_r"], band["record_id_r"]) == (
        "below_threshold", "IDPOOR", "I-2"
    )  # fmt: skip
    assert band["probability"] == pytest.approx(BAND_PROBABILITY, abs=1e-6)
    assert 0.2 <= band["probability"] < 0.8
    assert (band["commune_code_l"], band["commune_code_r"]) == ("120201", "120101")
    assert band["commune_name_en_r"] == "Tonle Basak"
    assert review.sentence(typo, "en") == TYPO_WORDS
    assert review.sentence(band, "en") == BAND_WORDS
    # the names' similarity is the Dice of their Bloom filters, as linkage defines it
    enc = features.Encoder(KEY)
    assert round(features.dice(enc.clk("Keo Dara"), enc.clk("Keo Bopha")), 2) == 0.51
    assert "៖" in review.sentence(band, "km")  # in Khmer too
    con = storage.open_read(store)
    assert review.queue_size(review.pairs(con)) == {"pairs": 2, "id_typo": 1}
    con.close()


def test_the_queue_keeps_to_the_provinces_of_a_scope(store):
    assert queue_of(store, ("17",)).empty
    assert len(queue_of(store, ("12",))) == 2


def test_every_level_of_the_model_has_its_words_in_both_languages():
    for comparison in comparisons.COMPARISONS:
        name = comparison["output_column_name"]
        if name == "name":
            continue  # said by the Dice similarity
        for level in comparison["comparison_levels"]:
            key = review.PHRASES[(name, level["label_for_charts"])]
            assert i18n.t(key, "km") != i18n.t(key, "en")


def test_same_person_merges_the_two_and_the_figures_follow(store, tmp_path):
    before = persons(store)
    decision = review.Decision("NSSF", "N-2", "IDPOOR", "I-2", "same", "below_threshold", 0.56)
    assert review.decide(decision, "manager", store) == "merged"
    after = persons(store)
    assert after["NSSF/N-2"] == after["IDPOOR/I-2"] == min(before["NSSF/N-2"], before["IDPOOR/I-2"])
    assert len(set(after.values())) == 4
    # persons 1, 2 (I-2 and N-2), 3 in Phnom Penh; covered: 1 (N-1), 2 (N-2's episode)
    assert counts(store) == (4, 3, 2)
    assert derived(store) == rebuilt(store, tmp_path)  # the refresh is a full rebuild's
    assert set(by_record(queue_of(store))) == {"NSSF/N-1"}


def test_different_persons_split_an_id_typo_link_off(store, tmp_path):
    before = persons(store)
    decision = review.Decision("NSSF", "N-1", "IDPOOR", "I-1", "different", "id_typo", 1.0)
    assert review.decide(decision, "manager", store) == "split"
    after = persons(store)
    assert after["IDPOOR/I-1"] == before["IDPOOR/I-1"]
    assert after["NSSF/N-1"] == max(before.values()) + 1  # a person of its own
    assert len(set(after.values())) == 6
    # Phnom Penh: I-1, I-2, I-3 (with N-3), N-2, N-1; covered: N-1, N-2
    assert counts(store) == (6, 5, 2)
    assert derived(store) == rebuilt(store, tmp_path)
    assert set(by_record(queue_of(store))) == {"NSSF/N-2"}
    con = duckdb.connect(str(store), read_only=True)
    moved = con.execute(
        "select count(*) from uptake where record_id = 'N-1' and person_key = ?",
        [after["NSSF/N-1"]],
    ).fetchone()[0]
    ids = con.execute("select count(distinct person_key) from person_ids").fetchone()[0]
    con.close()
    assert moved == 1  # its episode went with it
    assert ids == 2  # I-1's ID and N-1's, one person each


def test_a_below_threshold_pair_said_different_is_closed(store):
    before = persons(store)
    decision = review.Decision("NSSF", "N-2", "IDPOOR", "I-2", "different", "below_threshold")
    assert review.decide(decision, "manager", store) == "closed"
    assert persons(store) == before
    assert set(by_record(queue_of(store))) == {"NSSF/N-1"}
    with pytest.raises(review.Refused) as refused:
        review.decide(decision, "manager", store)
    assert refused.value.reason == "decided"


def test_a_later_import_keeps_the_decisions(store):
    same = review.Decision("NSSF", "N-2", "IDPOOR", "I-2", "same", "below_threshold", 0.56)
    different = review.Decision("NSSF", "N-1", "IDPOOR", "I-1", "different", "id_typo", 1.0)
    for decision in (same, different):
        review.decide(decision, "manager", store)
    # NSSF's files undone (the linkage that made the pairs with them), then sent again
    con = duckdb.connect(str(store), read_only=True)
    nssf = [b for (b,) in con.execute(
        "select batch_id from import_batches where source = 'NSSF' and result = 'accepted'"
        " order by batch_id desc"
    ).fetchall()]  # fmt: skip
    con.close()
    for batch in nssf:
        batches.rollback(batch, store, user="test")
    assert "NSSF/N-1" not in persons(store)
    outcome = load(store, "NSSF", NSSF)
    keys = persons(store)
    assert keys["NSSF/N-2"] == keys["IDPOOR/I-2"]  # linked as decided
    assert keys["NSSF/N-1"] != keys["IDPOOR/I-1"]  # IDs one typo apart, but not linked
    assert outcome.stats["link_methods"] == {
        "reviewed": 1, "new_with_id": 1, "probabilistic": 1, "new_without_id": 1
    }  # fmt: skip
    assert queue_of(store).empty  # nothing asked twice
    load(store, "NSSF", NSSF[:3])  # a later extract: each record keeps its person
    assert persons(store) == {k: v for k, v in keys.items() if k != "NSSF/N-4"}


def test_two_records_with_one_id_cannot_be_split(tmp_path):
    path = tmp_path / "coverage.duckdb"
    load(path, "IDPOOR", ["I-1,718032049,Sok Sophea,F,1990-04-12,,12,120101,2024-01-02"])
    load(path, "NSSF", ["N-1,718032049,Sok Sophea,F,1990-04-12,,12,120101,2024-03-02"])
    decision = review.Decision("NSSF", "N-1", "IDPOOR", "I-1", "different", "id_typo")
    with pytest.raises(review.Refused) as refused:
        review.decide(decision, "manager", path)
    assert refused.value.reason == "one_id"
    gone = review.Decision("NSSF", "N-9", "IDPOOR", "I-1", "same", "id_typo")
    with pytest.raises(review.Refused, match="no longer current"):
        review.decide(gone, "manager", path)


def test_the_bench_reports_the_queue(store):
    assert bench_linkage.review_queue_size(store) == {"pairs": 2, "id_typo": 1}
    score = bench_linkage.Score(0.1, 100, 1, 1, 1, 1, 1.0, review_pairs=3, review_id_typo=1)
    line = bench_linkage.queue_line(score, people=1000)
    assert "review queue: 3 pairs" in line
    assert "1 of them id_typo links" in line
    assert "about 21,000 pairs (7,000 id_typo)" in line  # 7,000,000 / 1,000 persons


def test_bench_linkage_gives_the_queue_as_json_too(monkeypatch):
    from bench import labelled

    def fake_run(people, seed, dirt, folder):
        return bench_linkage.Score(dirt, 10, 1, 1, 1, 1, 0.5, review_pairs=2, review_id_typo=1)

    monkeypatch.setattr(bench_linkage, "run", fake_run)
    monkeypatch.setattr(labelled, "labelled_lines", lambda people, seed: ["labelled"])
    lines = bench_linkage.linkage_lines(500, 1, as_json=True)
    figures = json.loads(lines[-1])
    assert [f["dirt"] for f in figures] == list(bench_linkage.RATES)
    assert figures[0]["review_pairs"] == 2
    assert figures[0]["review_id_typo_national"] == 14_000  # 1 x 7,000,000 / 500
    assert sum("review queue: 2 pairs" in line for line in lines) == len(bench_linkage.RATES)
    assert not bench_linkage.linkage_lines(500, 1)[-1].startswith("[")


def page(store, monkeypatch, as_role, role) -> AppTest:
    monkeypatch.setenv("COVERAGE_DB", str(store))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, role)
    at.run()
    at.switch_page("app_pages/registry_sync.py").run()
    assert not at.exception
    return at


def queue_table(at: AppTest) -> pd.DataFrame:
    """The queue's table (AppTest gives dataframes no key: found by its comparison column)."""
    column = i18n.t("review.col_comparison")
    return next(d.value for d in at.dataframe if column in d.value.columns)


def shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info",
                                  "success", "error") for e in getattr(at, kind)]  # fmt: skip
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [str(option) for box in at.selectbox for option in box.options]
    return "\n".join(parts)


@pytest.mark.app
def test_the_page_shows_the_queue_and_a_data_manager_decides(store, monkeypatch, as_role):
    at = page(store, monkeypatch, as_role, "data_manager")
    assert i18n.t("review.title") in {h.value for h in at.subheader}
    table = queue_table(at)
    assert sorted(table[i18n.t("review.col_comparison")]) == sorted([TYPO_WORDS, BAND_WORDS])
    assert set(table[i18n.t("review.col_record")]) == {"NSSF · N-1", "NSSF · N-2"}
    keys = {b.key for b in at.get("download_button")}  # the queue downloads as shown
    assert {
        "registry_sync_review_queue_download_csv",
        "registry_sync_review_queue_download_xlsx",
    } <= keys
    text = shown_text(at)
    assert not [word for word in IDENTITY if word in text]
    box = at.selectbox(key="registry_sync_review_pair")
    box.set_value(next(o for o in box.options if "N-1" in o)).run()
    at.button(key="registry_sync_review_different").click().run()
    assert not at.exception
    assert "split off" in at.success[0].value
    assert persons(store)["NSSF/N-1"] != persons(store)["IDPOOR/I-1"]
    table = queue_table(at)
    assert list(table[i18n.t("review.col_record")]) == ["NSSF · N-2"]
    entries = audit.recent("review_decision")
    assert len(entries) == 1
    assert entries.loc[0, "user_name"] == "data_manager-user"
    detail = json.loads(entries.loc[0, "detail"])
    assert (detail["decision"], detail["effect"], detail["record_id_l"]) == (
        "different", "split", "N-1"
    )  # fmt: skip
    assert not [word for word in IDENTITY if word in entries.loc[0, "detail"]]


@pytest.mark.app
def test_a_viewer_sees_no_queue_and_no_decision_buttons(store, monkeypatch, as_role):
    at = page(store, monkeypatch, as_role, "viewer")
    assert i18n.t("review.title") not in {h.value for h in at.subheader}
    assert not [b for b in at.button if b.key and b.key.startswith("registry_sync_review")]


@pytest.mark.app
@pytest.mark.parametrize(
    ("agency", "provinces", "rows", "buttons"),
    [("MLVT", (), 2, False), ("NSSF", (), 2, True), (None, ("17",), 0, False)],
    ids=["another agency: read only", "its agency", "another province: nothing"],
)
def test_a_limited_data_manager_decides_only_within_its_scope(
    store, monkeypatch, agency, provinces, rows, buttons
):
    from appdb import accounts
    from ui import auth

    accounts.add("limited-manager", "data_manager", "a long test passphrase 4", agency, provinces)
    monkeypatch.setenv("COVERAGE_DB", str(store))
    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    at.secrets = {"roles": {}}
    at.session_state[auth.SESSION_KEY] = "limited-manager"
    at.run()
    at.switch_page("app_pages/registry_sync.py").run()
    assert not at.exception
    column = i18n.t("review.col_comparison")
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert sum(len(t) for t in tables) == rows
    keys = {b.key for b in at.button}
    assert ("registry_sync_review_same" in keys) is buttons


@pytest.mark.app
def test_a_store_from_before_the_queue_says_so_and_renders(store, monkeypatch, as_role):
    con = duckdb.connect(str(store))
    con.execute("drop table review_decisions")
    con.close()
    at = page(store, monkeypatch, as_role, "data_manager")
    assert i18n.t("review.outdated") in [e.value for e in at.info]
    assert i18n.t("sync.back") in {h.value for h in at.subheader}  # the rest of the page
