"""Record which of Voilà's JavaScript chunks the app's page fetches, for the page bundle's list.

``src/therapy_workshop/shell/page_chunks.txt`` lists the chunks the server joins into one response (see
``therapy_workshop.shell.page_bundle``). Chunk names change when Voilà or a widget extension is upgraded; the app
keeps working with a stale list (the page fetches what the bundle lacks), only slower, and the browser test
``test_a_first_visit_fetches_voilas_chunks_in_one_bundle`` fails until the list is written again with:

    python benchmarks/page_chunks.py

It serves the app without the bundle, opens it in Chromium, visits every module and records, in request order,
every chunk the page asked for (Voilà's entry script and the extensions' entry points are loaded as before).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from playwright.async_api import async_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))
MANIFEST = REPO / "src" / "therapy_workshop" / "shell" / "page_chunks.txt"
#: A chunk as the page requests it: Voilà's own (not its entry script) or an extension's (not its entry point).
CHUNK = re.compile(
    r"/voila/((?:static/(?!voila\.js)[^/?]+\.js)|(?:labextensions/.+/(?!remoteEntry\.)[^/?]+\.js))(?:\?|$)"
)
HEADER = (
    "# Voilà's page chunks that a first visit of the app fetches, as requested under voila/ (see page_bundle.py).\n"
    "# Written by: python benchmarks/page_chunks.py (for the installed Voilà; a stale list only costs speed).\n"
)


async def record() -> list[str]:
    from bench import voila

    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
    from therapy_workshop.validate.loader import load_workshop

    os.environ["THERAPY_WORKSHOP_PAGE_BUNDLE"] = "off"
    workshop = load_workshop(REPO)
    chunks: list[str] = []

    def keep(url: str) -> None:
        found = CHUNK.search(url)
        if found and found.group(1) not in chunks:
            chunks.append(found.group(1))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        with voila("notebooks/app.ipynb", kernels_ready=2) as (url, _server):
            page = await browser.new_page()
            page.on("request", lambda request: keep(request.url))
            for module in workshop.modules:
                await page.goto(f"{url}?module={module.id}")
                await page.wait_for_selector(f'.tw-module-title[data-module="{module.id}"]', timeout=60_000)
                await page.wait_for_timeout(1000)
            await page.goto("about:blank")
        await browser.close()
    return chunks


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    chunks = asyncio.run(record())
    MANIFEST.write_text(HEADER + "".join(f"{chunk}\n" for chunk in chunks), encoding="utf-8")
    print(f"{len(chunks)} chunks written to {MANIFEST.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
