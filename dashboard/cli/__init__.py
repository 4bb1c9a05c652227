"""The command line: `python -m dashboard demo|table|import|bench|brief|user|export-parquet ...`.

One module per topic: reports (figures out of the store), users (accounts), agency_files
(agency files and the store); options holds the argument types they share.
"""

import argparse
import re
import sys

from cli import agency_files, reports, users


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    summary = __doc__.splitlines()[0]  # the rest of the docstring is for developers
    top = argparse.ArgumentParser(prog="python -m dashboard", description=summary)
    sub = top.add_subparsers(dest="command", required=True)
    reports.add_parsers(sub)
    users.add_parsers(sub)
    agency_files.add_parsers(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are reported in one plain line, never as a traceback."""
    args = parser().parse_args(argv)
    if args.func is not agency_files.cmd_encode:  # an agency machine has no Streamlit
        import streamlit.logger

        streamlit.logger.set_log_level("error")  # no "no runtime" warnings on the command line
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the user sees one clear line
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 1


def _one_line(message: str) -> str:
    """The message with control characters (a newline in a typed name) shown escaped."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], message)
