"""The mapping language: an agency's file as it exports it imports with no script (issue 17).

Every expected value below is worked out by hand from the rows written here.
"""

import datetime as dt
import io
import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import cli
import settings
from ingest import encoding, importer, mapping_apply, mappings, readers, validation
from linkage import pseudonym

KEY = bytes.fromhex("ab" * 32)
D = dt.date
EXTRACT = D(2024, 6, 30)
TODAY = D(2024, 7, 1)
SAMPLE = settings.DATA_DIR / "samples/native/MOSVY_clients.csv"
CANONICAL_HEADER = (
    "record_id,national_id,full_name,sex,birth_date,birth_year,province_code,district_code,"
    "commune_code,occupation,registered_on,poverty_level,disability"
)


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype="string")


def request(data: bytes, source="MOSVY", name="MOSVY_clients.csv", **extra):
    extra.setdefault("today", TODAY)
    return importer.Request(data=data, file_name=name, kind="registrations", source=source,
                            key=KEY, **extra)  # fmt: skip


def stored(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select record_id, sex, birth_year, province_code, district_code, commune_code, "
            "occupation, registered_on from registrations order by record_id"
        ).fetchall()
    finally:
        con.close()


# ---- dates --------------------------------------------------------------------------------

# Excel serials by hand: serial 1 is 1900-01-01 and Excel counts a 29 February 1900 that
# never was (serial 60), so from serial 61 on, serial n is 1899-12-30 + n days.
# 1900-01-01 .. 2024-01-01 is 124 years with 30 leap days (1904 .. 2020; 1900 is not one):
# 124 x 365 + 30 = 45,290 days, and 1899-12-30 is 2 days before 1900-01-01: 45,292.
# Buddhist-era years are 543 more than CE: 2533 BE = 1990, 2567 BE = 2024.
GOOD_DATES = [
    ("YYYY-MM-DD", "1990-4-2", "1990-04-02"),
    ("YYYYMMDD", "19900412", "1990-04-12"),
    ("DD/MM/YYYY", "12/04/1990", "1990-04-12"),
    ("DD/MM/YYYY", "3/4/1990", "1990-04-03"),
    ("MM/DD/YYYY", "04/12/1990", "1990-04-12"),
    ("DD-MM-YYYY", "12-04-1990", "1990-04-12"),
    ("DD.MM.YYYY", "12.04.1990", "1990-04-12"),
    ("EXCEL_SERIAL", "45292", "2024-01-01"),
    ("EXCEL_SERIAL", "45292.75", "2024-01-01"),  # a time of day is dropped
    ("EXCEL_SERIAL", "59", "1900-02-28"),
    ("EXCEL_SERIAL", "61", "1900-03-01"),
    ("DD/MM/YYYY BE", "12/04/2533", "1990-04-12"),
    ("YYYYMMDD BE", "25670101", "2024-01-01"),
    ("YYYY-MM-DD BE", "2567-01-01", "2024-01-01"),
    ("YYYYMMDD", "១៩៩០០៤១២", "1990-04-12"),  # Khmer digits
    ("DD/MM/YYYY BE", "១២/០៤/២៥៣៣", "1990-04-12"),
    ("EXCEL_SERIAL", "៤៥២៩២", "2024-01-01"),
    ("DD/MM/YYYY", "1990-04-12", "1990-04-12"),  # a workbook's date cell, read as ISO
    ("YYYYMMDD", "", ""),
]
BAD_DATES = [
    ("DD/MM/YYYY", "31/02/1990", "not a date in the mapping's format DD/MM/YYYY"),
    ("MM/DD/YYYY", "13/01/1990", "not a date in the mapping's format MM/DD/YYYY"),
    ("YYYYMMDD", "1990412", "not a date in the mapping's format YYYYMMDD"),
    ("EXCEL_SERIAL", "60", "not a date in the mapping's format EXCEL_SERIAL"),
    ("DD.MM.YYYY", "12/04/1990", "not a date in the mapping's format DD.MM.YYYY"),
    ("DD/MM/YYYY", "12/04/2533", "year 2533 looks Buddhist-era: name the format DD/MM/YYYY BE"),
    ("DD/MM/YYYY BE", "12/04/2400", "date before 1900"),  # 1857
]


