"""Turns suppressed frames into text tables: a marker for hidden cells, a dash for missing."""

import pandas as pd

KINDS = ("text", "count", "rate", "points", "date")


def cell(value, kind: str, hidden: bool, marker: str) -> str:
    """One value as text.

    Args:
        value: the value (missing values show a dash).
        kind: "text", "count" (1,234), "rate" (12.3%, ⚑ above 100%), "points" (+1.2 pp),
            or "date" (2024-06-30).
        hidden: whether the value is suppressed (shows the marker).
        marker: the suppression marker.
    """
    if hidden:
        return marker
    if value is None or pd.isna(value):
        return "–"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{value:.1%}" + (" ⚑" if value > 1 else "")
    if kind == "points":
        return f"{100 * value:+.1f} pp"
    if kind == "date":
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return str(value)


def labelled(columns: dict[str, tuple[str, str]], label) -> dict[str, tuple[str, str]]:
    """Columns given as (i18n key, kind) with each key turned into its label by `label`."""
    return {column: (label(key), kind) for column, (key, kind) in columns.items()}


def table(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    marker: str,
    hidden_by: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """A display table.

    Args:
        frame: the data, with `<count>_suppressed` flag columns where counts may be hidden.
        columns: column -> (label, kind), in display order.
        marker: the suppression marker.
        hidden_by: column -> the flag columns that hide it; by default a column's own
            `<column>_suppressed` flag if present. A derived rate is hidden with its counts.
    """
    hidden_by = hidden_by or {}
    out = pd.DataFrame(index=frame.index)
    for column, (label, kind) in columns.items():
        flags = hidden_by.get(column) or [f for f in [f"{column}_suppressed"] if f in frame]
        hidden = frame[flags].any(axis=1) if flags else pd.Series(False, index=frame.index)
        out[label] = [
            cell(v, kind, bool(h), marker) for v, h in zip(frame[column], hidden, strict=True)
        ]
    return out.reset_index(drop=True)
