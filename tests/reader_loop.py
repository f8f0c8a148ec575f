"""A BI reader in its own process: query the published warehouse in a loop until told to stop.

Writes a JSON summary: every build id seen, whether each read was complete (the
marts' row counts equal the counts the build promised), and every error.
"""

import json
import sys
import time
from pathlib import Path

from scorecard.publish import read_build

published, stop, out = map(Path, sys.argv[1:4])
reads, errors, builds = 0, [], []
while not stop.exists():
    if published.exists():
        try:
            build_id, promised, actual = read_build(published)
            reads += 1
            builds.append([build_id, promised == actual])
        except Exception as exc:  # any error at all is a failure for the test
            errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(0.02)
out.write_text(json.dumps({"reads": reads, "errors": errors, "builds": builds}))
