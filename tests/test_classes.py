"""Map classes: limits worked by hand, legend labels, the no-data class, the map legend."""

import datetime as dt

import pandas as pd
import pytest

from charts import classes, coverage_charts
from data_access import reads


def labels_of(values, cls):
    return cls.classify(pd.Series(values, dtype="Float64")).tolist()


def test_quantiles_split_at_the_20th_40th_percentiles():
    values = pd.Series(range(1, 11), dtype=float)
    cls = classes.build(values, "quantiles", k=5)
    # linear percentiles of 1..10: 1 + 9 x 0.2 = 2.8, 4.6, 6.4, 8.2, 10
    assert cls.bounds == pytest.approx((2.8, 4.6, 6.4, 8.2, 10))
    assert cls.labels[0] == "1–2.8"
    assert labels_of([3, 10, None], cls) == ["2.8–4.6", "8.2–10", classes.NO_DATA]


def test_equal_intervals_are_right_closed_like_mapclassify():
    cls = classes.build(pd.Series(range(0, 11), dtype=float), "equal_interval", k=5)
    assert cls.bounds == pytest.approx((2, 4, 6, 8, 10))
    assert labels_of([2, 2.01], cls) == ["0–2", "2–4"]


def test_natural_breaks_find_clusters():
    values = pd.Series([1, 1.1, 1.2, 5, 5.1, 9, 9.2])
    cls = classes.build(values, "natural_breaks", k=3)
    assert cls.bounds == pytest.approx((1.2, 5.1, 9.2))


def test_fixed_breaks_from_targets_put_a_reached_limit_in_the_class_above():
    cls = classes.build(pd.Series([0.1, 0.6]), "fixed", breaks=[0.5, 0.3], fmt=classes.percent)
    assert cls.labels == ("0%–30%", "30%–50%")
    assert labels_of([0.29, 0.3, 0.5, 0.6, None], cls) == [
        "0%–30%", "30%–50%", "30%–50%", "> 50%", classes.NO_DATA,
    ]  # fmt: skip
    assert cls.order() == ["0%–30%", "30%–50%", "> 50%", classes.NO_DATA]


def test_a_fixed_first_class_below_every_value_shown_reads_as_open_below():
    # changes of +1 and +3 points against limits at -2, 0, +2 points: nothing below -2
    rises = classes.build(pd.Series([0.01, 0.03]), "fixed", breaks=[-0.02, 0, 0.02],
                          fmt=classes.points)  # fmt: skip
    assert rises.labels[0] == f"< {classes.points(-0.02)}"
    assert rises.labels[1] == f"{classes.points(-0.02)}–{classes.points(0)}"
    # a fall of 5 points: the first class runs from it
    falls = classes.build(pd.Series([-0.05, 0.03]), "fixed", breaks=[-0.02, 0, 0.02],
                          fmt=classes.points)  # fmt: skip
    assert falls.labels[0] == f"{classes.points(-0.05)}–{classes.points(-0.02)}"


def test_fewer_distinct_values_than_classes_and_nothing_to_show():
    assert len(classes.build(pd.Series([1.0, 1.0, 2.0]), "quantiles", k=5).bounds) <= 2
    assert classes.build(pd.Series([3.0, 3.0]), "natural_breaks").labels == ("3",)
    empty = classes.build(pd.Series([None, None], dtype=float), "quantiles")
    assert empty.order() == [classes.NO_DATA]
    with pytest.raises(ValueError, match="unknown classification"):
        classes.build(pd.Series([1.0]), "jenks!")


def test_default_fixed_scheme_keeps_the_coverage_classes():
    cls = coverage_charts.coverage_classes("en")
    assert labels_of([0.0999, 0.1, 1.0, 1.2], cls) == [
        "0%–10%",
        "10%–20%",
        "75%–100%",
        "Over 100% (flagged)",
    ]
    assert labels_of([None], cls) == ["No data / suppressed"]


def test_map_legend_shows_class_limits_and_a_no_data_class(tiny_con):
    table = reads.load_coverage(tiny_con, reads.CoverageFilter(dt.date(2024, 6, 30)), 10)
    registered = table.assign(rate=table["registration_rate"])
    cls = classes.build(registered["rate"], "quantiles", k=3, fmt=classes.percent)
    fig = coverage_charts.coverage_map(
        registered, "T", "en", cls, value="rate", legend_title="Registered"
    )
    legend = [t.name for t in fig.data]
    # Phnom Penh's registered count is hidden: it falls in the no-data class
    assert classes.NO_DATA in legend
    assert all("–" in name for name in legend if name != classes.NO_DATA)
    assert fig.layout.legend.title.text == "Registered"


def test_typed_class_limits_are_read_leniently():
    from ui import map_controls

    assert map_controls._breaks("10, 20%; x, 5", percent=True) == [0.05, 0.1, 0.2]
    assert map_controls._breaks("25, 75", percent=False) == [25.0, 75.0]
    assert map_controls._breaks("", percent=False) == []
