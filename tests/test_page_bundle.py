"""The page bundle: Voilà's chunks joined in one response, served gzipped and revalidated."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from therapy_workshop.shell.page_bundle import (
    MANIFEST,
    PageBundle,
    build_bundle,
    bundle_route,
    listed_chunks,
    stale_list_warning,
)


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, list[Path]]:
    static = tmp_path / "voila-static"
    extensions = tmp_path / "labextensions"
    (extensions / "@jupyter-widgets" / "manager" / "static").mkdir(parents=True)
    static.mkdir()
    (static / "1.voila.js").write_text("(self.webpackChunk_A=self.webpackChunk_A||[]).push([[1],{}]);\n")
    (static / "2.voila.js").write_text("(self.webpackChunk_A=self.webpackChunk_A||[]).push([[2],{}])")
    (extensions / "@jupyter-widgets" / "manager" / "static" / "7.js").write_text("/* seven */")
    (tmp_path / "secret.txt").write_text("not a chunk")
    return {"static/": [static], "labextensions/": [extensions]}


def test_listed_chunks_are_joined_in_order_and_missing_ones_are_named(folders: dict[str, list[Path]]) -> None:
    bundle = build_bundle(
        [
            "static/2.voila.js",
            "labextensions/@jupyter-widgets/manager/static/7.js",
            "static/9.voila.js",
            "static/1.voila.js",
        ],
        folders,
    )
    assert bundle.body == (
        b"(self.webpackChunk_A=self.webpackChunk_A||[]).push([[2],{}])\n;\n"
        b"/* seven */\n;\n"
        b"(self.webpackChunk_A=self.webpackChunk_A||[]).push([[1],{}]);\n;\n"
    )
    assert gzip.decompress(bundle.gzipped) == bundle.body
    assert bundle.missing == ("static/9.voila.js",)
    assert stale_list_warning(bundle) == (
        "The page bundle lacks 1 of the 4 chunks it lists (Voilà or a widget extension was upgraded?). Pages still "
        "work, a little slower on slow networks: run python benchmarks/page_chunks.py to list them again."
    )


def test_a_listed_path_that_climbs_out_of_its_folder_is_never_read(folders: dict[str, list[Path]]) -> None:
    bundle = build_bundle(["static/../secret.txt", "other/1.voila.js"], folders)
    assert bundle.body == b""
    assert bundle.missing == ("static/../secret.txt", "other/1.voila.js")


def test_the_installed_voila_has_every_chunk_the_list_names() -> None:
    from therapy_workshop.shell.page_bundle import page_bundle

    bundle = page_bundle()
    assert stale_list_warning(bundle) is None
    assert len(bundle.included) == len(listed_chunks(MANIFEST)) > 50


class TestBundleHandler(AsyncHTTPTestCase):
    bundle = build_bundle([], {})

    def get_app(self) -> Application:
        self.bundle = PageBundle(b"chunks();\n", gzip.compress(b"chunks();\n"), '"abc"', ("static/1.voila.js",), ())
        return Application([bundle_route("/base/", self.bundle)])

    def test_gzipped_to_browsers_that_accept_it_and_plain_otherwise(self) -> None:
        zipped = self.fetch(
            "/base/voila/workshop/page-bundle.js", headers={"Accept-Encoding": "gzip"}, decompress_response=False
        )
        assert zipped.code == 200
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert zipped.headers["Content-Type"] == "application/javascript; charset=UTF-8"
        assert gzip.decompress(zipped.body) == b"chunks();\n"
        plain = self.fetch("/base/voila/workshop/page-bundle.js", headers={"Accept-Encoding": "identity"})
        assert plain.body == b"chunks();\n" and "Content-Encoding" not in plain.headers

    def test_a_current_copy_is_not_sent_again(self) -> None:
        again = self.fetch("/base/voila/workshop/page-bundle.js", headers={"If-None-Match": '"abc"'})
        assert again.code == 304 and again.body == b""
        changed = self.fetch("/base/voila/workshop/page-bundle.js", headers={"If-None-Match": '"old"'})
        assert changed.code == 200 and changed.headers["ETag"] == '"abc"'
