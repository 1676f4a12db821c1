"""`antrian server` with a smaller subscriber queue, so a test overflows it in seconds.

The production queue holds 1000 events; filling it (plus the socket buffers in
front of it) takes thousands of tickets. The behaviour under test, cutting the
subscriber loose with close code 4008, does not depend on the size.
"""

from __future__ import annotations

import sys

from server.queue import events
from shared.cli import main

if __name__ == "__main__":
    events.Hub.__init__.__defaults__ = (int(sys.argv[1]),)
    sys.exit(main(["server", *sys.argv[2:]]))