def test_every_named_format_and_its_buddhist_era_variant_is_offered():
    assert mappings.DATE_FORMATS == (
        "YYYY-MM-DD", "YYYYMMDD", "DD/MM/YYYY", "MM/DD/YYYY", "DD-MM-YYYY", "DD.MM.YYYY",
        "EXCEL_SERIAL",
    )  # fmt: skip
    formats = mappings.date_formats()
    assert len(formats) == 7 + 6  # no Buddhist-era serials
    assert "DD/MM/YYYY BE" in formats
    assert "EXCEL_SERIAL BE" not in formats


@pytest.mark.parametrize(("name", "text", "iso"), GOOD_DATES)
def test_a_date_in_its_named_format_becomes_iso(name, text, iso):
    mapping = mappings.Mapping(columns={"DOB": "birth_date"}, dates={"birth_date": name})
    mapped = mapping_apply.apply(frame(DOB=[text]), mapping)
    assert mapped.problems == []
    assert mapped.frame["birth_date"].tolist() == [iso]


@pytest.mark.parametrize(("name", "text", "reason"), BAD_DATES)
def test_a_date_not_in_its_format_is_a_problem_at_its_row_and_column(name, text, reason):
    mapping = mappings.Mapping(columns={"DOB": "birth_date"}, dates={"birth_date": name})
    mapped = mapping_apply.apply(frame(DOB=["", text]), mapping)
    # the second row of data is row 3 of the spreadsheet (the header is row 1)
    assert mapped.problems == [validation.Problem(3, "DOB", text, reason)]
    assert mapped.frame["birth_date"].tolist() == ["", ""]


def test_khmer_digits_are_read_in_canonical_dates_and_whole_numbers():
    data = frame(birth_year=["១៩៩០"], registered_on=["២០២៤-០៣-០២"])
    checker = validation.Checker(data, str, TODAY)
    assert checker.integer("birth_year", 1900, 2024).tolist() == [1990]
    assert checker.date("registered_on").tolist() == [pd.Timestamp(2024, 3, 2)]
    assert checker.problems == []


# ---- join, split, constants, values and defaults ---------------------------------------------


def test_join_leaves_out_empty_parts_and_names_its_columns():
    mapping = mappings.Mapping(
        join={"full_name": {"columns": ["FAMILY", "GIVEN"], "separator": " "}}
    )
    data = frame(FAMILY=["Sok", "Chan", "", " Keo "], GIVEN=["Sophea", "", "Dara", ""])
    mapped = mapping_apply.apply(data, mapping)
    assert mapped.frame["full_name"].tolist() == ["Sok Sophea", "Chan", "Dara", "Keo"]
    assert list(mapped.frame.columns) == ["full_name"]  # the parts are used up
    assert mapped.origin("full_name") == "FAMILY + GIVEN"
    assert mapping.origin("full_name") == "FAMILY + GIVEN"


def test_split_makes_each_part_and_reports_a_value_with_too_few():
    mapping = mappings.Mapping(
        split={"NAME_AND_DOB": {"separator": "|", "into": ["full_name", "birth_date"]}},
        dates={"birth_date": "YYYYMMDD"},
    )
    values = ["Sok Sophea|19900412", "Chan Dara", "", "Keo|19851130|x"]
    mapped = mapping_apply.apply(frame(NAME_AND_DOB=values), mapping)
    assert mapped.frame["full_name"].tolist() == ["Sok Sophea", "Chan Dara", "", "Keo"]
    assert mapped.frame["birth_date"].tolist() == ["1990-04-12", "", "", ""]
    assert mapped.origin("birth_date") == "NAME_AND_DOB"
    assert mapped.problems == [
        # a name is in it: the value is masked
        validation.Problem(3, "NAME_AND_DOB", validation.MASK,
                           "expected 2 parts separated by '|' (full_name, birth_date)"),
        # the last part takes the rest of the value
        validation.Problem(5, "NAME_AND_DOB", "19851130|x",
                           "not a date in the mapping's format YYYYMMDD"),
    ]  # fmt: skip


