"""Undoing imports: roll back one accepted batch, or restore an earlier store version."""

from pathlib import Path

import pandas as pd

from store import storage

ROW_KINDS = {"registrations", "uptake"}


def rollback(batch_id: int, path: Path | None = None) -> str:
    """Undo an accepted registrations or uptake batch; say what was done.

    Only the latest accepted batch of its source can be undone (a later one may build on
    it); population and catalogue imports are undone by restoring an earlier version.

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
    return (
        f"Batch {batch_id} ({batch['kind']}, {batch['source']}, {batch['file_name']}) rolled back."
    )


def versions(path: Path | None = None) -> list[Path]:
    """The kept earlier versions of the store, newest first."""
    return list(reversed(storage.list_versions(path)))
