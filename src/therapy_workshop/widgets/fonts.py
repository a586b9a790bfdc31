"""The engine that sets every printed document, its fonts, and which characters they cannot print.

Why typst (the ``typst`` package on PyPI: the typst typesetting engine in one wheel, with no system libraries
and nothing fetched at run time), checked on this project's machine with typst 0.15:

- **Fonts ship with it.** It embeds Libertinus Serif (regular, semibold, bold, each with italics), New Computer
  Modern and DejaVu Sans Mono. Libertinus Serif prints Latin with every diacritic we tried, Vietnamese included
  ("Nguyễn Thị Mai", "Łukasz Wójcik"), Greek ("Αλεξάνδρα") and Cyrillic ("Юлия"); typst's own fallback to its
  other fonts prints the basic Arabic letters (DejaVu Sans Mono, joined and right to left), Hebrew, Armenian and
  Georgian. Nothing embedded prints Chinese, Japanese, Korean or Thai. The fpdf2 code this replaced needed a
  TrueType font at a Debian path, and without one printed "?" for every character outside Latin-1 (on a Mac or
  Windows laptop, say).
- **It shapes text** (HarfBuzz's algorithm, the Unicode bidirectional algorithm), so right-to-left names keep
  their order, and **it sets pages**: outline and PDF bookmarks, page numbers, running headers, tables whose
  columns follow their content, blocks kept together. The 40-page guide takes about 0.4 s.
- **Nothing a learner types is ever read as typst markup**: documents are fixed typst source that reads its text
  from JSON passed in memory (``sys.inputs``), so a name like ``*Sam* #exit`` is printed as typed.

System fonts: typst finds the operating system's fonts itself (the usual folders on Linux, macOS and Windows) and
falls back to them for a character its own fonts lack, preferring a font like the one asked for (so a computer
with an Arabic or Chinese font prints those names in it). ``SYSTEM_FONTS = False`` hides them; the tests do that
to prove the embedded fonts are enough.

Which characters cannot be printed: for a character that no font has, typst draws a box ("tofu") and says
nothing. ``missing_characters`` sets each character on its own page as SVG and compares that page with one
showing a Unicode noncharacter, which no font has: an identical page means that character would be a box.

In a participant's kernel, ``print_apart`` runs typst in a child process (this file, run as a script, reading
the request on stdin and writing the answer on stdout: no file is written). A kernel that loaded typst itself
would keep about 42 MB more for the rest of the workshop (fpdf2 kept about 35 MB); the child needs about 50 ms
and its memory is returned when it ends. This module imports nothing from the package, so the child starts with
the standard library and typst only.
"""

from __future__ import annotations

import base64
import functools
import json
import subprocess
import sys
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typst

#: Whether documents may use the fonts installed on this computer (besides the ones typst carries).
SYSTEM_FONTS = True

#: The typeface of every document: typst carries it, so it prints the same on every computer.
SERIF = "Libertinus Serif"

#: A character no font has (a Unicode noncharacter): what a missing character looks like once set.
_NEVER_IN_A_FONT = "\U0010ffff"

#: Seconds a child process may take to set a certificate (it takes about 50 ms).
CHILD_TIMEOUT = 60

# Each character on a page of its own, in the documents' typeface, from JSON (never pasted into the source).
_PROBE = f"""
#set page(width: 3em, height: 3em, margin: 0pt)
#set text(font: "{SERIF}", size: 10pt)
#let characters = json(bytes(sys.inputs.data))
#for (index, character) in characters.enumerate() {{
  if index > 0 {{ pagebreak() }}
  character
}}
"""


class MissingCharacters(ValueError):
    """Characters that no font here can print: the text is not printed (never as "?" or a box)."""

    def __init__(self, characters: list[str]) -> None:
        super().__init__(f"no font here can print {' '.join(characters)}")
        self.characters = characters


@functools.cache
def _fonts(system: bool) -> typst.Fonts:
    """The font book typst sets with, built once per process: looking through the system's fonts takes a moment."""
    import typst  # the engine and its fonts: only in a process that prints

    return typst.Fonts(include_system_fonts=system, include_embedded_fonts=True)


def compile_pdf(source: str, data: Mapping[str, Any], system: bool | None = None) -> bytes:
    """Set ``source`` (fixed typst code) with ``data`` as its ``sys.inputs.data`` JSON; return the PDF's bytes.

    ``system`` (default: ``SYSTEM_FONTS``) says whether the computer's own fonts may be used.
    """
    import typst

    fonts = _fonts(SYSTEM_FONTS if system is None else system)
    return typst.compile(source.encode("utf-8"), font_paths=fonts, sys_inputs={"data": json.dumps(data)})


def _printable_kind(character: str) -> bool:
    """Whether a character draws something: spaces and invisible format marks never need a glyph."""
    return not character.isspace() and unicodedata.category(character) not in {"Cc", "Cf", "Zl", "Zp"}


def missing_characters(text: str, system: bool | None = None) -> list[str]:
    """The characters of ``text`` (once each, in order) that no available font can print."""
    import typst

    wanted = list(dict.fromkeys(character for character in text if _printable_kind(character)))
    if not wanted:
        return []
    pages = typst.compile(
        _PROBE.encode("utf-8"),
        format="svg",
        font_paths=_fonts(SYSTEM_FONTS if system is None else system),
        sys_inputs={"data": json.dumps([_NEVER_IN_A_FONT, *wanted])},
    )
    if not isinstance(pages, list):  # SVG comes as one document per page, and there are at least two
        raise TypeError(f"typst returned {type(pages).__name__} for a document of several SVG pages")
    box, *drawn = pages
    return [character for character, page in zip(wanted, drawn, strict=True) if page == box]


def print_apart(source: str, data: Mapping[str, Any], check: str) -> bytes:
    """``compile_pdf`` in a child process; ``MissingCharacters`` if ``check`` (say, a name) would not print."""
    request = json.dumps({"source": source, "data": data, "check": check, "system": SYSTEM_FONTS})
    # -P: the script's folder is not put on the child's path, so no module here can stand in for a library.
    done = subprocess.run(
        [sys.executable, "-P", __file__],
        input=request.encode("utf-8"),
        capture_output=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"typst could not set the document: {done.stderr.decode('utf-8', 'replace').strip()}")
    answer = json.loads(done.stdout)
    if answer["missing"]:
        raise MissingCharacters(answer["missing"])
    return base64.b64decode(answer["pdf"])


def _serve() -> None:
    """The child: one request on stdin, one answer on stdout (the missing characters, or the PDF)."""
    request = json.loads(sys.stdin.buffer.read())
    missing = missing_characters(request["check"], request["system"])
    pdf = b"" if missing else compile_pdf(request["source"], request["data"], request["system"])
    json.dump({"missing": missing, "pdf": base64.b64encode(pdf).decode("ascii")}, sys.stdout)


def text_direction(text: str) -> str:
    """``"rtl"`` if the first letter with a direction is Arabic, Hebrew or another right-to-left script."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


if __name__ == "__main__":
    _serve()
