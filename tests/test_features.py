"""Linkage features: the vectorised `encode` equals the per-name definition, bit for bit.

Stored features of earlier batches are compared with new ones, so any difference, on any
name or date, would break linkage across batches. The property draws names built to hit
every boundary of the per-piece computation: Latin with accents (precomposed, combining,
compatibility forms), Khmer script with subscripts and a final subscript ro, every kind
of whitespace and zero-width character, punctuation, digits, empty and missing names.
"""

import datetime as dt
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkage import features

KEY = bytes(range(32))
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ACCENTED = "éèêëáàâäíîïóôöúùüçñÉÀÇÑßøæœİıΣσςﬁĳＡｂ\u0301\u0308\u0327¨´˘"
KHMER = "".join(chr(c) for c in range(0x1780, 0x17A3)) + "".join(
    chr(c) for c in [*range(0x17A5, 0x17B4), *range(0x17B6, 0x17D4), 0x17DD, 0x17E0, 0x17E9]
)
COENG_RO = "\u17d2\u179a"
WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
WHITESPACE += "".join(chr(c) for c in range(0x2000, 0x200B))
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
OTHER = "0123456789-'.,_/()\x00"
ANY = LATIN + ACCENTED + KHMER + WHITESPACE + ZERO_WIDTH + OTHER

token = st.tuples(
    st.text(st.sampled_from(LATIN + ACCENTED + KHMER + ZERO_WIDTH + OTHER), max_size=8),
    st.sampled_from(["", "", COENG_RO, "\u17d2\u1780", "\u17d2"]),
).map("".join)
separator = st.text(st.sampled_from(WHITESPACE + " " * 8), min_size=1, max_size=3)


@st.composite
def tokenised(draw) -> str:
    """Tokens, possibly ending in a subscript, between runs of any whitespace."""
    tokens = draw(st.lists(token, max_size=5))
    seps = draw(st.lists(separator, min_size=len(tokens) + 1, max_size=len(tokens) + 1))
    return "".join(s + t for s, t in zip(seps, [*tokens, ""], strict=True))


names = st.one_of(
    tokenised(),
    st.text(st.sampled_from(ANY), max_size=20),
    st.text(max_size=12),
    st.none(),
    st.just(float("nan")),
)
dates = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)))
rows = st.lists(st.tuples(names, dates), max_size=25)
BORN = dt.date(1990, 4, 12)


def undated(*names: str) -> list[tuple]:
    return [(name, None) for name in names]


def frame_of(rows: list, dtype: str = "object") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "full_name": pd.Series([n for n, _ in rows], dtype=dtype),
            "birth_date": pd.to_datetime(pd.Series([d for _, d in rows], dtype=object)),
        },
        index=pd.RangeIndex(100, 100 + 3 * len(rows), 3),
    )


def assert_same_features(frame: pd.DataFrame) -> None:
    fast = features.encode(frame, KEY)
    reference = features.encode_reference(frame, KEY)
    pd.testing.assert_frame_equal(fast, reference, check_exact=True)
    assert fast.dtypes.to_dict() == reference.dtypes.to_dict()
    assert fast["name_clk"].tolist() == reference["name_clk"].tolist()  # bytes or None
    for column in fast.columns.drop("name_clk"):
        assert fast[column].isna().tolist() == reference[column].isna().tolist()


@settings(max_examples=300 * SCALE, deadline=None)
@given(rows=rows, dtype=st.sampled_from(["object", "str"]))
@example(rows=[], dtype="object")
@example(rows=[], dtype="str")
@example(rows=[(None, None), (float("nan"), None), ("", None)], dtype="object")
# A final subscript ro is silent before a plain space only: before a tab or an ideographic
# space the whole name keeps it, so pieces are cut at plain spaces and nothing else.
@example(rows=undated("ពេជ្រ\tវណ្ណា", "ពេជ្រ\u3000វណ្ណា", "ពេជ្រ\xa0វណ្ណា"), dtype="object")
@example(rows=undated("ពេជ្រ វណ្ណា", "ពេជ្រ", "វណ្ណា ពេជ្រ\n"), dtype="str")
# NFC turns U+2000 into U+2002; a combining mark after a space composes with nothing.
@example(rows=undated("\u2000a\u2001b", "a\u200bb c", "a\u0301 \u0301b"), dtype="object")
# Final sigma, a dotted capital I, ligatures, compatibility forms that decompose to a space.
@example(rows=undated("ΑΣ Σα", "İstanbul ﬁne", "¨a ´b", "Ａｂ"), dtype="str")
@example(rows=[("Bench Person 12", BORN), ("123 - 45", dt.date(1990, 4, 13))], dtype="str")
@example(rows=[("Sok Sophea", dt.date(1990, 12, 4)), ("sok  sophéa", BORN)], dtype="str")
def test_encode_equals_the_per_name_definition(rows, dtype):
    assert_same_features(frame_of(rows, dtype))


