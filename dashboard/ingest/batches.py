"""Undoing imports: roll back one accepted batch, or restore an earlier store version."""

from pathlib import Path

import pandas as pd

import settings
from appdb import audit
from store import storage

ROW_KINDS = {"registrations", "uptake"}


def rollback(
    batch_id: int, path: Path | None = None, *, user: str | None = None,
    as_account: str | None = None,
) -> str:  # fmt: skip
    """Undo an accepted registrations or uptake batch, audited; say what was done.

    Only the latest accepted batch of its source can be undone (a later one may build on
    it); population and catalogue imports are undone by restoring an earlier version.
    `user` is who rolls back (default: the operating-system login, as on the command
    line); `as_account` the app account the command line acts as.

    Raises:
        ValueError: unknown batch, not accepted, wrong kind, or a later batch exists.
    """
    with storage.write_session(path) as con:
        found = storage.run_statement(con, "imports/batch_with_later", batch_id=batch_id)
        if found.empty:
            raise ValueError(f"no import batch {batch_id}")
        batch = found.iloc[0]
        if batch["result"] != "accepted":
            raise ValueError(f"batch {batch_id} was {batch['result']}: nothing to undo")
        if batch["kind"] not in ROW_KINDS:
            raise ValueError(
                f"batch {batch_id} is a {batch['kind']} import: restore an earlier store "
                "version instead (`python -m dashboard restore`)"
            )
        if batch["later_accepted"] > 0:
            raise ValueError(
                f"{batch['source']} has {batch['later_accepted']} accepted batch(es) after "
                f"{batch_id}: roll those back first, latest first"
            )
        storage.execute_with(con, "imports/rollback_batch", pd.DataFrame({"batch_id": [batch_id]}))
    detail = {"batch": batch_id, "kind": batch["kind"], "source": batch["source"],
              "file": batch["file_name"], "rows_removed": int(batch["rows_loaded"]),
              "rows_reopened": int(batch["reopened_count"])}  # fmt: skip
    audit.record(user or audit.os_user(), "rollback", detail, as_account=as_account)
    return (
        f"Batch {batch_id} ({batch['kind']}, {batch['source']}, {batch['file_name']}) rolled back."
    )


def rollback_effect(batch_id: int, path: Path | None = None) -> str:
    """What rolling a batch back would undo, in words, read without writing (to confirm).

    Raises:
        ValueError: no such batch.
    """
    with storage.open_read(Path(path or settings.store_path())) as con:
        found = storage.run_statement(con, "imports/batch_with_later", batch_id=batch_id)
    if found.empty:
        raise ValueError(f"no import batch {batch_id}")
    b = found.iloc[0]
    return (
        f"rolling back batch {batch_id} ({b['kind']}, {b['source']}, {b['file_name']}) removes "
        f"the {int(b['rows_loaded']):,} rows it loaded and reopens the "
        f"{int(b['reopened_count']):,} it had ended"
    )


def restore_effect(version_file: Path, path: Path | None = None) -> str:
    """What restoring a kept version would do, in words (to confirm)."""
    path = Path(path or settings.store_path())
    return (
        f"restoring {Path(version_file).name} replaces the current store ({path.name}) and "
        "undoes every import made since that version; the current store is kept as a version"
    )


def set_setting(name: str, value: str, user: str, path: Path | None = None) -> str:
    """Set one of the store's own settings (an administrator's act), audited; say what it is.

    `encoded_only` ("on" or "off"): whether raw registration files are refused;
    `versions_kept` (1-100): how many earlier versions of the store are kept. A setting is
    not data: the store it replaces is not kept as a version.
    """
    if name == "encoded_only" and value not in ("on", "off"):
        raise ValueError("encoded_only is on or off")
    if name == "versions_kept":
        value = str(storage.check_versions_kept(int(value)))
    if name not in ("encoded_only", "versions_kept"):
        raise ValueError(f"unknown store setting {name!r}")
    with storage.write_session(path, incremental=True) as con:
        storage.set_meta(con, **{name: value})
        storage.unchanged(con)
    audit.record(user, "store_setting", {"setting": name, "value": value})
    return f"{name} is {value}"


def restore(
    version_file: Path, path: Path | None = None, *, user: str | None = None,
    as_account: str | None = None,
) -> Path | None:  # fmt: skip
    """Make a kept version (from `versions`) the store again, audited.

    Returns where the replaced store is kept. `user` and `as_account` as for `rollback`.
    """
    kept_as = storage.restore(version_file, path)
    detail = {"version": Path(version_file).name, "replaced_kept_as": kept_as and kept_as.name}
    audit.record(user or audit.os_user(), "restore", detail, as_account=as_account)
    return kept_as


def versions(path: Path | None = None) -> list[Path]:
    """The kept earlier versions of the store, newest first."""
    return list(reversed(storage.list_versions(path)))
