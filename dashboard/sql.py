"""Loads the named SQL files in queries/, once each."""

import functools

import settings


class UnknownQuery(LookupError):
    """A query name that does not resolve to a file inside queries/."""


@functools.cache
def load_query(name: str) -> str:
    """Return the text of queries/<name>.sql.

    Args:
        name: the file's stem, or a path relative to queries/ such as "schema/store".

    Raises:
        UnknownQuery: if the name leaves queries/ or no such file exists.
    """
    root = settings.QUERIES_DIR.resolve()
    path = (root / f"{name}.sql").resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UnknownQuery(f"no query named {name!r} in queries/")
    return path.read_text(encoding="utf-8")


def query_names(folder: str = "") -> list[str]:
    """Names of the SELECT queries of one folder of queries/ (default: the page reads), sorted.

    Page reads are queries/<name>.sql; the bench's own reads are "bench/<name>".
    """
    files = (settings.QUERIES_DIR / folder).glob("*.sql")
    return sorted(f"{folder}/{p.stem}" if folder else p.stem for p in files)