def test_constants_fill_a_missing_column_only():
    mapping = mappings.Mapping(
        constants={"occupation": "market_vendor", "registered_on": mappings.EXTRACT_DATE}
    )
    mapped = mapping_apply.apply(frame(record_id=["A", "B"]), mapping, EXTRACT)
    assert mapped.frame["occupation"].tolist() == ["market_vendor", "market_vendor"]
    assert mapped.frame["registered_on"].tolist() == ["2024-06-30", "2024-06-30"]
    assert mapped.problems == []
    kept = mapping_apply.apply(frame(occupation=["food_vendor"]), mapping, EXTRACT)
    assert kept.frame["occupation"].tolist() == ["food_vendor"]
    assert kept.origin("occupation") == "occupation"


def test_a_constant_is_the_fallback_of_a_column_the_file_may_have():
    mapping = mappings.Mapping(
        columns={"REG": "registered_on"},
        dates={"registered_on": "DD/MM/YYYY"},
        constants={"registered_on": mappings.EXTRACT_DATE},
    )
    has = mapping_apply.apply(frame(REG=["02/03/2024"]), mapping, EXTRACT)
    assert has.frame["registered_on"].tolist() == ["2024-03-02"]  # day 2, month 3
    assert has.origin("registered_on") == "REG"
    lacks = mapping_apply.apply(frame(record_id=["A"]), mapping, EXTRACT)
    assert lacks.frame["registered_on"].tolist() == ["2024-06-30"]
    assert lacks.origin("registered_on") == "registered_on (set by the mapping)"


def test_the_extract_date_constant_without_an_extract_date_says_to_give_one():
    mapping = mappings.Mapping(constants={"registered_on": mappings.EXTRACT_DATE})
    mapped = mapping_apply.apply(frame(record_id=["A"]), mapping)
    assert len(mapped.problems) == 1
    problem = mapped.problems[0]
    assert problem.row == 0  # the file's, not a row's
    assert "registered_on" in problem.reason
    assert "--extract-date YYYY-MM-DD" in problem.reason


def test_unknown_codes_take_the_default_and_each_is_noticed_with_its_rows():
    mapping = mappings.Mapping(
        columns={"JOB": "occupation"},
        values={"occupation": {"Trader": "market_vendor"}},
        defaults={"occupation": "other_informal"},
    )
    data = frame(JOB=["Trader", "tuk_tuk_driver", "pilot", "PILOT", "", "Pilot ", "Diver"])
    known = {"occupation": {"market_vendor", "tuk_tuk_driver"}}
    mapped = mapping_apply.apply(data, mapping, known=known)
    assert mapped.frame["occupation"].tolist() == [
        "market_vendor", "tuk_tuk_driver", "other_informal", "other_informal", "",
        "other_informal", "other_informal",
    ]  # fmt: skip
    assert mapped.problems == []
    assert mapped.notices == [  # pilot, PILOT and 'Pilot ' are one code, first on row 4
        validation.Problem(4, "JOB", "pilot",
                           "unknown code: 3 row(s) set to the default 'other_informal'"),
        validation.Problem(8, "JOB", "Diver",
                           "unknown code: 1 row(s) set to the default 'other_informal'"),
    ]  # fmt: skip


def test_a_default_without_a_value_table_keeps_known_codes():
    mapping = mappings.Mapping(defaults={"occupation": "other_informal"})
    data = frame(occupation=["tuk_tuk_driver", "pilot", ""])
    mapped = mapping_apply.apply(data, mapping, known={"occupation": {"tuk_tuk_driver"}})
    assert mapped.frame["occupation"].tolist() == ["tuk_tuk_driver", "other_informal", ""]
    assert [n.row for n in mapped.notices] == [3]


def test_notices_are_shown_but_reject_nothing():
    report = validation.Report("f.csv", "registrations", rows_read=7)
    report.notices.append(validation.Problem(4, "JOB", "pilot", "unknown code: 3 row(s) set"))
    assert report.ok
    assert report.counts() == {}
    assert report.lines() == [
        "f.csv: 0 problem(s) in 7 row(s), 1 notice(s)",
        "  note: f.csv, row 4, column 'JOB': value 'pilot': unknown code: 3 row(s) set",
    ]
    assert report.notices_frame().to_dict("records") == [
        {"file": "f.csv", "row": 4, "column": "JOB", "value": "pilot",
         "reason": "unknown code: 3 row(s) set"},
    ]  # fmt: skip


