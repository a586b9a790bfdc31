"""How this project launches Debian's Chromium: one place for the browser tests and for ``benchmarks/bench.py``.

Why here: the browser tests are the main user, and tests must not depend on ``benchmarks/``; the package under
``src/`` is product code and does not drive browsers. So the settings live with the tests, and the benchmark
imports them as ``from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS`` (``tests`` is a package; bench.py
puts the repository root on ``sys.path``, as pytest does for the tests). Importing this module imports nothing
else: no conftest, no fixtures, no Playwright.
"""

from __future__ import annotations

import os

# Playwright cannot download its own browsers here; Debian's package is at this path (override with $CHROMIUM).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Passed to ``playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)``: no sandbox (containers
# run as root), no GPU, and no background traffic to Google's services that would add requests and noise.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
