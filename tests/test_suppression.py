import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from indicators import protection, suppression


def column(values: dict[str, int]):
    """One column of provinces with a total cell 'T'."""
    cells = {(k, "n"): v for k, v in values.items()}
    cells[("T", "n")] = sum(values.values())
    relation = [(("T", "n"), [(k, "n") for k in values])]
    return cells, relation


def test_small_counts_are_hidden_and_zero_and_threshold_shown():
    cells, relation = column({"a": 0, "b": 9, "c": 10, "d": 1, "e": 50})
    hidden = suppression.suppress(cells, relation, threshold=10)
    assert ("b", "n") in hidden
    assert ("d", "n") in hidden
    assert ("a", "n") not in hidden
    assert ("c", "n") not in hidden


def test_a_lone_hidden_cell_gets_the_smallest_positive_complement():
    # T = 70 shown; b = 5 hidden alone would be 70 - 0 - 15 - 50
    cells, relation = column({"a": 0, "b": 5, "c": 15, "d": 50})
    hidden = suppression.suppress(cells, relation, threshold=10)
    assert hidden == {("b", "n"), ("c", "n")}


def test_complements_cascade_across_rows_and_columns():
    frame = pd.DataFrame(
        {
            "province_code": ["01", "02", "03", "KH"],
            "covered_count": [3, 40, 60, 103],
            "registered_not_covered_count": [30, 20, 70, 120],
            "registered_count": [33, 60, 130, 223],
        }
    )
    values = {
        (c, col): int(v)
        for col in protection.COUNTS
        for c, v in zip(frame["province_code"], frame[col], strict=True)
    }
    hidden = suppression.suppress(
        values, protection.coverage_relations(list(frame.province_code)), 10
    )
    # 01 covered (3) is primary; its row forces 01 not-covered (30) hidden; the covered
    # column forces 02 covered (40); 02's row then forces 02 not-covered (20); the
    # not-covered column then already holds two hidden cells (30, 20).
    assert hidden == {
        ("01", "covered_count"),
        ("01", "registered_not_covered_count"),
        ("02", "covered_count"),
        ("02", "registered_not_covered_count"),
    }


def test_suppressed_table_hides_derived_rates_and_flags_cells():
    frame = pd.DataFrame(
        {
            "province_code": ["01", "02", "KH"],
            "covered_count": [4, 100, 104],
            "registered_count": [50, 200, 250],
            "registered_not_covered_count": [46, 100, 146],
            "informal_workers_est": [100, 400, 500],
            "coverage_rate": [0.04, 0.25, 0.208],
            "registration_rate": [0.5, 0.5, 0.5],
            "coverage_gap_count": [96, 300, 396],
            "covered_share_of_registered": [0.08, 0.5, 0.416],
        }
    )
    out = protection.suppress_coverage(frame, 10).set_index("province_code")
    assert pd.isna(out.loc["01", "covered_count"])
    assert pd.isna(out.loc["01", "coverage_rate"])
    assert pd.isna(out.loc["01", "coverage_gap_count"])
    assert out.loc["01", "covered_count_suppressed"]
    assert out.loc["01", "suppressed"]
    # the complement in the covered column is 02 (the only other province)
    assert pd.isna(out.loc["02", "covered_count"])
    assert out.loc["KH", "covered_count"] == 104
    assert out.loc["01", "registration_rate"] == 0.5


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=12))
def test_no_relation_is_left_with_exactly_one_hidden_cell(counts):
    cells, relation = column(dict(enumerate(counts)))
    hidden = suppression.suppress(cells, relation, threshold=10)
    assert all(cell in hidden for cell, v in cells.items() if 0 < v < 10)
    for total, parts in relation:
        assert sum(c in hidden for c in [total, *parts]) != 1
