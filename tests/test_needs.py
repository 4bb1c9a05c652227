"""The needs index on the three-province fixture (tests/needs_fixture.py), worked by hand.

Inputs, as-of 30 June 2024 (from the blocks in needs_fixture.py):
  province 01: estimate 200, covered 60 (a, c, e1, e2), registered 80, not covered 20 (b, d)
    gap 140, gap rate 0.7; IDPoor 40 of 80 = 0.5; disability among not covered 10/20 = 0.5;
    older: estimate 40 - covered 20 = 20, /140 = 1/7; women: 80 - 10 = 70, /140 = 0.5
  province 02: estimate 600, covered 130 (f, i), registered 200, not covered 70 (g, h)
    gap 470, rate 47/60; IDPoor 20/200 = 0.1; disability 0/70 = 0;
    older 100 - 0 = 100, /470; women 250 - 30 = 220, /470
  province 03: estimate 150, covered 12 (j), registered 27, not covered 15 (k)
    gap 138, rate 0.92; IDPoor 15/27; disability 15/15 = 1; older 0/138 = 0; women 50/138
"""

import datetime as dt

import pandas as pd
import pytest

from data_access import reads
from indicators import needs

JUNE = dt.date(2024, 6, 30)
CUT = reads.CoverageFilter(as_of=JUNE)


def by_code(frame):
    return frame.set_index("province_code")


def test_inputs_are_worked_from_the_blocks(needs_con):
    values = by_code(reads.load_needs(needs_con, CUT, 10))
    expected = {
        "01": [140, 0.7, 20, 0.5, 0.5, 1 / 7, 0.5],
        "02": [470, 47 / 60, 70, 0.1, 0.0, 100 / 470, 220 / 470],
        "03": [138, 0.92, 15, 15 / 27, 1.0, 0.0, 50 / 138],
    }
    for code, row in expected.items():
        assert [float(values.loc[code, k]) for k in needs.KEYS] == pytest.approx(row)
    assert not values[[f"{k}_suppressed" for k in needs.KEYS]].any().any()
    assert "KH" not in values.index


def hand_scores():
    """Min-max scores per input, worked from the inputs above (order 01, 02, 03)."""
    return {
        "gap_count": [2 / 332, 1, 0],
        "gap_rate": [0, (47 / 60 - 0.7) / 0.22, 1],
        "registered_not_covered_count": [5 / 55, 1, 0],
        "poverty_share": [0.4 / (15 / 27 - 0.1), 0, 1],
        "disability_share": [0.5, 0, 1],
        "older_share": [(1 / 7) / (100 / 470), 1, 0],
        "women_share": [1, (220 / 470 - 50 / 138) / (0.5 - 50 / 138), 0],
    }


def hand_index(weights):
    total = sum(weights.values())
    scores = hand_scores()
    return [100 * sum(weights[k] * scores[k][i] for k in scores) / total for i in range(3)]


def test_default_ranking_matches_the_hand_worked_index(needs_con):
    ranked = needs.rank(reads.load_needs(needs_con, CUT, 10), needs.default_weights())
    expected = dict(zip(["01", "02", "03"], hand_index(needs.default_weights()), strict=True))
    # 03: 25 + 20 + 10 = 55.0; 02: about 53.3; 01: about 32.0
    assert expected["03"] == pytest.approx(55.0)
    assert ranked["province_code"].tolist() == ["03", "02", "01"]
    assert ranked["needs_rank"].tolist() == [1, 2, 3]
    for code, value in expected.items():
        assert by_code(ranked).loc[code, "needs_index"] == pytest.approx(value)


def test_contributions_add_up_to_the_index(needs_con):
    ranked = needs.rank(reads.load_needs(needs_con, CUT, 10), needs.default_weights())
    total = ranked[[f"{k}_contribution" for k in needs.KEYS]].sum(axis=1)
    assert total.tolist() == pytest.approx(ranked["needs_index"].tolist())
    # province 03's 55 points: gap rate 25, IDPoor 20, disability 10
    row = by_code(ranked).loc["03"]
    assert row["gap_rate_contribution"] == pytest.approx(25)
    assert row["poverty_share_contribution"] == pytest.approx(20)
    assert row["disability_share_contribution"] == pytest.approx(10)


