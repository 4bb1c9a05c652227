"""Named points in a writer's run at which a test can stop it, to kill it exactly there.

Writers call `point(name)` as they pass each stage. Nothing happens unless the
environment variable COVERAGE_PAUSE_AT names that point: then the process writes the
point's name to the file named by COVERAGE_PAUSE_FILE and stops itself with SIGSTOP,
so that the test can send SIGKILL at that moment (tests/test_faults.py). Production
never sets these variables.

Points, in the order a write passes them:
    store.locked        the writer holds the store's lock, nothing written yet
    store.copied        the private copy of the store exists
    demo.chunk          the demo build has written its first chunk of persons
    store.written       the writer's own changes are done, aggregates not yet rebuilt
    store.aggregates    persons and months rebuilt, coverage cube not yet
    store.cube          half the provinces' cube parts built
    store.checkpointed  the copy is complete and closed, not yet swapped in
    store.swapping      the outgoing store is being kept under versions/, not yet replaced
    store.swapped       the new store is in place (the write has happened)
"""

import os
import signal
from pathlib import Path

PAUSE_AT = "COVERAGE_PAUSE_AT"
PAUSE_FILE = "COVERAGE_PAUSE_FILE"


def point(name: str) -> None:
    """Stop this process here if COVERAGE_PAUSE_AT names this point; else do nothing."""
    if os.environ.get(PAUSE_AT) != name:
        return
    Path(os.environ[PAUSE_FILE]).write_text(f"{os.getpid()} {name}\n", encoding="utf-8")
    os.kill(os.getpid(), signal.SIGSTOP)
