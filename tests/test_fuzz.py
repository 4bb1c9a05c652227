"""Fuzzing (hypothesis): random values for every filter, link parameter and command-line option.

The property everywhere: never a traceback. A filter gives either InvalidFilter naming
the value or a complete, consistent table; a shared link with any parameters renders;
the command line ends with exit code 0, a one-line `error: ...` (1) or argparse's usage
message (2).
"""

import datetime as dt
import os
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cli
from data_access import reads
from store import storage

SERVICES = ["A", "B"]
OCCUPATIONS = ["tuk_tuk_driver", "market_vendor", "food_vendor"]  # informal only
AGE_BANDS = ["15-24", "25-34", "35-44", "45-54", "55-64", "65+"]
SOURCES = ["S1", "S2"]
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))  # `make fuzz` explores 30 times as many


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: `examples` in the gate, SCALE times as many in `make fuzz`."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


FIXTURE = fuzz(60)

junk = st.text(alphabet=string.printable + "ក្ខ៖'\";%_*\\\x00", max_size=12)


def known_or_junk(known: list[str]):
    return st.one_of(st.none(), st.sampled_from(known), junk)


filters = st.builds(
    reads.CoverageFilter,
    as_of=st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    services=st.lists(st.one_of(st.sampled_from(SERVICES), junk), max_size=3).map(tuple),
    occupation=known_or_junk([*OCCUPATIONS, "formal_employee"]),
    sex=known_or_junk(["F", "M", "f", "X"]),
    age_band=known_or_junk([*AGE_BANDS, "0-14"]),  # 0-14: not a working age
    source=known_or_junk(SOURCES),
)


def known(f: reads.CoverageFilter) -> bool:
    return (
        set(f.services) <= set(SERVICES)
        and f.occupation in {None, *OCCUPATIONS}
        and f.sex in {None, "F", "M"}
        and f.age_band in {None, *AGE_BANDS}
        and f.source in {None, *SOURCES}
    )


@FIXTURE
@given(cut=filters)
def test_any_filter_gives_a_clear_error_or_a_consistent_table(tiny_con, cut):
    try:
        table, error = reads.load_coverage(tiny_con, cut, 10), ""
    except reads.InvalidFilter as exc:
        table, error = None, str(exc)
    if table is None:
        assert not known(cut)
        assert error.startswith("unknown ")
        assert "choose from" in error
        return
    assert known(cut)
    assert list(table["province_code"]) == [f"{i:02d}" for i in range(1, 26)] + ["KH"]
    shown = table.dropna(subset=["covered_count", "registered_count"])
    assert (shown["covered_count"] >= 0).all()
    assert (shown["covered_count"] <= shown["registered_count"]).all()
    counts = table[["covered_count", "registered_count"]]
    assert not ((counts > 0) & (counts < 10)).any().any()  # nothing under the threshold shown
    month_end = pd.Timestamp(cut.as_of) + pd.offsets.MonthEnd(0)
    assert (table["numerator_reference_date"] == month_end).all()


link_values = st.one_of(junk, st.sampled_from(["2024-06", "A,B", "A,,Z", "F", "25-34", "km"]))


@fuzz(12)
@given(
    params=st.dictionaries(
        st.sampled_from(["month", "services", "occupation", "sex", "age", "source", "lang", "x"]),
        link_values,
        max_size=4,
    )
)
def test_a_shared_link_with_any_parameters_renders(tiny_store, as_role, params):
    from streamlit.testing.v1 import AppTest

    from conftest import REPO

    at = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    as_role(at, "viewer")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert at.metric  # the coverage page rendered its figures


def option_values():
    dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
    numbers = st.integers(-(10**20), 10**20).map(str)
    return st.one_of(junk, dates, numbers, st.sampled_from(["12", "F", "NSSF", "pdf", "km"]))


TABLE_OPTIONS = [
    "--by", "--as-of", "--service", "--occupation", "--sex", "--age-band", "--source", "--format",
]  # fmt: skip


def argv_for(command: list[str], options: list[str]):
    pairs = st.lists(st.tuples(st.sampled_from(options), option_values()), max_size=4)
    return pairs.map(lambda ps: command + [x for pair in ps for x in pair])


def ends_cleanly(argv: list[str], capsys) -> None:
    """Exit code 0, or a one-line `error:` (1), or argparse's usage and message (2)."""
    try:
        code = cli.main(argv)
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    if code == 1:
        assert err.startswith("error: ")
        assert err.count("\n") == 1, err
    if code == 2:
        assert "usage: python -m dashboard" in err


@FIXTURE
@given(argv=argv_for(["table", "coverage"], TABLE_OPTIONS))
def test_table_with_any_options_ends_cleanly(tiny_store, capsys, argv):
    ends_cleanly(argv, capsys)


