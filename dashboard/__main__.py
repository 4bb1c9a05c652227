"""`python -m dashboard ...`: the command line (modules are imported top-level, as the app does)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cli  # noqa: E402

sys.exit(cli.main())