# ---- the document ---------------------------------------------------------------------------


def test_old_documents_read_as_before_and_a_document_round_trips():
    nssf = json.loads((settings.DATA_DIR / "mappings/NSSF.json").read_text("utf-8"))
    for kind in ("registrations", "uptake"):
        parsed = mappings.parse(json.dumps(nssf), kind)
        assert parsed.to_json() == nssf[kind]
    mosvy = mappings.parse(mappings.file_text("MOSVY"), "registrations")
    text = mappings.document({"registrations": mosvy})
    assert mappings.parse(text, "registrations") == mosvy
    assert mappings.parse(text, "uptake") == mappings.Mapping()


@pytest.mark.parametrize(
    ("part", "words"),
    [
        ({"colums": {}}, "unknown key 'colums'"),
        ({"columns": {"NAME": "fullname"}}, "'fullname', not one of the columns"),
        ({"dates": {"birth_date": "DD/MM/YY"}}, "'DD/MM/YY', not one of"),
        ({"dates": {"sex": "YYYYMMDD"}}, "'sex', not one of the columns birth_date"),
        ({"join": {"full_name": {"columns": ["full_name", "X"]}}}, "into itself"),
        ({"join": {"full_name": {"columns": ["X"]}}}, "two or more different 'columns'"),
        ({"split": {"A": {"separator": "|", "into": ["B", "sex"]}}}, "'B', not one of"),
        ({"split": {"sex": {"separator": "|", "into": ["sex", "full_name"]}}}, "into itself"),
        ({"split": {"A": {"separator": "", "into": ["sex", "full_name"]}}}, "(not empty)"),
        ({"constants": {"sex": "$extract_date"}}, "'sex', not a date, to the extract date"),
        ({"constants": {"registered_on": "$today"}}, "the only $ value is $extract_date"),
        ({"constants": {"registered_on": "1/2/2024"}}, "not a YYYY-MM-DD date"),
        ({"defaults": {"record_id": "X"}}, "'record_id', not one of the columns sex"),
        ({"columns": {"A": "sex"}, "ignore": ["A"]}, "uses the column 'A' twice"),
    ],
)
def test_a_bad_document_is_refused_in_a_plain_sentence(part, words):
    with pytest.raises(ValueError, match="the registrations mapping") as caught:
        mappings.parse(json.dumps({"registrations": part}), "uptake")  # every kind is checked
    assert words in str(caught.value)


# ---- messages name the file's own columns ---------------------------------------------------


def test_a_canonical_file_under_a_source_with_a_mapping_is_told_its_own_columns(tmp_path):
    """IDPOOR's mapping renames GENDER, REG_DATE and PROVINCE_NAME: this file has none."""
    row = "P-1,,Sok Sophea,X,1990-04-12,,77,,,market_vendor,02/03/2024,none,false"
    data = f"{CANONICAL_HEADER}\n{row}\n".encode()
    outcome = importer.run(request(data, source="IDPOOR", name="idpoor.csv"), tmp_path / "s.duckdb")
    assert outcome.result == "rejected"
    assert {(p.row, p.column) for p in outcome.report.problems} == {
        (2, "sex"), (2, "province_code"), (2, "registered_on"),
    }  # fmt: skip
    text = "\n".join(outcome.report.lines())
    for theirs in ("GENDER", "REG_DATE", "PROVINCE_NAME", "DOB"):
        assert theirs not in text
    header = CANONICAL_HEADER.replace(",registered_on", "")
    data = f"{header}\n{row.replace(',02/03/2024', '')}\n".encode()
    problem = importer.run(request(data, source="IDPOOR"), tmp_path / "s.duckdb").report.problems
    assert problem == [
        validation.Problem(1, "registered_on", "",
                           "required column is missing (the mapping takes it from REG_DATE)"),
    ]  # fmt: skip