FAMILY = ["Sok", "Chan", "Kim", "Heng", "Ly", "Meas", "Long", "Sin", "Keo", "Pich", "Chea", "Seng"]
GIVEN = ["Sophea", "Dara", "Vanna", "Chantha", "Vichet", "Sreymom", "Bopha", "Rithy", "Sokha"]
FAMILY_KM = ["សុខ", "ចាន់", "គីម", "ហេង", "លី", "មាស", "ឡុង", "ស៊ិន", "កែវ", "ពេជ្រ", "ជា", "សេង"]
GIVEN_KM = ["សុភា", "ដារ៉ា", "វណ្ណា", "ចន្ថា", "វិចិត្រ", "ស្រីមុំ", "បុប្ផា", "រិទ្ធី", "សុខា"]


def real_looking_names(count: int) -> list[str]:
    """Names as registries write them: either script, either order, case, accents, gaps."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(count):
        khmer = rng.random() < 0.4
        family = rng.choice(FAMILY_KM if khmer else FAMILY)
        given = rng.choice(GIVEN_KM if khmer else GIVEN)
        parts = [family, given] if rng.random() < 0.7 else [given, family]
        if not khmer and rng.random() < 0.2:
            parts = [p.upper() for p in parts]
        if not khmer and rng.random() < 0.1:
            parts[-1] = parts[-1].replace("e", "é")
        sep = rng.choice([" ", " ", " ", "  ", "-", "\t", "\xa0"])
        out.append(sep.join(parts) + (f" {i}" if rng.random() < 0.1 else ""))
    return out


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_encode_equals_the_reference_on_real_looking_names(dtype):
    names = real_looking_names(400)
    born = pd.Timestamp("1960-01-01") + pd.to_timedelta(np.arange(400) * 37 % 16_000, "D")
    frame = pd.DataFrame({"full_name": pd.Series(names, dtype=dtype), "birth_date": born})
    frame.loc[::17, "birth_date"] = pd.NaT
    assert_same_features(frame)


ids = st.one_of(
    st.none(),
    st.just(""),
    st.text(st.sampled_from("0123456789AZ"), min_size=1, max_size=20),
    st.text(max_size=10),
)


@settings(max_examples=100 * SCALE, deadline=None)
@given(values=st.lists(ids, max_size=20))
@example(values=["7180320", "7180230", "1123", "1111", "", None, "e\u0301\x00"])
def test_id_variants_computed_at_once_equal_the_per_id_definition(values):
    frame = pd.DataFrame(
        {
            "full_name": None,
            "birth_date": pd.NaT,
            "national_id": pd.Series(values, dtype=object),
        },
        index=pd.RangeIndex(7, 7 + len(values)),
    )
    assert_same_features(frame)


def variants(ids: list[str]) -> list[str | None]:
    frame = pd.DataFrame({"full_name": None, "birth_date": pd.NaT, "national_id": ids})
    return features.encode(frame, KEY)["id_variants"].tolist()


def test_ids_one_typo_apart_share_a_variant_and_others_do_not():
    one, digit, swapped, two, other, short = variants(
        ["718032049", "718032949", "718302049", "718132949", "512976384", "7180"]
    )
    assert features.ids_near(one, digit)  # one digit changed
    assert features.ids_near(one, swapped)  # two adjacent digits swapped
    assert not features.ids_near(one, two)  # two digits changed
    assert not features.ids_near(one, other)
    assert not features.ids_near(one, None)
    assert len(one) == 9 * features.VARIANT_DIGITS  # nine distinct deletions
    assert len(short) == 4 * features.VARIANT_DIGITS
    assert "718032049" not in one


def birth_variants(*dates: str) -> list[list[str]]:
    frame = pd.DataFrame({"full_name": None, "birth_date": pd.to_datetime(list(dates))})
    step = features.VARIANT_DIGITS
    return [
        [text[i : i + step] for i in range(0, len(text), step)]
        for text in features.encode(frame, KEY)["birth_variants"]
    ]


def test_near_birth_dates_share_the_variants_their_comparison_levels_read():
    date, digit, year, day, month_day, swapped = birth_variants(
        "1990-04-12", "1990-04-17", "1980-04-12", "1990-04-29", "1989-04-12", "1990-12-04"
    )
    near = len(features.DATE_DIGITS)  # one-digit variants, then year-month, month-day

    def shared(a: list[str], b: list[str]) -> list[int]:
        return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x == y]

    assert shared(date, digit) == [near - 1, near]  # the last digit; the same year and month
    assert shared(date, year) == [0, near + 1]  # the decade; the same month and day
    assert shared(date, day) == [near]
    assert shared(date, month_day) == [near + 1]
    assert shared(date, swapped) == []  # the swap has its own hash
    assert all(len(v) == features.VARIANT_DIGITS for v in date)
    assert len(date) == near + 2
