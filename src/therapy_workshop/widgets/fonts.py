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
nothing. ``missing_characters`` sets every character once on one SVG page, each in a colour of its own that
numbers it, after a Unicode noncharacter, which no font has: a character drawn with the same glyph as the
noncharacter would be a box. One page however many characters (the check used to set a page per character, so
thousands of distinct characters were thousands of pages).

In a participant's kernel, ``print_apart`` runs typst in a child process (this file, run as a script, reading
the request on stdin and writing the answer on stdout: no file is written). A kernel that loaded typst itself
would keep about 42 MB more for the rest of the workshop (fpdf2 kept about 35 MB); the child needs about 50 ms
and its memory is returned when it ends. This module imports nothing from the package, so the child starts with
the standard library and typst only.

The child is bounded, because what it sets comes from a learner: at most ``CHILD_CPU_SECONDS`` of processor
time, ``CHILD_MEMORY_BYTES`` of address space and no core file (``resource`` limits set between fork and exec),
one typst worker thread and one malloc arena (so its address space does not grow with the machine's cores), and
``CHILD_TIMEOUT`` seconds on the clock, after which it is killed. ``print_apart_async`` is the same on an
asyncio loop, so a kernel keeps answering its page while a certificate is made.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if sys.platform != "win32":  # no resource limits on Windows (nor preexec_fn): the child runs unbounded there
    import resource

if TYPE_CHECKING:
    import typst

#: Whether documents may use the fonts installed on this computer (besides the ones typst carries).
SYSTEM_FONTS = True

#: The typeface of every document: typst carries it, so it prints the same on every computer.
SERIF = "Libertinus Serif"

#: A character no font has (a Unicode noncharacter): what a missing character looks like once set.
_NEVER_IN_A_FONT = "\U0010ffff"

#: Seconds on the clock a child may take to set a certificate before it is killed. It takes about 50 ms alone;
#: the rest is room for a whole workshop asking at once on two shared cores.
CHILD_TIMEOUT = 20

#: Seconds of processor time a child may use (SIGXCPU ends it; a second more, SIGKILL). A certificate for the
#: longest name allowed takes 30-50 ms; reading a computer's system fonts the first time takes longer on a
#: computer with hundreds of them.
CHILD_CPU_SECONDS = 5

#: Address space a child may map. The longest name allowed needs 86-88 MiB here (Python, typst and its fonts,
#: one worker thread); the rest is room for a large system font typst reads to print a character its own fonts
#: lack (a CJK or emoji font file is 20-200 MB).
CHILD_MEMORY_BYTES = 512 * 2**20

#: Added to the child's environment: one typst (rayon) worker thread and one glibc malloc arena. Without them
#: typst starts a thread per core, each with its own 64 MB arena reservation, so the memory limit above would
#: depend on the machine's cores (measured: 281 MB of address space on 2 cores, 83 MB with these).
CHILD_ENVIRONMENT = {"RAYON_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "1"}

# Every character once on one page, in the documents' typeface, from JSON (never pasted into the source). The
# text colour numbers the character (#000000 is the first, #000001 the next), and typst's SVG puts that colour
# on each glyph it draws, so the glyphs of each character can be told apart on a single page.
_PROBE = f"""
#set page(width: auto, height: auto, margin: 0pt)
#set text(font: "{SERIF}", size: 10pt)
#let characters = json(bytes(sys.inputs.data))
#for (index, character) in characters.enumerate() {{
  let colour = rgb(calc.quo(index, 65536), calc.rem(calc.quo(index, 256), 256), calc.rem(index, 256))
  block(text(fill: colour, character))
}}
"""

# A glyph drawn on an SVG page: ``<use xlink:href="#g…" … fill="#rrggbb" …/>``.
_GLYPH_USE = re.compile(r"<use\b[^>]*>")
_GLYPH_ID = re.compile(r'href="#([^"]+)"')
_GLYPH_FILL = re.compile(r'fill="#([0-9a-fA-F]{6})"')


class MissingCharacters(ValueError):
    """Characters that no font here can print: the text is not printed (never as "?" or a box)."""

    def __init__(self, characters: list[str]) -> None:
        super().__init__(f"no font here can print {' '.join(characters)}")
        self.characters = characters


class ChildFailed(RuntimeError):
    """The child process setting a document did not answer: it failed, hit a limit or ran out of time.

    The message says which and never carries the child's output (which could quote what a learner typed);
    ``output`` holds the child's standard error, for a test or a person debugging.
    """

    def __init__(self, reason: str, output: str = "") -> None:
        super().__init__(reason)
        self.output = output


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
    """The characters of ``text`` (once each, in order) that no available font can print.

    All of them are set on one page (``_PROBE``), after a noncharacter that is always a box: a character with
    the box among its glyphs would print as a box.
    """
    import typst

    wanted = list(dict.fromkeys(character for character in text if _printable_kind(character)))
    if not wanted:
        return []
    page = typst.compile(
        _PROBE.encode("utf-8"),
        format="svg",
        font_paths=_fonts(SYSTEM_FONTS if system is None else system),
        sys_inputs={"data": json.dumps([_NEVER_IN_A_FONT, *wanted])},
    )
    if not isinstance(page, bytes):  # one page comes as one SVG document
        raise TypeError(f"typst returned {type(page).__name__} for a document of one SVG page")
    glyphs = _glyphs_by_colour(page.decode("utf-8"))
    box = glyphs.get(0)
    if not box:  # the noncharacter always draws a box: none found means typst's SVG is not what we read
        raise RuntimeError("typst's SVG has no glyph coloured #000000 for the box: its output has changed")
    return [character for index, character in enumerate(wanted, start=1) if glyphs.get(index, set()) & box]


def _glyphs_by_colour(svg: str) -> dict[int, set[str]]:
    """Each fill colour on an SVG page (as a number) and the glyphs drawn in it."""
    found: dict[int, set[str]] = {}
    for use in _GLYPH_USE.finditer(svg):
        glyph, fill = _GLYPH_ID.search(use.group()), _GLYPH_FILL.search(use.group())
        if glyph and fill:
            found.setdefault(int(fill.group(1), 16), set()).add(glyph.group(1))
    return found


def _request(source: str, data: Mapping[str, Any], check: str) -> bytes:
    """What the child reads on stdin: the document, its data, the text to check, and whether system fonts count."""
    return json.dumps({"source": source, "data": data, "check": check, "system": SYSTEM_FONTS}).encode("utf-8")


def _child_command() -> list[str]:
    """The child: this file run as a script.

    -P: the script's folder is not put on the child's path, so no module here can stand in for a library.
    """
    return [sys.executable, "-P", __file__]


def _child_environment() -> dict[str, str]:
    """The kernel's environment with ``CHILD_ENVIRONMENT`` added."""
    return {**os.environ, **CHILD_ENVIRONMENT}


def child_limits() -> list[tuple[int, tuple[int, int]]]:
    """The ``resource`` limits a child gets, as ``(resource, (soft, hard))``; none on Windows.

    Worked out in the parent, so the child between fork and exec only calls ``setrlimit``. A limit the kernel
    already has below ours (a hub may set one) is kept: a process cannot raise its own hard limit.
    """
    if sys.platform == "win32":
        return []
    wanted = [
        (resource.RLIMIT_CPU, CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 1),
        (resource.RLIMIT_AS, CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES),
        (resource.RLIMIT_CORE, 0, 0),  # SIGXCPU and an abort would dump core: a file holding the learner's name
    ]
    limits = []
    for kind, soft, hard in wanted:
        _soft_now, hard_now = resource.getrlimit(kind)
        if hard_now != resource.RLIM_INFINITY:
            soft, hard = min(soft, hard_now), min(hard, hard_now)
        limits.append((kind, (soft, hard)))
    return limits


def _limit_this_process(limits: list[tuple[int, tuple[int, int]]]) -> None:
    """``preexec_fn``: runs in the child after fork, before exec.

    Python warns that a ``preexec_fn`` can deadlock in a process with threads (a kernel has several) if it takes
    a lock another thread held at the fork; this one takes none: the limits are worked out beforehand and it
    only calls ``setrlimit`` (``resource`` is imported already, so there is no import lock either).
    """
    for kind, values in limits:
        resource.setrlimit(kind, values)


def _preexec() -> functools.partial[None] | None:
    """The child's ``preexec_fn``, or none where limits cannot be set (Windows)."""
    limits = child_limits()
    return functools.partial(_limit_this_process, limits) if limits else None


def _answer(returncode: int, stdout: bytes, stderr: bytes) -> bytes:
    """The PDF from what the child wrote; ``MissingCharacters`` or ``ChildFailed`` otherwise."""
    output = stderr.decode("utf-8", "replace").strip()
    if returncode < 0:
        try:
            stopped_by = signal.Signals(-returncode).name
        except ValueError:
            stopped_by = f"signal {-returncode}"
        raise ChildFailed(f"typst was stopped by {stopped_by}", output)
    if returncode != 0:
        raise ChildFailed(f"typst could not set the document (exit code {returncode})", output)
    try:
        answer = json.loads(stdout)
        missing, pdf = answer["missing"], base64.b64decode(answer["pdf"])
    except (ValueError, KeyError, TypeError):  # binascii.Error and JSONDecodeError are ValueErrors
        raise ChildFailed("typst's answer could not be read", output) from None
    if missing:
        raise MissingCharacters(missing)
    return pdf


def _too_slow() -> ChildFailed:
    return ChildFailed(f"typst took longer than {CHILD_TIMEOUT} s and was stopped")


def run_child(command: Sequence[str], request: bytes) -> bytes:
    """Run ``command`` with its limits, ``request`` on its stdin; return its stdout's answer (see ``_answer``).

    Blocks until the child ends: for a script, a test or a facilitator's cell. A kernel's page uses
    ``run_child_async``.
    """
    try:
        done = subprocess.run(
            command,
            input=request,
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
            env=_child_environment(),
            preexec_fn=_preexec(),  # see _limit_this_process
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child and waited for it
        raise _too_slow() from None
    return _answer(done.returncode, done.stdout, done.stderr)


async def run_child_async(command: Sequence[str], request: bytes) -> bytes:
    """``run_child`` on the running asyncio loop: the loop serves other callbacks while the child works.

    A child still running when this ends (timeout, or the task cancelled) is killed and reaped.
    """
    import asyncio  # only in a kernel: the child script never loads it (about 50 ms)

    child = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_child_environment(),
        preexec_fn=_preexec(),
    )
    try:
        stdout, stderr = await asyncio.wait_for(child.communicate(request), CHILD_TIMEOUT)
    except TimeoutError:
        raise _too_slow() from None
    finally:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
    return _answer(await child.wait(), stdout, stderr)  # communicate() waited for it: at once


def print_apart(source: str, data: Mapping[str, Any], check: str) -> bytes:
    """``compile_pdf`` in a bounded child process; ``MissingCharacters`` if ``check`` (say, a name) would not print.

    ``ChildFailed`` if the child fails, reaches a limit or runs out of time.
    """
    return run_child(_child_command(), _request(source, data, check))


async def print_apart_async(source: str, data: Mapping[str, Any], check: str) -> bytes:
    """``print_apart`` without holding the asyncio loop it runs on."""
    return await run_child_async(_child_command(), _request(source, data, check))


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
