"""Settings an administrator keeps in the app database, over the defaults of `settings`."""

import settings
from appdb import database
from indicators import disclosure


def stored_min_count() -> int | None:
    """The threshold an administrator set in the app database, if any."""
    path = settings.app_db_path()
    if not path.exists():  # reading a setting never creates the database
        return None
    rows = database.execute("setting_value", {"name": settings.MIN_COUNT_SETTING}, path)
    return int(rows[0]["value"]) if rows else None


def min_count() -> int:
    """The disclosure threshold: an adjusted count below it is never shown.

    An administrator's setting (Admin page) wins over the default, so that the app,
    the command line and exports all publish alike. A threshold the perturbation table in
    force does not fit (below the one it was built for) is refused with ValueError.
    """
    stored = stored_min_count()
    value = settings.default_min_count() if stored is None else stored
    disclosure.check_threshold(value)
    return value


def set_min_count(value: int | None, updated_by: str | None) -> None:
    """Store the threshold (None: back to the default).

    Raises:
        ValueError: outside MIN_COUNT_RANGE, or below the threshold the perturbation table
            in force was built for (a combination that does not fit is refused).
    """
    if value is None:
        database.execute("setting_delete", {"name": settings.MIN_COUNT_SETTING})
        return
    low, high = settings.MIN_COUNT_RANGE
    if not low <= int(value) <= high:
        raise ValueError(f"the threshold must be from {low} to {high}")
    disclosure.check_threshold(int(value))
    params = {
        "name": settings.MIN_COUNT_SETTING,
        "value": str(int(value)),
        "updated_by": updated_by,
    }
    database.execute("setting_put", params)
