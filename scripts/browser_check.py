"""Says whether the browser tests can run, loudly, before `make test`.

With Chromium at /usr/bin/chromium the browser tests run. Without it they are skipped
with a banner, except under CI (CI=true), where a missing browser fails the run.
tests/conftest.py applies the same rule to the collected tests.
"""

import os
import shutil
import sys

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
available = os.path.exists(CHROMIUM) or bool(shutil.which("chromium"))
in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

if available:
    sys.exit(0)
if in_ci:
    print(
        f"ERROR: no Chromium at {CHROMIUM}; under CI the browser tests must run (apt-get install -y chromium).",
        file=sys.stderr,
    )
    sys.exit(1)
bar = "!" * 78
print(
    f"{bar}\n  No Chromium at {CHROMIUM}: the BROWSER TESTS ARE SKIPPED in this run.\n"
    f"  Install it with: apt-get install -y chromium\n{bar}",
    file=sys.stderr,
)
