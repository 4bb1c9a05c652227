"""The per-agency outbox on the server: files for one agency, readable by the app's account only.

A file meant for one agency is never offered as a browser download. Streamlit serves
what `st.download_button` holds at /media/<id> to anyone who has that URL, without
checking the session that asked for it, so a copied or logged URL would hand the file to
whoever holds it. Such a file is written here instead:

    <data folder>/outbox/<SOURCE>/<name>_<YYYYmmddTHHMMSSZ>.csv

the data folder being the store's (`$COVERAGE_DB`'s folder, by default data/). The folders
are mode 0700 and the file 0600, whatever the umask or the data folder's group: only the
account that runs the app and the command line (and root) can read it. How an agency
collects it is in the README ("Outreach files back to the agencies").
"""

import datetime as dt
import os
from pathlib import Path

import settings
from ingest import mappings

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def root() -> Path:
    """The outbox: `outbox/` in the store's folder."""
    return settings.store_path().parent / "outbox"


def folder(source: str, base: Path | None = None) -> Path:
    """The outbox folder of one agency (its registry code, checked: no path can be built)."""
    return Path(base or root()) / mappings.check_source(source)


def write(source: str, stem: str, data: bytes, base: Path | None = None) -> Path:
    """Write `data` to the agency's outbox as <stem>_<UTC time>.csv; return its path.

    The file is written under a hidden name and renamed when complete, so that whoever
    collects the folder never takes half a file; an existing file is never overwritten.
    """
    target = folder(source, base)
    _private_folder(target.parent)
    _private_folder(target)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 100):
        path = target / f"{stem}_{stamp}{'' if n == 1 else f'-{n}'}.csv"
        if path.exists():
            continue
        try:
            return write_file(path, data)
        except FileExistsError:  # another writer took this name meanwhile: the next one
            continue
    raise FileExistsError(f"too many files named {stem}_{stamp}*.csv in {target}")


def write_file(path: Path, data: bytes) -> Path:
    """Write a new file of mode 0600 (refused if `path` exists); return its path."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)  # exact, whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists() or path.is_symlink():
            raise FileExistsError(f"{path} exists: not overwritten")
        os.rename(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _private_folder(path: Path) -> None:
    """Create a folder of mode 0700, or bring an existing one of ours to 0700."""
    if path.is_symlink():
        raise ValueError(f"{path} is a symbolic link: the outbox must be a real folder")
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if path.stat().st_uid == os.geteuid():
        path.chmod(FOLDER_MODE)
