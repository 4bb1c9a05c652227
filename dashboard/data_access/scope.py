"""The provinces the signed-in user may see, pinned once per script run and applied by every read.

An account may be limited to some provinces (appdb/scopes.py), like DHIS2's data-output
organisation units. `ui.auth.gate()` pins the user's provinces for the run (`pin`) before
any page reads. Every `reads` function that returns province rows passes them through
`visible` (the user's provinces and the national row), and every one that takes a
province checks it (`check`, which records a refusal in the audit log). A thread in
which nothing is pinned reads no province row at all: a forgotten pin, a new entry point
or a file built outside the script run (a download made on click) fails with OutOfScope
instead of showing every province. Work done outside the run, like a briefing pack,
takes the provinces captured during the run (`provinces()`) and applies `restrict`.
"""

import threading
from collections.abc import Iterable

import pandas as pd

import settings
from appdb import audit, scopes

_pinned = threading.local()


class OutOfScope(PermissionError):
    """A province outside the signed-in user's scope, or a read with no scope pinned."""


def pin(user: str | None, provinces: Iterable[str] | None) -> None:
    """Pin this thread's reads to `provinces` (None: every province) on behalf of `user`."""
    _pinned.user = user
    _pinned.provinces = None if provinces is None else tuple(provinces)
    _pinned.is_set = True


def unpin() -> None:
    """Forget the pinned scope: the thread's reads of province rows fail until the next pin."""
    _pinned.is_set = False
    _pinned.user = _pinned.provinces = None


def provinces() -> tuple[str, ...] | None:
    """The pinned provinces (None: every province); OutOfScope when nothing is pinned."""
    if not getattr(_pinned, "is_set", False):
        raise OutOfScope("no province scope is pinned for this run: sign in first")
    return _pinned.provinces


def restrict(
    frame: pd.DataFrame, provinces: tuple[str, ...] | None, column: str = "province_code"
) -> pd.DataFrame:
    """The rows of `provinces` and the national row (every row when provinces is None)."""
    if provinces is None:
        return frame
    kept = frame[frame[column].isin([*provinces, settings.NATIONAL])]
    return kept.reset_index(drop=True)


def visible(frame: pd.DataFrame, column: str = "province_code") -> pd.DataFrame:
    """The rows of `frame` that the pinned scope shows (its provinces and the national row)."""
    return restrict(frame, provinces(), column)


def allows(province: str | None, limit: tuple[str, ...] | None) -> bool:
    """Whether a scope of `limit` provinces may see `province` (None or KH: the nation)."""
    return limit is None or province in (None, settings.NATIONAL, *limit)


def check(province: str | None) -> str | None:
    """The province, if the pinned scope may see it; else OutOfScope, recorded in the audit log."""
    limit = provinces()
    if not allows(province, limit):
        detail = {"province": province, "scope_provinces": ",".join(limit or ())}
        audit.record(getattr(_pinned, "user", None), scopes.REFUSED, detail)
        raise OutOfScope(f"province {province!r} is outside this account's scope")
    return province