def test_changing_a_weight_reranks(needs_con):
    values = reads.load_needs(needs_con, CUT, 10)
    weights = needs.default_weights() | {"gap_count": 50.0}
    ranked = needs.rank(values, weights)
    # the largest gap (02, 470) now leads: 02 about 62.6, 03 = 55 x 100/125 = 44
    assert ranked["province_code"].tolist() == ["02", "03", "01"]
    assert by_code(ranked).loc["03", "needs_index"] == pytest.approx(44.0)
    assert by_code(ranked).loc["02", "needs_index"] == pytest.approx(hand_index(weights)[1])


def frame(**columns):
    base = {
        "province_code": ["01", "02", "03"],
        "province_name_en": ["A", "B", "C"],
    }
    data = pd.DataFrame(base)
    for key in needs.KEYS:
        data[key] = pd.array(columns.get(key, [1.0, 2.0, 3.0]), dtype="Float64")
        data[f"{key}_suppressed"] = False
    return data


def test_an_input_that_does_not_vary_is_shown_as_such_and_left_out():
    values = frame(women_share=[0.5, 0.5, 0.5])
    assert needs.status(values)["women_share"] == "constant"
    ranked = needs.rank(values, needs.default_weights())
    assert (ranked["women_share_contribution"] == 0).all()
    # the other six inputs rise 1, 2, 3 together: scores 0, 0.5, 1 whatever the weights
    assert by_code(ranked)["needs_index"].tolist() == pytest.approx([100, 50, 0])
    assert not ranked["needs_index"].isna().any()


def test_an_input_shown_nowhere_is_unavailable_and_left_out():
    values = frame(gap_count=[None, None, None])
    assert needs.status(values)["gap_count"] == "unavailable"
    ranked = needs.rank(values, needs.default_weights())
    assert ranked["needs_rank"].notna().all()


def test_a_hidden_input_ranks_its_province_on_the_others_with_weights_rescaled():
    values = frame(poverty_share=[0.2, None, 0.4])
    values.loc[1, "poverty_share_suppressed"] = True
    ranked = by_code(needs.rank(values, needs.default_weights()))
    # 02 scores 0.5 on the six other inputs, whose weights add up to 100 - 20 = 80:
    # index = sum(w x 0.5) / 80 x 100 = 50, and gap_count contributes 0.5 x 25 / 80 x 100
    assert ranked.loc["02", "needs_index"] == pytest.approx(50)
    assert ranked.loc["02", "gap_count_contribution"] == pytest.approx(15.625)
    assert pd.isna(ranked.loc["02", "poverty_share_contribution"])
    assert ranked.loc["02", "inputs_left_out"] == "poverty_share"
    assert ranked.loc["03", "inputs_left_out"] == ""
    assert ranked["needs_rank"].tolist() == [1, 2, 3]  # 03 (100), 02 (50), 01 (0)
    # min-max over the two shown values only: 0.2 -> 0, 0.4 -> 1
    assert ranked.loc["03", "poverty_share_contribution"] == pytest.approx(20)
    assert ranked.loc["01", "poverty_share_contribution"] == pytest.approx(0)


def test_a_zero_weight_drops_an_input():
    values = frame(women_share=[3.0, 2.0, 1.0])
    only = dict.fromkeys(needs.KEYS, 0.0) | {"women_share": 10.0}
    ranked = by_code(needs.rank(values, only))
    assert ranked["needs_index"].tolist() == pytest.approx([100, 50, 0])
    assert ranked.loc["01", "gap_count_contribution"] == 0


def test_women_share_is_constant_when_the_cut_is_women_only(needs_con):
    women = reads.CoverageFilter(as_of=JUNE, sex="F")
    values = reads.load_needs(needs_con, women, 10)
    assert needs.status(values)["women_share"] == "constant"


def test_the_group_tables_all_cells_show_the_coverage_pages_values(needs_con):
    # the same persons give the same cell key: the `all` group shows the coverage page's values
    table = reads.load_groups(needs_con, CUT, 10)
    coverage = by_code(reads.load_coverage(needs_con, CUT, 10))
    overall = by_code(table[table["group_code"] == "all"])
    for column in ("covered_count", "registered_count", "registered_not_covered_count"):
        assert overall[column].tolist() == coverage[column].tolist()
        assert overall[f"{column}_suppressed"].tolist() == coverage[f"{column}_suppressed"].tolist()
    ranked = needs.rank(needs.inputs(table), needs.default_weights())
    assert ranked["needs_rank"].notna().all()  # every province is ranked
