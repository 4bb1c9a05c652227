"""The Import page's mapping wizard (issue 17): upload, see the first rows, pick a canonical
field per column, preview the mapped rows and the validation report, save for the source.

No name and no ID number of the file is ever shown: the rendered page is searched for them.
"""

import datetime as dt
import html
import json

import pandas as pd
import pytest
from google.protobuf import json_format
from streamlit.testing.v1 import AppTest

import conftest
from appdb import audit
from ingest import mapping_apply, mappings, validation
from markdown_text import shown
from ui import mapping_wizard

pytestmark = pytest.mark.app

FILE = (
    b"REC_NO,GIVEN,FAMILY,ID_CARD,GENDER,DOB,PROV,JOINED,REMARKS\n"
    b"R-1,Sophearith,Sokhom,918273645,2,19900412,12,20240302,first\n"
    b"R-2,Daravuth,Chanthou,564738291,1,19851130,17,20240305,\n"
    b"R-3,Vannak,Hengly,,1,19790101,12,20240410,moved\n"
)
SECRETS = ["Sophearith", "Sokhom", "Daravuth", "Chanthou", "Vannak", "Hengly", "918273645",
           "564738291"]  # fmt: skip
KEY = "import_data_wizard_S1_registrations"  # source S1 of the tiny store, registrations
CHOICES = {
    "REC_NO": "record_id", "GIVEN": mapping_wizard.JOIN, "FAMILY": mapping_wizard.JOIN,
    "ID_CARD": "national_id", "GENDER": "sex", "DOB": "birth_date", "PROV": "province_code",
    "JOINED": "registered_on", "REMARKS": mapping_wizard.IGNORE,
}  # fmt: skip
MASK = validation.MASK


def rendered(at: AppTest) -> str:
    """Every element's message (labels, values, options, text) and every table's cells."""
    texts = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.append(json_format.MessageToJson(proto, ensure_ascii=False))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    texts += [frame.value.to_csv() for frame in at.dataframe]
    return html.unescape("\n".join(texts))  # labels are escaped: "ID&#95;CARD"


