"""Files at rest: the store, its kept versions and the app database are the owner's alone.

Every such file is mode 0600 (folders 0700), or 0640 (folders 0750) and owned by the group
`$COVERAGE_DATA_GROUP` names, when one is configured (for example a backup agent's group).
Writers create their files under `private_umask()` so that nothing is readable by others
even for a moment (DuckDB's write-ahead log included), and `protect()` sets the exact mode
and group of what they leave behind: a fresh store, a swapped-in version, a kept version,
a restored one. SQLite gives its -wal and -shm files the database file's own mode.
"""

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import settings


def file_mode() -> int:
    """0o600, or 0o640 when a data group is configured."""
    return 0o640 if settings.data_group() is not None else 0o600


def folder_mode() -> int:
    """0o700, or 0o750 when a data group is configured."""
    return 0o750 if settings.data_group() is not None else 0o700


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files within as file_mode() at most (the process's umask, restored after).

    The umask belongs to the whole process: other threads creating files meanwhile get no
    more than these modes, never broader ones.
    """
    old = os.umask(0o027 if settings.data_group() is not None else 0o077)
    try:
        yield
    finally:
        os.umask(old)


def protect(path: Path, folder: bool = False) -> None:
    """Give a file (or folder) of this account its mode and the data group, if not already.

    A file another account owns is left as it is: only its owner may change it.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_uid != os.geteuid():
        return
    mode, group = (folder_mode() if folder else file_mode()), settings.data_group()
    if group is not None and info.st_gid != group:
        os.chown(path, -1, group)
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)


def private_folder(path: Path) -> Path:
    """Create a folder of folder_mode() (parents too), or protect an existing one of ours."""
    path = Path(path)
    path.mkdir(mode=folder_mode(), parents=True, exist_ok=True)
    protect(path, folder=True)
    return path
