"""Voilà's page scripts in one response, so a first visit waits for one download instead of about 90 in waves.

Voilà's page loads about 90 JavaScript chunks (webpack) and finds most of them only by running the ones before:
on venue wifi (100 ms round trips) a first visit spent about 2 s fetching chunks in five waves, six at a time.
Each chunk file, when it runs, registers its modules in its webpack runtime's list (``self.webpackChunk…``), and a
runtime that finds a chunk registered there does not fetch it. So the server joins the chunks a page needs into
one gzipped response, which the page loads just before Voilà's own script: every runtime then finds its chunks
registered, and Voilà's federated extensions (ipywidgets' manager, anywidget) are preloaded by the template.

Which chunks a page needs is listed in ``page_chunks.txt`` beside this module (``python benchmarks/page_chunks.py``
writes it from a real page load). Nothing depends on the list being complete: a chunk missing from it (a Voilà
upgrade may rename chunks) is fetched by the runtime as before, and a listed file that is not installed is left
out. The files are read from where Voilà itself serves them; nothing is copied into the project.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_path
from tornado.web import RequestHandler

MANIFEST = Path(__file__).with_name("page_chunks.txt")
#: Where the page asks for the bundle, under the server's base URL.
BUNDLE_PATH = "voila/workshop/page-bundle.js"
#: Set to "off" to serve an empty bundle (``benchmarks/page_chunks.py`` records what a page fetches without it).
SWITCH = "THERAPY_WORKSHOP_PAGE_BUNDLE"


def listed_chunks(manifest: Path = MANIFEST) -> list[str]:
    """The chunks named in the manifest, as the page requests them under ``voila/`` (comments and blanks skipped)."""
    lines = (line.strip() for line in manifest.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def chunk_folders() -> dict[str, list[Path]]:
    """Where Voilà serves each kind of chunk from: its templates' ``static`` folders and the labextensions."""
    return {
        "static/": [
            Path(folder) for name in ("lab", "base") for folder in jupyter_path("voila", "templates", name, "static")
        ],
        "labextensions/": [
            Path(folder) for folder in (*jupyter_path("voila", "labextensions"), *jupyter_path("labextensions"))
        ],
    }


def find_chunk(name: str, folders: dict[str, list[Path]]) -> Path | None:
    """The installed file for a listed chunk, or ``None`` (a path that climbs out of its folder never matches)."""
    for prefix, roots in folders.items():
        if not name.startswith(prefix):
            continue
        relative = name.removeprefix(prefix)
        for root in roots:
            path = (root / relative).resolve()
            if path.is_file() and path.is_relative_to(root.resolve()):
                return path
    return None


@dataclass(frozen=True)
class PageBundle:
    """The joined chunks, plain and gzipped, with an ETag and what the manifest named but is not installed."""

    body: bytes
    gzipped: bytes
    etag: str
    included: tuple[str, ...]
    missing: tuple[str, ...]


def build_bundle(names: list[str], folders: dict[str, list[Path]]) -> PageBundle:
    """Join the installed chunks of ``names`` in order, each ending on its own line."""
    parts: list[bytes] = []
    included: list[str] = []
    missing: list[str] = []
    for name in names:
        path = find_chunk(name, folders)
        if path is None:
            missing.append(name)
            continue
        parts.append(path.read_bytes().rstrip() + b"\n;\n")
        included.append(name)
    body = b"".join(parts)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return PageBundle(body, gzip.compress(body, 9, mtime=0), etag, tuple(included), tuple(missing))


def stale_list_warning(bundle: PageBundle) -> str | None:
    """What the server's log says when the list names chunks that are not installed (a Voilà upgrade)."""
    if not bundle.missing:
        return None
    return (
        f"The page bundle lacks {len(bundle.missing)} of the {len(bundle.missing) + len(bundle.included)} chunks "
        "it lists (Voilà or a widget extension was upgraded?). Pages still work, a little slower on slow networks: "
        "run python benchmarks/page_chunks.py to list them again."
    )


def page_bundle() -> PageBundle:
    """The bundle this server serves: the manifest's installed chunks, or nothing when switched off."""
    if os.environ.get(SWITCH, "").lower() == "off" or not MANIFEST.is_file():
        return build_bundle([], {})
    return build_bundle(listed_chunks(), chunk_folders())


class PageBundleHandler(RequestHandler):
    """Serves the bundle: gzipped to browsers that accept it, revalidated by ETag (an upgrade changes it)."""

    def initialize(self, bundle: PageBundle) -> None:
        """Tornado passes the bundle built when the server started."""
        self.bundle = bundle

    def get(self) -> None:
        """The bundle, or 304 when the browser's copy is current."""
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Vary", "Accept-Encoding")
        self.set_header("ETag", self.bundle.etag)
        if self.bundle.etag in self.request.headers.get("If-None-Match", ""):
            self.set_status(304)
            return
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")
            self.write(self.bundle.gzipped)
        else:
            self.write(self.bundle.body)


def bundle_route(base_url: str, bundle: PageBundle) -> tuple[str, type[RequestHandler], dict[str, Any]]:
    """The Tornado route for the bundle under ``base_url``."""
    return (base_url.rstrip("/") + "/" + BUNDLE_PATH, PageBundleHandler, {"bundle": bundle})