def test_a_native_file_is_told_its_own_columns_joined_ones_included(tmp_path):
    data = SAMPLE.read_bytes().replace(b",Kandal,", b",Atlantis,")
    data = data.replace(b"SV-7004,", b"SV-7001,")  # a repeated record_id
    outcome = importer.run(request(data, extract_date=EXTRACT), tmp_path / "s.duckdb")
    assert [(p.row, p.column, p.value, p.reason) for p in outcome.report.problems] == [
        (3, "PROVINCE", "Atlantis", "unknown province (code or name)"),
        (5, "CLIENT_NO", "SV-7001", "duplicate record_id: it appears on an earlier row"),
    ]
    lines = SAMPLE.read_text("utf-8").splitlines()  # and a full_name column too
    both = "\n".join([lines[0] + ",full_name", *(line + ",x" for line in lines[1:])]) + "\n"
    mapped = mapping_apply.apply(readers.read_table(both.encode(), "f.csv"),
                            mappings.load("MOSVY", "registrations"), EXTRACT)  # fmt: skip
    assert mapped.problems == [
        validation.Problem(1, "FAMILY_NAME + GIVEN_NAME", "", "full_name would come from both "
                           "full_name and FAMILY_NAME + GIVEN_NAME: keep one"),
    ]  # fmt: skip


def test_a_join_whose_column_is_missing_names_it(tmp_path):
    text = SAMPLE.read_text("utf-8").replace("GIVEN_NAME", "FIRST_NAME")
    mapped = mapping_apply.apply(readers.read_table(text.encode(), "f.csv"),
                            mappings.load("MOSVY", "registrations"), EXTRACT)  # fmt: skip
    assert mapped.problems == [
        validation.Problem(1, "GIVEN_NAME", "", "the mapping makes full_name of FAMILY_NAME + "
                           "GIVEN_NAME, but the file has no column GIVEN_NAME"),
    ]  # fmt: skip


def test_a_date_the_mapping_cannot_read_is_reported_once_at_its_row(tmp_path):
    data = SAMPLE.read_bytes().replace(b"19980903", b"19981903")  # month 19, third row of data
    outcome = importer.run(request(data, extract_date=EXTRACT), tmp_path / "s.duckdb")
    assert outcome.result == "rejected"
    assert outcome.report.problems == [
        validation.Problem(4, "DOB", "19981903", "not a date in the mapping's format YYYYMMDD")
    ]


# ---- the native sample, end to end -----------------------------------------------------------

# data/samples/native/MOSVY_clients.csv by hand, through data/mappings/MOSVY.json: sex 1 = M,
# 2 = F; DOB YYYYMMDD (SV-7002's in Khmer digits: 1985); Kandal = 08, Kampot = 07; commune
# 120101 lies in district 1201, 080101 in 0801; "Rice seller" is no code the mapping knows,
# so it becomes other_informal; no registration date: the extract date, 2024-06-30.
EXPECTED = [
    ("SV-7001", "F", 1990, "12", "1201", "120101", "market_vendor", EXTRACT),
    ("SV-7002", "M", 1985, "08", "0801", "080101", "tuk_tuk_driver", EXTRACT),
    ("SV-7003", "F", 1998, "08", None, None, "other_informal", EXTRACT),
    ("SV-7004", "M", 2001, "07", None, None, "construction_worker", EXTRACT),
]
NOTICE = validation.Problem(
    4, "WORK", "Rice seller", "unknown code: 1 row(s) set to the default 'other_informal'"
)


def test_the_native_sample_maps_names_dates_and_codes():
    raw = readers.read_table(SAMPLE.read_bytes(), SAMPLE.name)
    mapped = mapping_apply.apply(raw, mappings.load("MOSVY", "registrations"), EXTRACT)
    assert mapped.frame["full_name"].tolist() == ["Sok Sophea", "Chan Dara", "Long Pisey",
                                                  "Meas Vanna"]  # fmt: skip
    assert mapped.frame["birth_date"].tolist() == [
        "1990-04-12", "1985-11-30", "1998-09-03", "2001-01-17",
    ]  # fmt: skip
    assert "REMARKS" not in mapped.frame.columns
    assert mapped.origin("full_name") == "FAMILY_NAME + GIVEN_NAME"
    assert mapped.origin("sex") == "GENDER"