def assert_nothing_identifying(at: AppTest) -> None:
    text = rendered(at)
    assert "R-2" in text  # the search does see the tables' cells (record ids are shown)
    assert "Column ID_CARD" in text  # and the labels inside the wizard's expander
    assert [s for s in SECRETS if s in text] == []


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def open_import_page(as_role) -> AppTest:
    at = AppTest.from_file(str(conftest.REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    at.file_uploader(key="import_data_file").upload("agency.csv", FILE, "text/csv")
    at.run()
    assert at.selectbox(key="import_data_source").value == "S1"
    return at


def test_the_wizard_maps_previews_checks_and_saves_without_showing_names_or_ids(
    tiny_store, as_role
):
    at = open_import_page(as_role)
    assert not at.exception
    first = table_with(at, "GIVEN")  # the file's first rows, before any choice
    assert list(first["REC_NO"]) == ["R-1", "R-2", "R-3"]
    assert list(first["GIVEN"]) == [MASK] * 3  # named like a name: hidden from the start
    assert list(first["ID_CARD"]) == [MASK, MASK, ""]
    assert list(first["DOB"]) == ["19900412", "19851130", "19790101"]
    assert_nothing_identifying(at)

    for column, choice in CHOICES.items():
        at.selectbox(key=f"{KEY}_col_{column}").set_value(choice)
    at.run()
    for field in ("birth_date", "registered_on"):
        at.selectbox(key=f"{KEY}_date_{field}").set_value("YYYYMMDD")
    at.selectbox(key=f"{KEY}_value_sex_1").set_value("M")
    at.selectbox(key=f"{KEY}_value_sex_2").set_value("F")
    at.run()
    assert not at.exception
    preview = table_with(at, "full_name")  # the mapped first rows
    assert "REMARKS" not in preview.columns
    assert list(preview["record_id"]) == ["R-1", "R-2", "R-3"]
    assert list(preview["full_name"]) == [MASK] * 3
    assert list(preview["national_id"]) == [MASK, MASK, ""]
    assert list(preview["sex"]) == ["F", "M", "M"]
    assert list(preview["birth_date"]) == ["1990-04-12", "1985-11-30", "1979-01-01"]
    assert list(preview["registered_on"]) == ["2024-03-02", "2024-03-05", "2024-04-10"]
    assert_nothing_identifying(at)

    at.button(key="import_data_wizard_check").click().run()  # a dry run of the whole file
    assert [s.value for s in at.success] == [
        "Dry run: the file has no problem and would be accepted (3 rows). Nothing was written."
    ]
    assert_nothing_identifying(at)

    at.button(key="import_data_wizard_save").click().run()
    assert not at.exception
    assert at.success[0].value == (
        "Mapping saved for S1: every later import of this source uses it."
    )
    expected = {
        "registrations": {
            "columns": {"REC_NO": "record_id", "ID_CARD": "national_id", "GENDER": "sex",
                        "DOB": "birth_date", "PROV": "province_code",
                        "JOINED": "registered_on"},
            "join": {"full_name": {"columns": ["GIVEN", "FAMILY"], "separator": " "}},
            "dates": {"birth_date": "YYYYMMDD", "registered_on": "YYYYMMDD"},
            "values": {"sex": {"1": "M", "2": "F"}},
            "ignore": ["REMARKS"],
        }
    }  # fmt: skip
    in_force = mappings.text_in_force("S1")
    assert json.loads(in_force) == expected
    assert at.text_area(key="import_data_mapping_S1").value == in_force  # the editor shows it
    saves = audit.recent("mapping_save")
    assert list(saves["user_name"]) == ["data_manager-user"]
    assert in_force not in saves["detail"].iloc[0]  # hashes, not the text
    assert_nothing_identifying(at)

    # the saved mapping is in force: the page's own dry run imports the raw file with it
    at.radio(key="import_data_mode").set_value("additions")
    at.checkbox(key="import_data_dry_run").check()
    at.button(key="import_data_run").click().run()
    assert not at.exception
    assert "would be accepted (3 rows)" in at.success[0].value
    assert_nothing_identifying(at)


def test_a_required_date_the_file_lacks_is_the_extract_date(tiny_store, as_role):
    at = open_import_page(as_role)
    choices = CHOICES | {"JOINED": mapping_wizard.IGNORE}  # as if the file had no such date
    for column, choice in choices.items():
        at.selectbox(key=f"{KEY}_col_{column}").set_value(choice)
    at.run()
    at.checkbox(key=f"{KEY}_extract_registered_on").check()
    at.date_input(key="import_data_extract_date").set_value(dt.date(2024, 6, 30))
    at.selectbox(key=f"{KEY}_date_birth_date").set_value("YYYYMMDD")
    at.run()
    assert not at.exception
    document = json.loads(at.code[0].value)["registrations"]
    assert document["constants"] == {"registered_on": "$extract_date"}
    assert document["ignore"] == ["JOINED", "REMARKS"]
    preview = table_with(at, "full_name")
    assert list(preview["registered_on"]) == ["2024-06-30"] * 3
    assert_nothing_identifying(at)


def test_the_wizard_starts_from_the_mapping_in_force(tiny_store, as_role):
    text = json.dumps({"registrations": {
        "columns": {"REC_NO": "record_id", "GENDER": "sex"},
        "join": {"full_name": {"columns": ["FAMILY", "GIVEN"], "separator": " "}},
        "values": {"sex": {"2": "F"}}, "defaults": {"sex": "M"}, "ignore": ["REMARKS"],
    }, "uptake": {"columns": {"MEMBER": "record_id"}}})  # fmt: skip
    mappings.save("S1", text, "someone")
    at = open_import_page(as_role)
    assert at.selectbox(key=f"{KEY}_col_REC_NO").value == "record_id"
    assert at.selectbox(key=f"{KEY}_col_FAMILY").value == mapping_wizard.JOIN
    assert at.selectbox(key=f"{KEY}_col_REMARKS").value == mapping_wizard.IGNORE
    assert at.selectbox(key=f"{KEY}_col_DOB").value == mapping_wizard.NONE
    assert at.selectbox(key=f"{KEY}_value_sex_2").value == "F"
    assert at.selectbox(key=f"{KEY}_value_sex_1").value == ""
    assert at.selectbox(key=f"{KEY}_default_sex").value == "M"
    document = json.loads(at.code[0].value)
    # the join keeps its order, and the other kind's mapping stays as it was
    assert document["registrations"]["join"]["full_name"]["columns"] == ["FAMILY", "GIVEN"]
    assert document["uptake"] == {"columns": {"MEMBER": "record_id"}}
    # code 2 is in the table, code 1 is not: it takes the default, and the wizard says so
    assert list(table_with(at, "full_name")["sex"]) == ["F", "M", "M"]
    notes = table_with(at, "reason")
    assert list(notes["value"]) == ["1"]
    assert "2 row(s) set to the default 'M'" in notes["reason"].iloc[0]
    assert_nothing_identifying(at)


def test_an_agency_account_sees_no_wizard_for_another_agency(tiny_store, as_role):
    from appdb import accounts

    at = open_import_page(as_role)
    assert at.selectbox(key=f"{KEY}_col_REC_NO")
    accounts.set_scope("data_manager-user", "S2")
    at.run()
    at.selectbox(key="import_data_source").select("S1").run()
    assert not [s for s in at.selectbox if (s.key or "").startswith(KEY)]
    at.selectbox(key="import_data_source").select("S2").run()
    assert at.selectbox(key="import_data_wizard_S2_registrations_col_REC_NO")


def test_an_unreadable_file_is_said_in_words(tiny_store, as_role):
    at = open_import_page(as_role)
    upload = ("agency.csv", b"\xff\xfeA,B\n", "text/csv")
    at.file_uploader(key="import_data_file").set_value(upload).run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "wrong encoding: the file is not UTF-8 (byte 1 is invalid); save it as CSV UTF-8 "
        "(Excel: 'CSV UTF-8 (Comma delimited)')"
    ]
    assert not [s for s in at.selectbox if (s.key or "").startswith(KEY)]


# ---- the pieces, without the page -------------------------------------------------------


def test_names_and_ids_are_hidden_by_header_and_by_choice():
    columns = ["MEMBER_NAME", "ឈ្មោះ", "ID_CARD_NO", "NID", "REC_NO", "NOTE", "X",
               "PROVINCE_NAME", "FamilyName"]  # fmt: skip
    hidden = mapping_wizard.masked_columns(columns, {"X": "national_id", "NOTE": "sex"}, {})
    assert hidden == {"MEMBER_NAME", "ឈ្មោះ", "ID_CARD_NO", "NID", "X", "FamilyName"}
    split = {"split": {"NOTE": {"separator": "|", "into": ["full_name", "birth_date"]}}}
    assert "NOTE" in mapping_wizard.masked_columns(columns, {}, split)
    frame = pd.DataFrame({"X": ["a", ""], "NOTE": ["b", "c"]})
    assert mapping_wizard.masked(frame, {"X"}).to_dict("list") == {
        "X": [MASK, ""], "NOTE": ["b", "c"]
    }  # fmt: skip


def test_one_name_part_is_a_rename_and_canonical_headers_need_no_entry():
    choices = {"NAME": mapping_wizard.JOIN, "sex": "sex", "B": mapping_wizard.NONE}
    part = mapping_wizard.build_part(choices, {}, {}, ({}, {}), {})
    assert part == {"columns": {"NAME": "full_name"}}


def test_a_default_replaces_only_codes_the_import_would_refuse():
    # "female" and "ស្រី" are sex codes the import reads: a default must not replace them
    mapping = mappings.Mapping(
        columns={"G": "sex"}, values={"sex": {"2": "F"}}, defaults={"sex": "M"}
    )
    frame = pd.DataFrame({"G": ["female", "ស្រី", "x", "2"]})
    known = mapping_wizard.known_codes("registrations")
    assert list(mapping_apply.apply(frame, mapping, None, known).frame["sex"]) == [
        "female", "ស្រី", "M", "F"
    ]  # fmt: skip


def test_an_uptake_file_without_its_service_takes_one_code_for_every_row(tiny_store, as_role):
    at = AppTest.from_file(str(conftest.REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "data_manager")
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    at.selectbox(key="import_data_kind").select("uptake").run()
    data = b"MEMBER,FROM\nS1-1,01/02/2024\nS1-2,15/03/2024\n"  # persons of S1 in the tiny store
    at.file_uploader(key="import_data_file").upload("up.csv", data, "text/csv").run()
    key = "import_data_wizard_S1_uptake"
    at.selectbox(key=f"{key}_col_MEMBER").set_value("record_id")
    at.selectbox(key=f"{key}_col_FROM").set_value("started_on").run()
    assert at.selectbox(key=f"{key}_const_service_code").options == ["", "A", "B"]  # catalogue
    at.selectbox(key=f"{key}_const_service_code").set_value("B")
    at.selectbox(key=f"{key}_date_started_on").set_value("DD/MM/YYYY").run()
    assert json.loads(at.code[0].value) == {"uptake": {
        "columns": {"MEMBER": "record_id", "FROM": "started_on"},
        "dates": {"started_on": "DD/MM/YYYY"}, "constants": {"service_code": "B"},
    }}  # fmt: skip
    preview = table_with(at, "service_code")
    assert preview.to_dict("list") == {"record_id": ["S1-1", "S1-2"],
                                       "started_on": ["2024-02-01", "2024-03-15"],
                                       "service_code": ["B", "B"]}  # fmt: skip
    at.button(key="import_data_wizard_check").click().run()
    assert not at.exception
    assert "would be accepted (2 rows)" in at.success[0].value
