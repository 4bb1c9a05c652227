"""Coverage by vulnerable group, published by the cell-key method like the coverage table.

The coverage_by_group query gives, per province and the national row, counts for `all`
and for four splits of it (women / not women, older / not older, poor / not poor,
disability / no disability). Each count is perturbed on its own (indicators/disclosure.py):
the `all` cells are the very persons of the coverage page's cells, so they show the very
values shown there, and subtracting one split from `all` recovers noise, not people.
"""

import pandas as pd

from indicators import coverage_table, disclosure

COUNTS = coverage_table.COUNTS


def publish_groups(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The coverage_by_group rows with published counts and `<count>_suppressed` flags."""
    return disclosure.publish(frame, COUNTS, threshold)


def wide(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per province, one column per group, from a column of the group table."""
    return groups.pivot(index="province_code", columns="group_code", values=column)