@fuzz(40)
@given(
    argv=st.one_of(
        argv_for(["user", "add", "ana", "--role"], ["viewer", "admin", "boss", "--no-password"]),
        st.tuples(st.sampled_from(["passwd", "unlock", "remove", "role"]), junk).map(
            lambda t: ["user", t[0], t[1]]
        ),
        st.lists(junk, max_size=3).map(lambda words: ["user", "role", *words]),
    )
)
def test_user_commands_with_any_values_end_cleanly(app_db, capsys, monkeypatch, argv):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long enough password\n"))
    ends_cleanly(argv, capsys)


@fuzz(60)
@given(
    argv=st.one_of(
        argv_for(["demo"], ["--people", "--seed", "--as-of"]),
        argv_for(["bench"], ["--people"]),
        argv_for(["brief"], ["--province", "--lang", "--format", "--as-of", "--out"]),
        argv_for(["export-parquet"], ["--if-missing"]),
        st.lists(junk, max_size=3),
    )
)
def test_every_command_rejects_bad_options_before_doing_anything(argv):
    """Parsing alone (commands that build or write are not run here): usage errors only."""
    try:
        cli.parser().parse_args(argv)
        code = 0
    except SystemExit as stop:
        code = stop.code
    assert code in (0, 2)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--seed", "-1"], "expected a whole number of 0 or more"),
        (["demo", "--as-of", "2018-12-31"], "on or after 2019-01-01"),
        (["demo", "--as-of", "9999-12-31"], "on or before"),
        (["table", "coverage", "--as-of", "1999-02-30"], "not an ISO date"),
    ],
)
def test_out_of_range_options_are_refused_with_a_reason(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_a_table_on_a_store_that_does_not_exist_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERAGE_DB", str(tmp_path / "none.duckdb"))
    assert cli.main(["table", "coverage"]) == 1
    assert capsys.readouterr().err.startswith("error: no store at ")
    assert not isinstance(storage.StoreMissing("x"), storage.StoreDamaged)


# --- Import files: importer.Request(data, file_name, kind, source, key=...), importer.run(
# request, path) -> Outcome(result in accepted/rejected/duplicate, report.problems).
HEADER = (
    "record_id,national_id,full_name,sex,birth_date,birth_year,province_code,district_code,"
    "commune_code,occupation,registered_on,poverty_level,disability"
)
ROWS = [
    "R-1,010203040,Sok Sophea,F,1990-04-12,,12,1201,120101,market_vendor,2024-03-02,none,false",
    "R-2,,ចាន់ ដារ៉ា,M,1985-11-30,,12,,,tuk_tuk_driver,2024-03-05,1,false",
    "R-3,110 223 344,Heng Vanna,M,,1979,17,,,food_vendor,2024-04-10,,false",
]
GOOD_FILE = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")


@st.composite
def mutated_files(draw) -> tuple[bytes, str]:
    """A registrations file with something wrong (or nothing), and the name it comes under."""
    data = bytearray(GOOD_FILE)
    how = draw(st.sampled_from(["flip", "truncate", "junk", "columns", "encoding", "none"]))
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "junk":
        data = bytearray(draw(st.binary(max_size=300)))
    elif how == "columns":
        names = HEADER.split(",")
        kept = draw(st.permutations(names).map(lambda p: p[: draw(st.integers(1, len(p)))]))
        data = bytearray(("\n".join([",".join(kept), *ROWS]) + "\n").encode("utf-8"))
    elif how == "encoding":
        data = bytearray(
            GOOD_FILE.decode("utf-8").encode(draw(st.sampled_from(["utf-16", "utf-8-sig"])))
        )
    name = draw(st.sampled_from(["file.csv", "file.xlsx", "file.parquet", "file.txt", "file"]))
    return bytes(data), name


EXTRA_FIELDS = (HEADER.rsplit(",", 6)[0] + "\n" + "\n".join(ROWS) + "\n").encode("utf-8")


@fuzz(25)
@given(file=mutated_files())
@example(file=(EXTRA_FIELDS, "file.csv"))  # found by fuzzing: rows longer than the header
def test_any_file_given_to_the_import_is_refused_with_reasons_or_imported(tmp_path_factory, file):
    from conftest import build_tiny_store
    from ingest import importer

    path = build_tiny_store(tmp_path_factory.mktemp("fuzz") / "coverage.duckdb")
    data, name = file
    request = importer.Request(
        data=data, file_name=name, kind="registrations", source="MLVT", key=bytes(32)
    )
    outcome = importer.run(request, path)
    assert outcome.result in {"accepted", "rejected", "duplicate"}
    if outcome.result == "rejected":
        assert outcome.report.problems
        assert all(str(p).strip() for p in outcome.report.problems)
