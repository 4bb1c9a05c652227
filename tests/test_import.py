"""Importing agency files: every bad input is refused with its message and changes no data."""

import io
import shutil

import duckdb
import pandas as pd
import pytest

import cli
import settings
from ingest import importer
from linkage import pseudonym
from store import storage

KEY = bytes.fromhex("ab" * 32)
HEADER = (
    "record_id,national_id,full_name,sex,birth_date,birth_year,province_code,district_code,"
    "commune_code,occupation,registered_on,poverty_level,disability"
)
GOOD_ROW = (
    "R-1,010203040,Sok Sophea,F,1990-04-12,,12,1201,120101,market_vendor,2024-03-02,none,false"
)
DATA_TABLES = (
    "registrations", "uptake", "population_estimates", "services", "sources",
    "person_ids", "linkage_features",
)  # fmt: skip


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def request(data: bytes, name="file.csv", kind="registrations", source="MLVT", **extra):
    return importer.Request(data=data, file_name=name, kind=kind, source=source, key=KEY, **extra)


def snapshot(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in DATA_TABLES:
            rows = con.execute(f"select * from {table}").fetchall()  # noqa: S608 - fixed names
            out[table] = sorted(map(str, rows))
        return out
    finally:
        con.close()


def batches(path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select * from import_batches order by batch_id").df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def base_file(tmp_path_factory):
    """A store made from nothing by importing two registrations and one uptake row."""
    path = tmp_path_factory.mktemp("imports") / "coverage.duckdb"
    rows = [GOOD_ROW, "R-2,,ចាន់ ដារ៉ា,M,1985-11-30,,Phnom Penh,,,tuk_tuk_driver,2024-03-05,1,"]
    assert importer.run(request(csv(*rows)), path).result == "accepted"
    uptake = b"record_id,service_code,started_on,ended_on\nR-1,MLVT_SKILLS,2024-04-01,2024-06-30\n"
    assert importer.run(request(uptake, "u.csv", kind="uptake"), path).result == "accepted"
    return path


@pytest.fixture
def base(base_file, tmp_path):
    path = tmp_path / "coverage.duckdb"
    shutil.copyfile(base_file, path)
    return path


def test_a_store_made_from_agency_files_alone_has_reference_data_and_no_demo_rows(base_file):
    con = duckdb.connect(str(base_file), read_only=True)
    assert con.execute("select count(*) from provinces").fetchone()[0] == 25
    assert con.execute("select count(*) from registrations").fetchone()[0] == 2
    assert con.execute("select count(*) from persons").fetchone()[0] == 2
    assert con.execute("select count(*) from population_estimates").fetchone()[0] == 0
    assert con.execute("select value from store_meta where key = 'is_demo'").fetchone() is None
    con.close()


def rejected(path, data, reason, column=None, row=None, **kw):
    """Import `data`, expect a rejection naming `reason` (and column/row), data unchanged."""
    before = snapshot(path)
    outcome = importer.run(request(data, **kw), path)
    assert outcome.result == "rejected"
    match = [p for p in outcome.report.problems if reason in p.reason]
    assert match, outcome.report.lines()
    if column is not None:
        assert match[0].column == column
    if row is not None:
        assert match[0].row == row
    assert snapshot(path) == before
    last = batches(path).iloc[-1]
    assert last["result"] == "rejected"
    assert reason in last["note"]
    return outcome


def test_missing_required_column(base):
    header = HEADER.replace(",registered_on", "")
    row = GOOD_ROW.replace(",2024-03-02", "")
    rejected(base, csv(row, header=header), "required column is missing", "registered_on", 1)


def test_a_blank_required_cell_is_a_row_problem_and_a_rejected_batch(base):
    """Issue 16: an empty province_code once passed validation and crashed on NOT NULL."""
    blank_province = GOOD_ROW.replace("R-1", "R-7").replace(",12,1201,120101,", ",,,,")
    out = rejected(base, csv(GOOD_ROW, blank_province), "a value is required", "province_code", 3)
    assert out.report.counts() == {"a value is required": 1}
    blank_date = GOOD_ROW.replace(",2024-03-02,", ",,")
    rejected(base, csv(blank_date), "a value is required", "registered_on", 2)


def test_unknown_column(base):
    rejected(base, csv(GOOD_ROW + ",x", header=HEADER + ",nickname"), "unknown column", "nickname")


def test_bad_types(base):
    row = GOOD_ROW.replace("1990-04-12,", ",abc").replace("2024-03-02", "02/03/2024")
    out = rejected(base, csv(row), "not a date (expected YYYY-MM-DD)", "registered_on", 2)
    assert "not a whole number" in out.report.counts()


def test_unknown_codes(base):
    row = GOOD_ROW.replace(",12,1201,120101,market_vendor", ",99,,,pilot")
    out = rejected(base, csv(row), "unknown province", "province_code")
    assert out.report.counts()["unknown occupation"] == 1


def test_district_outside_its_province(base):
    row = GOOD_ROW.replace(",12,1201,120101,", ",12,0102,,")
    rejected(base, csv(row), "district is not in the row's province", "district_code", 2)


def test_commune_outside_its_province(base):
    row = GOOD_ROW.replace(",12,1201,120101,", ",12,,010201,")
    rejected(base, csv(row), "commune is not in the row's province", "commune_code")


def test_dates_in_the_future_or_before_1900(base):
    future = GOOD_ROW.replace("2024-03-02", "2999-01-01")
    ancient = GOOD_ROW.replace("R-1", "R-9").replace("1990-04-12", "1899-12-31")
    out = rejected(base, csv(future, ancient), "date in the future", "registered_on", 2)
    assert [p.row for p in out.report.problems if p.reason == "date before 1900"] == [3]


def test_impossible_ages(base):
    born_after = GOOD_ROW.replace("2024-03-02", "1980-01-01")
    too_old = GOOD_ROW.replace("R-1", "R-2").replace("1990-04-12,", ",1900")
    out = rejected(base, csv(born_after, too_old), "born after the registration date", row=2)
    assert out.report.counts()["impossible age: over 120 at registration"] == 1


def test_duplicate_record_id(base):
    other = GOOD_ROW.replace("010203040", "")
    rejected(base, csv(GOOD_ROW, other), "duplicate record_id", "record_id", 3)


def test_empty_file(base):
    rejected(base, b"", "the file is empty")
    rejected(base, csv(), "the file has a header but no rows")


def test_wrong_encoding(base):
    data = csv(GOOD_ROW.replace("Sok Sophea", "Sôk Sophéa")).decode().encode("cp1252")
    rejected(base, data, "wrong encoding: the file is not UTF-8")


def test_a_row_longer_than_the_header_is_refused_not_shifted(base):
    longer = GOOD_ROW.replace("R-1", "R-2") + ",spare"
    rejected(base, csv(GOOD_ROW, longer), "row 3 has 14 fields but the header has 13")


def test_a_parquet_index_stays_a_column(base):
    frame = pd.read_csv(io.BytesIO(csv(GOOD_ROW.replace("R-1", "R-7"))), dtype=str)
    buffer = io.BytesIO()
    frame.set_index("record_id").to_parquet(buffer)  # record_id saved as the pandas index
    outcome = importer.run(request(buffer.getvalue(), "f.parquet", append=True), base)
    assert outcome.result == "accepted", outcome.report.lines()


def test_file_that_is_not_what_its_extension_says(base):
    workbook = io.BytesIO()
    pd.DataFrame({"record_id": ["R-1"]}).to_excel(workbook, index=False)
    rejected(base, workbook.getvalue(), "named .csv but its content is .xlsx")
    rejected(base, csv(GOOD_ROW), "not a Excel workbook (.xlsx)", name="file.xlsx")


def test_uptake_row_whose_person_is_unknown(base):
    data = b"record_id,service_code,started_on,ended_on\nR-404,MLVT_SKILLS,2024-04-01,\n"
    rejected(base, data, "unknown person", "record_id", 2, kind="uptake")


def test_service_code_not_in_the_catalogue(base):
    data = b"record_id,service_code,started_on,ended_on\nR-1,NO_SUCH,2024-04-01,\n"
    rejected(base, data, "service code not in the catalogue", "service_code", kind="uptake")


def test_an_end_date_may_lie_ahead_but_not_before_the_start(base):
    ahead = b"record_id,service_code,started_on,ended_on\nR-2,MLVT_SKILLS,2024-04-01,2999-12-31\n"
    assert importer.run(request(ahead, kind="uptake"), base).result == "accepted"
    backwards = (
        b"record_id,service_code,started_on,ended_on\nR-2,MLVT_SKILLS,2024-04-01,2024-03-01\n"
    )
    rejected(base, backwards, "ends before it starts", "ended_on", kind="uptake")


def test_national_id_and_name_values_are_masked_in_the_report(base, caplog):
    row = GOOD_ROW.replace("010203040", "12-X").replace("2024-03-02", "2999-01-01")
    out = rejected(base, csv(row), "not a valid ID", "national_id")
    text = "\n".join(out.report.lines()) + out.report.frame().to_string() + caplog.text
    assert "12-X" not in text
    assert "Sok Sophea" not in text
    assert "2999-01-01" in text  # other values are echoed to help fix them


def test_report_is_capped_with_counts_per_reason(base):
    rows = [GOOD_ROW.replace("R-1", f"R-{i}").replace(",12,", ",77,") for i in range(80)]
    out = rejected(base, csv(*rows), "unknown province")
    assert len(out.report.frame()) == 50
    assert out.report.counts()["unknown province (code or name)"] == 80
    assert "  … and 30 more" in out.report.lines()


def test_a_key_other_than_the_stores_is_refused(base):
    before = snapshot(base)
    other = importer.Request(data=csv(GOOD_ROW), file_name="f.csv", kind="registrations",
                             source="MLVT", key=bytes(32))  # fmt: skip
    outcome = importer.run(other, base)
    assert outcome.result == "rejected"
    assert "is not the store's" in outcome.report.problems[0].reason
    assert snapshot(base) == before


def test_without_a_key_imports_refuse_to_run(base, monkeypatch, tmp_path):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    monkeypatch.setattr(pseudonym, "secrets_path", lambda: tmp_path / "none.toml")
    new_row = GOOD_ROW.replace("R-1", "R-8")
    no_key = importer.Request(data=csv(new_row), file_name="f.csv", kind="registrations",
                              source="MLVT")  # fmt: skip
    with pytest.raises(pseudonym.KeyMissing, match="key init"):
        importer.run(no_key, base)
    # a file's own problems are reported before the key is looked for
    bad = importer.Request(data=csv(new_row.replace(",12,", ",77,")), file_name="f.csv",
                           kind="registrations", source="MLVT", dry_run=True)  # fmt: skip
    assert importer.run(bad, base).report.problems[0].column == "province_code"
    # a dry run of a good file needs no key: it validates and plans, and writes nothing
    before = snapshot(base)
    good = importer.Request(data=csv(new_row), file_name="f.csv", kind="registrations",
                            source="MLVT", dry_run=True, append=True)  # fmt: skip
    checked = importer.run(good, base)
    assert (checked.result, checked.stats["note"]) == ("accepted", importer.NO_KEY_DRY_RUN)
    assert checked.stats["plan"]["added"] == 1
    assert checked.stats["rows_loaded"] == 1
    assert "link_methods" not in checked.stats
    assert snapshot(base) == before


def test_dry_run_reports_and_writes_nothing(base):
    before, count = snapshot(base), len(batches(base))
    row = GOOD_ROW.replace("R-1", "R-3").replace("010203040", "")
    outcome = importer.run(request(csv(row), dry_run=True, append=True), base)
    assert outcome.dry_run
    assert outcome.result == "accepted"
    assert snapshot(base) == before
    assert len(batches(base)) == count


def test_the_same_file_twice_is_recorded_as_a_duplicate_and_changes_nothing(base):
    data = csv(GOOD_ROW.replace("R-1", "R-7").replace("010203040", "999888777"))
    assert importer.run(request(data, append=True), base).result == "accepted"
    before = snapshot(base)
    second = importer.run(request(data, append=True), base)
    assert second.result == "duplicate"
    assert snapshot(base) == before
    assert batches(base).iloc[-1]["result"] == "duplicate"


def current_records(path, source="MLVT"):
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "select record_id, ended_batch_id is null from registrations where source = ? "
        "order by record_id, batch_id",
        [source],
    ).fetchall()
    persons = con.execute("select count(*) from persons").fetchone()[0]
    con.close()
    return rows, persons


def test_a_full_extract_supersedes_and_keeps_history_append_adds(base):
    # The second extract still has R-1 but no longer R-2: R-2 ends, both old rows stay.
    # it ends 1 of MLVT's 2 records: more than 10%, so confirmed (tests/test_extract_plan.py)
    second = request(csv(GOOD_ROW.replace("none", "1")), allow_end=1)
    assert importer.run(second, base).result == "accepted"
    rows, persons = current_records(base)
    assert rows == [("R-1", False), ("R-1", True), ("R-2", False)]
    assert persons == 1
    extra = GOOD_ROW.replace("R-1", "R-5").replace("010203040", "")
    assert importer.run(request(csv(extra), append=True), base).result == "accepted"
    rows, persons = current_records(base)
    assert rows == [("R-1", False), ("R-1", True), ("R-2", False), ("R-5", True)]
    assert persons == 2


def test_the_same_national_id_from_another_source_is_the_same_person(base):
    row = "N-1,0102 0304 0,SOK Sophea,F,1990-04-12,,12,,,market_vendor,2024-05-02,,"
    outcome = importer.run(request(csv(row), source="NSSF"), base)
    assert outcome.stats["link_methods"] == {"national_id": 1}
    con = duckdb.connect(str(base), read_only=True)
    keys = con.execute(
        "select source, person_key from registrations where record_id in ('R-1', 'N-1')"
    ).fetchall()
    assert con.execute("select count(*) from persons").fetchone()[0] == 2
    assert con.execute("select source from sources where source = 'NSSF'").fetchone()
    con.close()
    assert dict(keys)["NSSF"] == 1  # R-1 of MLVT, the first person


def test_each_id_hash_is_kept_once_whatever_repeats_it(base):
    # the same ID on two rows of one file, again in a later file of another source, and a
    # new one: person_ids holds each hash once (no index enforces it; the insert does)
    rows = [
        "N-1,0102-0304-0,Sok Sophea,F,1990-04-12,,12,,,market_vendor,2024-05-02,,",
        "N-2,010203040,Sok Sophea,F,1990-04-12,,12,,,market_vendor,2024-05-03,,",
        "N-3,998877665,Chan Dara,M,1980-01-01,,12,,,market_vendor,2024-05-03,,",
    ]
    assert importer.run(request(csv(*rows), source="NSSF"), base).result == "accepted"
    assert importer.run(request(csv(GOOD_ROW), source="MOH"), base).result == "accepted"
    con = duckdb.connect(str(base), read_only=True)
    counts = con.execute("select count(*), count(distinct id_hash) from person_ids").fetchone()
    con.close()
    assert counts == (2, 2)  # 010203040 and 998877665; R-2 of the base has no ID


def test_an_agencys_own_columns_and_codes_import_through_its_mapping(base):
    data = (settings.DATA_DIR / "samples/native/NSSF_members.csv").read_bytes()
    outcome = importer.run(request(data, "NSSF_members.csv", source="NSSF"), base)
    assert outcome.result == "accepted", outcome.report.lines()
    bad = data.replace(b",Kandal,", b",Atlantis,")
    outcome = importer.run(request(bad, "NSSF_members2.csv", source="NSSF"), base)
    assert outcome.report.problems[0].column == "PROVINCE"  # the agency's own name
    assert outcome.report.problems[0].value == "Atlantis"


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
def test_xlsx_and_parquet_read_like_csv(base, suffix):
    frame = pd.read_csv(io.BytesIO(csv(GOOD_ROW.replace("R-1", "R-8"))), dtype=str)
    buffer = io.BytesIO()
    if suffix == "xlsx":
        frame.to_excel(buffer, index=False)
    else:
        frame.assign(registered_on=pd.to_datetime(frame["registered_on"])).to_parquet(buffer)
    outcome = importer.run(request(buffer.getvalue(), f"f.{suffix}", append=True), base)
    assert outcome.result == "accepted", outcome.report.lines()


def test_csv_with_a_byte_order_mark(base):
    data = b"\xef\xbb\xbf" + csv(GOOD_ROW.replace("R-1", "R-6"))
    assert importer.run(request(data, append=True), base).result == "accepted"


def test_cli_exits_non_zero_with_the_report(base, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("COVERAGE_DB", str(base))
    monkeypatch.setenv(pseudonym.ENV_VAR, KEY.hex())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv(GOOD_ROW.replace(",12,", ",77,")))
    code = cli.main(
        ["import", str(bad), "--kind", "registrations", "--source", "MLVT", "--full-extract"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "bad.csv, row 2, column 'province_code': value '77'" in err
    assert "1 × unknown province (code or name)" in err


def test_population_without_age_bands_gives_all_ages_totals(base):
    data = (
        b"province_code,year,sex,population,informal_workers,source,reference_date\n"
        b"12,2024,M,1000,400,Test,2024-07-01\n12,2024,F,1000,300,Test,2024-07-01\n"
    )
    assert importer.run(request(data, kind="population", source=None), base).result == "accepted"
    con = duckdb.connect(str(base), read_only=True)
    bands = con.execute("select distinct age_band from population_estimates").fetchall()
    con.close()
    assert bands == [("all",)]
    assert storage.version(base)


def test_the_catalogue_cannot_outgrow_the_cube(base):
    rows = "\n".join(f"NEW_SERVICE_{i},Service {i}" for i in range(60))
    data = f"service_code,name_en\n{rows}\n".encode()
    rejected(base, data, "at most 64 are supported", kind="services", source=None)


def test_source_status_shows_the_share_of_valid_rows_in_the_last_attempt(base):
    from data_access import reads

    rows = [GOOD_ROW.replace("R-1", f"R-{i}").replace("010203040", "") for i in range(3)]
    rows.append(GOOD_ROW.replace("R-1", "R-9").replace(",12,", ",77,"))
    rejected(base, csv(*rows), "unknown province")
    con = storage.open_read(base)
    status = reads.run(con, "source_import_status").set_index("source")
    con.close()
    assert status.loc["MLVT", "last_result"] == "rejected"
    assert status.loc["MLVT", "last_valid_row_share"] == pytest.approx(3 / 4)
    assert status.loc["MLVT", "last_file_name"] == "file.csv"


def test_a_mapping_saved_on_the_import_page_is_used_by_later_imports(base, monkeypatch, tmp_path):
    import json

    from ingest import mappings

    monkeypatch.setenv("COVERAGE_APP_DB", str(tmp_path / "app.sqlite"))
    document = {"registrations": {"columns": {"NO": "record_id", "PROV": "province_code",
                                              "DATE": "registered_on", "GENDER": "sex"},
                                  "values": {"sex": {"ប": "M", "ស": "F"}}}}  # fmt: skip
    mappings.save("MOSVY", json.dumps(document), "ana")
    data = "NO,PROV,DATE,GENDER\nS-1,Kandal,2024-02-02,ស\n".encode()
    outcome = importer.run(request(data, source="MOSVY"), base)
    assert outcome.result == "accepted", outcome.report.lines()
    bad = b"NO,PROV,DATE,GENDER\nS-2,Kandal,2024-02-02,x\n"
    problem = importer.run(request(bad, source="MOSVY"), base).report.problems[0]
    assert (problem.column, problem.reason) == ("GENDER", "sex must be M or F")
    with pytest.raises(ValueError, match="not valid JSON: Expecting property name"):
        mappings.save("MOSVY", "{not json", "ana")