def test_the_native_sample_imports_through_the_committed_mapping_with_no_script(tmp_path):
    path = tmp_path / "coverage.duckdb"
    data = SAMPLE.read_bytes()
    refused = importer.run(request(data), path)  # no extract date given
    assert refused.result == "rejected"
    assert "--extract-date" in refused.report.problems[0].reason
    outcome = importer.run(request(data, extract_date=EXTRACT), path)
    assert outcome.result == "accepted", outcome.report.lines()
    assert outcome.report.notices == [NOTICE]
    assert stored(path) == EXPECTED
    con = duckdb.connect(str(path), read_only=True)
    note = con.execute("select note from import_batches order by batch_id desc limit 1").fetchone()
    con.close()
    assert json.loads(note[0])["notices"] == [
        "WORK 'Rice seller': unknown code: 1 row(s) set to the default 'other_informal'"
    ]


def test_a_mapping_made_on_the_import_page_is_saved_and_used(tmp_path):
    """The wizard's path: a Mapping built in code, saved as a document, used by the import."""
    committed = mappings.load("MOSVY", "registrations")
    wizard = mappings.Mapping(**{**committed.__dict__, "dates": {"birth_date": "DD/MM/YYYY BE"}})
    mappings.save("MOSVY", mappings.document({"registrations": wizard}), "ana")
    text = SAMPLE.read_text("utf-8")
    for ce, be in [("19900412", "12/04/2533"), ("១៩៨៥១១៣០", "៣០/១១/២៥២៨"),
                   ("19980903", "03/09/2541"), ("20010117", "17/01/2544")]:  # fmt: skip
        text = text.replace(ce, be)  # the same dates in Buddhist-era years (CE + 543)
    outcome = importer.run(request(text.encode(), extract_date=EXTRACT), tmp_path / "s.duckdb")
    assert outcome.result == "accepted", outcome.report.lines()
    assert stored(tmp_path / "s.duckdb") == EXPECTED


def test_the_command_line_takes_an_extract_date(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "coverage.duckdb"))
    monkeypatch.setenv(pseudonym.ENV_VAR, KEY.hex())
    file = tmp_path / "MOSVY_clients.csv"
    file.write_bytes(SAMPLE.read_bytes())
    args = ["import", str(file), "--kind", "registrations", "--source", "MOSVY", "--full-extract"]
    assert cli.main(args) == 1
    assert "pass --extract-date YYYY-MM-DD" in capsys.readouterr().err
    assert cli.main([*args, "--extract-date", "2024-06-30"]) == 0
    out = capsys.readouterr().out
    assert "MOSVY_clients.csv: 0 problem(s) in 4 row(s), 1 notice(s)" in out
    assert (
        "  note: MOSVY_clients.csv, row 4, column 'WORK': value 'Rice seller': "
        "unknown code: 1 row(s) set to the default 'other_informal'"
    ) in out
    with pytest.raises(SystemExit):  # argparse: not an ISO date
        cli.main([*args, "--extract-date", "30/06/2024"])
    assert "not an ISO date (YYYY-MM-DD): '30/06/2024'" in capsys.readouterr().err
    parsed = cli.parser().parse_args(
        ["encode", str(file), "--source", "MOSVY", "--out", "x", "--extract-date", "2024-06-30"]
    )
    assert parsed.extract_date == EXTRACT


def test_an_agency_encodes_its_native_file_through_the_same_mapping():
    result = encoding.encode(SAMPLE.read_bytes(), SAMPLE.name, "MOSVY", KEY, TODAY,
                             extract_date=EXTRACT)  # fmt: skip
    assert result.report.problems == []
    assert result.report.notices == [NOTICE]
    rows = pq.read_table(io.BytesIO(result.content)).to_pydict()
    assert rows["registered_on"] == ["2024-06-30"] * 4
    assert rows["birth_year"] == ["1990", "1985", "1998", "2001"]
    assert rows["occupation"] == ["market_vendor", "tuk_tuk_driver", "other_informal",
                                  "construction_worker"]  # fmt: skip


def test_an_extract_date_after_today_is_refused(tmp_path):
    late = importer.run(
        request(SAMPLE.read_bytes(), extract_date=D(2024, 7, 2)), tmp_path / "s.duckdb"
    )
    assert late.result == "rejected"
    assert (
        late.report.problems[0].reason == "the extract date 2024-07-02 is after today (2024-07-01)"
    )
