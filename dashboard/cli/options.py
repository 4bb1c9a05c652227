"""Argument types and shared values of the command line's options."""

import argparse
import datetime as dt

import settings

# The roles of accounts.ROLES, repeated so that `--help` needs no import of the app's modules.
ROLES = ("viewer", "analyst", "data_manager", "admin")


def last_month_end(today: dt.date) -> dt.date:
    """The last day of the latest complete month on or before today."""
    next_day = today + dt.timedelta(days=1)
    return today if next_day.month != today.month else today.replace(day=1) - dt.timedelta(days=1)


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def positive(text: str) -> int:
    """A whole number of 1 or more."""
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def non_negative(text: str) -> int:
    """A whole number of 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return int(text)


def data_date(text: str) -> dt.date:
    """A demo's data date: from the first month of figures to the end of next year."""
    value = iso_date(text)
    first = settings.SERIES_START
    last = dt.date(dt.date.today().year + 1, 12, 31)
    if not first <= value <= last:
        raise argparse.ArgumentTypeError(
            f"the data date must be on or after {first} and on or before {last}, got {text!r}"
        )
    return value


def listed(values: list[str] | None) -> list[str]:
    """Values of a repeatable option, each of which may list several separated by commas."""
    out = [v.strip() for value in values or () for v in value.split(",")]
    return list(dict.fromkeys(v for v in out if v))


def codes(values: list[str] | None) -> list[str]:
    """Province codes from repeated and comma-separated --province options."""
    return [code for value in values or () for code in value.split(",") if code.strip()]


EXTRACT_HELP = "the day the agency extracted the file (a mapping may set registered_on to it)"
