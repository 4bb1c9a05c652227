"""Map classes an analyst would choose: quantiles, equal intervals, natural breaks, fixed breaks.

Class limits come from mapclassify (PySAL), computed over the values a map shows (hidden
and missing values excluded); they are written into the legend labels. Missing or
suppressed values always form a class of their own, "No data / suppressed".
"""

import dataclasses
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.colors

NO_DATA = "No data / suppressed"
NO_DATA_COLOUR = "#bdbdbd"
SCHEMES = ("fixed", "quantiles", "equal_interval", "natural_breaks")
DEFAULT_K = 5
Formatter = Callable[[float], str]


def percent(value: float) -> str:
    """A class limit of a rate: 12.5%."""
    return f"{value:.1%}".replace(".0%", "%")


def number(value: float) -> str:
    """A class limit of an index or a count: 1,234.5 (no decimals for whole numbers)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def points(value: float) -> str:
    """A class limit of a change in rate: +1.5 pp."""
    return f"{100 * value:+.1f} pp".replace(".0 pp", " pp")


@dataclasses.dataclass(frozen=True)
class Classification:
    """Classes of a choropleth: upper bounds, legend labels and colours, plus no-data."""

    scheme: str
    bounds: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    over: str | None = None  # label of values above the last bound (fixed breaks), if any
    over_colour: str = "#7a0177"
    # "right": a class holds values up to and including its bound (mapclassify);
    # "left": from its lower limit up to but excluding its bound, the last bound included,
    # so a value that reaches a fixed break (a target) is in the class above it.
    closed: str = "right"
    no_data: str = NO_DATA  # label of missing or suppressed values (translated by callers)

    def classify(self, values: pd.Series) -> pd.Series:
        """The legend label of each value; missing values fall in the no-data class."""
        return values.map(self._label)

    def _label(self, value) -> str:
        if value is None or pd.isna(value):
            return self.no_data
        last = len(self.bounds) - 1
        for i, (bound, label) in enumerate(zip(self.bounds, self.labels, strict=True)):
            below = value < bound or (value == bound and (self.closed == "right" or i == last))
            if below:
                return label
        return self.over or self.labels[-1]

    def order(self) -> list[str]:
        """Legend order: the classes, the over class if any, then no data."""
        return [*self.labels, *([self.over] if self.over else []), self.no_data]

    def colour_map(self) -> dict[str, str]:
        """Colour of every legend label."""
        colours = dict(zip(self.labels, self.colours, strict=True))
        colours |= {self.no_data: NO_DATA_COLOUR}
        return colours | ({self.over: self.over_colour} if self.over else {})


def k_applies(values: pd.Series, scheme: str) -> bool:
    """Whether the number of classes changes the classes of `values` under `scheme`.

    Fixed limits set their own classes; with two distinct values or fewer, every k from
    2 up gives the same classes.
    """
    return scheme != "fixed" and pd.Series(values).dropna().nunique() > 2


def blues(k: int) -> tuple[str, ...]:
    """Return k sequential colours from light to dark blue."""
    if k == 1:
        return ("rgb(66, 146, 198)",)
    return tuple(plotly.colors.sample_colorscale("Blues", list(np.linspace(0.12, 1.0, k))))


def _labels(low: float, bounds: Sequence[float], fmt: Formatter) -> tuple[str, ...]:
    lows = [low, *bounds[:-1]]
    return tuple(f"{fmt(lo)}–{fmt(hi)}" for lo, hi in zip(lows, bounds, strict=True))


def build(
    values: pd.Series,
    scheme: str,
    k: int = DEFAULT_K,
    breaks: Sequence[float] | None = None,
    fmt: Formatter = number,
) -> Classification:
    """Classify the shown values with a scheme.

    Args:
        values: the values a map shows (missing ones are ignored).
        scheme: one of SCHEMES.
        k: the number of classes (quantiles, equal intervals, natural breaks); fewer when
            there are fewer distinct values.
        breaks: the upper class limits of the fixed scheme, ascending; values above the
            last one form an "over" class.
        fmt: formats a class limit for the legend.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; choose from {', '.join(SCHEMES)}")
    shown = np.asarray(values.dropna(), dtype=float)
    if scheme == "fixed":
        return fixed(breaks or [], fmt, low=min([0.0, *shown]))
    distinct = len(np.unique(shown))
    if distinct == 0:
        return Classification(scheme, (), (), ())
    if distinct == 1:
        return Classification(scheme, (shown[0],), (fmt(shown[0]),), blues(1))
    k = max(1, min(k, distinct))
    import mapclassify  # here, not at the top: it loads scipy and scikit-learn (about 0.6 s)

    methods = {
        "quantiles": mapclassify.Quantiles,
        "equal_interval": mapclassify.EqualInterval,
        "natural_breaks": mapclassify.FisherJenks,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns about ties and missing numba
        bounds = tuple(float(b) for b in methods[scheme](shown, k=k).bins)
    return Classification(scheme, bounds, _labels(shown.min(), bounds, fmt), blues(len(bounds)))


def fixed(breaks: Sequence[float], fmt: Formatter = number, low: float = 0.0) -> Classification:
    """Fixed class limits (e.g. from targets), left-closed; values above the last are 'over'."""
    bounds = tuple(sorted(float(b) for b in breaks))
    if not bounds:
        raise ValueError("fixed breaks need at least one class limit")
    labels = _labels(low, bounds, fmt)
    if low >= bounds[0]:  # nothing shown below the first limit: that class is open below
        labels = (f"< {fmt(bounds[0])}", *labels[1:])
    return Classification(
        "fixed", bounds, labels, blues(len(bounds)), over=f"> {fmt(bounds[-1])}", closed="left"
    )
