"""CSV files are parsed by Arrow where it gives pandas' table, and by pandas elsewhere.

pandas' reading (readers._pandas_csv) is the reference the validator was built on: row
numbers are line numbers, blank lines are empty rows, short rows are padded, long rows
are refused with their row number. Arrow's parser (readers._arrow_csv) is several times
faster, so it reads every file it can read exactly as pandas does and hands the rest
back. The property: whenever it does not hand a file back, its table is pandas' table,
value for value, for any text hypothesis can write with quotes, delimiters, blank lines,
carriage returns, Khmer and control characters.
"""

import os

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest import readers

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))

pieces = st.sampled_from(
    ["a", "01", " ", "  x ", '"', '""', ",", ";", "\t", "\n", "\r\n", "\r", "ក្ខ", "é", "\x00",
     "NA", "null", "#", "'", "\\", "\u00a0", "\ufeff"]
)  # fmt: skip
texts = st.lists(pieces, max_size=40).map("".join)


def tables(text: str) -> tuple[pd.DataFrame | None, pd.DataFrame | str]:
    """Arrow's table (None: handed back) and pandas' table (or its refusal)."""
    data = text.encode("utf-8")
    first_line = text.removeprefix("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    header = readers._header(first_line, delimiter)
    try:
        reference = readers._pandas_csv(text.removeprefix("\ufeff"), delimiter)
    except readers.FileRejected as exc:
        return readers._arrow_csv(data, header, delimiter), str(exc)
    arrow = readers._arrow_csv(data, header, delimiter)
    trim = readers.without_trailing_blank_rows
    return (None if arrow is None else trim(arrow)), trim(reference)


@settings(max_examples=400 * SCALE, deadline=None)
@given(header=st.lists(st.sampled_from(["id", "name", "x y", '"q"', "k"]), min_size=1, max_size=4),
       body=texts)  # fmt: skip
@example(header=["id", "name"], body='\n1,"a ""b"" c"\n2,"line\nbreak"\n')
@example(header=["id", "name"], body='\n1,ab"c\n2, "x"\n')
@example(header=["id", "name"], body="\n1,2,3\n")
@example(header=["id", "name"], body="\n1\n")
@example(header=["id", "name"], body="\n1,2\n\n3,4\n")
@example(header=["id", "name"], body="\n1,2\r3,4\n")
def test_arrow_reads_a_csv_as_pandas_does_or_hands_it_back(header, body):
    arrow, reference = tables(",".join(header) + body)
    if arrow is None:
        return
    assert not isinstance(reference, str), f"Arrow read what pandas refuses: {reference}"
    assert list(arrow.columns) == list(reference.columns)
    for column in reference.columns:
        assert arrow[column].fillna("").tolist() == reference[column].fillna("").tolist()


@pytest.mark.parametrize(
    "text",
    [
        "id,name\n1,Sok\n2,Dara\n",
        '\ufeffid;name\r\n1;Sok\r\n2;"Da;ra"\r\n',
        "id\tname\n007\t\n",
    ],
)
def test_plain_files_are_read_by_arrow_and_keep_every_value_as_text(text):
    arrow, reference = tables(text)
    assert arrow is not None
    pd.testing.assert_frame_equal(arrow, reference, check_dtype=False)
    assert readers.read_table(text.encode("utf-8"), "f.csv").iloc[-1, 0] in ("2", "007")


def test_a_blank_line_inside_the_file_is_still_a_row_of_its_own():
    frame = readers.read_table(b"id,name\n1,Sok\n\n3,Dara\n\n\n", "f.csv")
    assert frame["id"].tolist() == ["1", "", "3"]  # row 3 of the file is blank; trailing ones go
