"""Any learner's name on the certificate: printed exactly, in its own order, or not at all and said so.

Every test here hides the computer's own fonts from typst (``fonts.SYSTEM_FONTS = False``), so they prove that
the fonts the package carries are enough, whatever the machine (CI has Debian's DejaVu and Liberation; a
facilitator's Mac or Windows laptop has neither). The one test about system fonts says so and skips without them.

Text is read back from the PDF with pypdf. The only normalising: whitespace is folded (pypdf may end a line or
split a run where the PDF places words separately) and Unicode is composed (NFC), because an extractor may
return "ễ" as "e" plus two combining marks; neither changes a letter a reader sees.
"""

from __future__ import annotations

import base64
import datetime
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets import fonts
from therapy_workshop.widgets.certificate import CertificateWidget, certificate_pdf
from therapy_workshop.widgets.progress import Progress

DAY = datetime.date(2026, 11, 26)
MODULES = ["Your rights in therapy", "Ending therapy"]
# What the learner reads when a name cannot be printed (content/ui.yaml: certificate_cannot_print).
CANNOT_PRINT = (
    "The workshop has no font that can print these characters of your name: {}. Nothing was made. "
    "Type your name another way, for example in Latin letters, then make your certificate again."
)


@pytest.fixture(autouse=True)
def only_the_packaged_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """typst sees its own fonts and nothing installed on this computer."""
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", False)
    hidden = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True).families()
    assert not {"DejaVu Sans", "Liberation Sans", "Liberation Serif"} & set(hidden)


def read(data: bytes) -> str:
    """The PDF's text as a reader would copy it: Unicode composed, whitespace folded."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def runs(data: bytes) -> list[tuple[str, float, float]]:
    """Each piece of text on the first page with its font size and its distance from the left edge."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, matrix: list[float], _tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            found.append((text.strip(), size, matrix[4]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def certificate_widget(workshop: Workshop, name: str) -> CertificateWidget:
    tracker = Progress()
    tracker.record("01-rights", "quiz")
    widget = CertificateWidget(workshop, tracker)
    widget.name_box.value = name
    return widget


@pytest.mark.parametrize(
    "name",
    ["Łukasz Wójcik", "Nguyễn Thị Mai", "Αλεξάνδρα", "Юлия", "Zoë Ørsted-Núñez", "Đorđe Šćepanović", "Ṣọlá Àdìgún"],
)
def test_a_name_in_latin_greek_or_cyrillic_prints_exactly(workshop: Workshop, name: str) -> None:
    data = certificate_pdf(name, MODULES, workshop.ui, DAY)
    assert name in read(data)
    assert "?" not in read(data)


def test_a_name_typed_with_combining_accents_prints_as_the_same_letters(workshop: Workshop) -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Mai")  # e + circumflex + tilde, as some keyboards send it
    assert typed != "Nguyễn Thị Mai"
    assert "Nguyễn Thị Mai" in read(certificate_pdf(typed, MODULES, workshop.ui, DAY))


def test_an_arabic_name_prints_right_to_left_with_its_words_in_order(workshop: Workshop) -> None:
    name = "ليلى حداد"  # Layla (first) Haddad (family)
    data = certificate_pdf(name, MODULES, workshop.ui, DAY)
    placed = {text: left for text, _size, left in runs(data)}
    first, family = name.split()
    assert first in placed and family in placed
    assert placed[first] > placed[family]  # the first name stands on the right, where an Arabic reader begins
    assert "?" not in read(data)


def test_a_name_is_printed_as_typed_never_read_as_markup(workshop: Workshop) -> None:
    name = '*Sam* _Lee_ #pagebreak() $x^2$ <me> @ref \\ "Sammy" [1]'
    data = certificate_pdf(name, MODULES, workshop.ui, DAY)
    assert name in read(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_a_chinese_name_is_not_printed_and_the_learner_is_told_which_characters(workshop: Workshop) -> None:
    widget = certificate_widget(workshop, "王小明")
    assert widget.make() is None
    assert widget.message.value == f'<p class="tw-notice" role="status">{CANNOT_PRINT.format("王 小 明")}</p>'
    assert widget.download.layout.display == "none"  # nothing to save: no "?" and no boxes
    assert widget.download.data_base64 == ""
    with pytest.raises(fonts.MissingCharacters) as raised:
        certificate_pdf("王小明", MODULES, workshop.ui, DAY)
    assert raised.value.characters == ["王", "小", "明"]


def test_only_the_characters_that_cannot_print_are_named(workshop: Workshop) -> None:
    widget = certificate_widget(workshop, "Mai 王 (Wang)")
    assert widget.make() is None
    assert widget.message.value == f'<p class="tw-notice" role="status">{CANNOT_PRINT.format("王")}</p>'


def test_after_the_notice_another_form_of_the_name_makes_the_certificate(workshop: Workshop) -> None:
    widget = certificate_widget(workshop, "王小明")
    widget.make()
    widget.name_box.value = "Wang Xiaoming"
    data = widget.make()
    assert data is not None
    assert "Wang Xiaoming" in read(data)
    assert base64.b64decode(widget.download.data_base64) == data
    assert widget.download.layout.display is None
    assert "Your certificate is ready." in widget.message.value


def test_a_thai_name_gets_the_notice_too(workshop: Workshop) -> None:
    widget = certificate_widget(workshop, "สมชาย")
    assert widget.make() is None
    assert widget.message.value == f'<p class="tw-notice" role="status">{CANNOT_PRINT.format("ส ม ช า ย")}</p>'


def test_a_system_font_prints_what_the_packaged_fonts_cannot(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tifinagh (Amazigh) letters: none of typst's fonts has them; Debian's DejaVu Sans does."""
    if "DejaVu Sans" not in typst.Fonts(include_system_fonts=True).families():
        pytest.skip("needs a system font with Tifinagh letters (Debian: fonts-dejavu-core)")
    name = "ⵜⵉⵍⴻⵍⵍⵉ"
    assert fonts.missing_characters(name)  # packaged fonts only: these would be boxes
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", True)
    assert fonts.missing_characters(name) == []
    assert name in read(certificate_pdf(name, MODULES, workshop.ui, DAY))


def test_the_certificate_is_one_page_with_the_name_as_its_largest_text(workshop: Workshop) -> None:
    every_module = [module.title for module in workshop.modules[1:]]
    long_name = "Maria Magdalena Alexandrovna Konstantinopoulou-Wójcik de la Cruz y Fernández"
    for name in ("Юлия", "Maria Konstantinopoulou-Wójcik", long_name):
        data = certificate_pdf(name, every_module, workshop.ui, DAY)
        assert len(PdfReader(io.BytesIO(data)).pages) == 1
        placed = runs(data)
        largest = max(size for _text, size, _left in placed)
        largest_text = "".join(text for text, size, _left in placed if size == largest)
        assert largest_text.replace(" ", "") == name.replace(" ", "")  # a long name wraps: spaces move, letters don't
        text = read(data)
        for expected in ("Certificate of completion", "Your Rights in Therapy", "Date: 2026-11-26", *every_module):
            assert expected in text


def test_making_a_certificate_writes_no_file(
    workshop: Workshop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing about the learner is kept: no file in the working folder or the temporary folder."""
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(work)
    for variable in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(variable, str(temporary))
    widget = certificate_widget(workshop, "Αλεξάνδρα")
    assert widget.make() is not None
    assert list(work.iterdir()) == [] and list(temporary.iterdir()) == []
    assert os.listdir(work) == []


def test_a_kernel_that_makes_a_certificate_never_loads_the_typesetting_engine(repo_root: Path) -> None:
    """typst runs in a child process that ends with the download: the kernel keeps none of its memory."""
    script = (
        "import sys\n"
        "from therapy_workshop.validate.loader import load_workshop\n"
        "from therapy_workshop.widgets.certificate import CertificateWidget\n"
        "from pathlib import Path\n"
        f"widget = CertificateWidget(load_workshop(Path({str(repo_root)!r})))\n"
        "widget.name_box.value = 'Юлия'\n"
        "assert widget.make() is not None\n"
        "print('typst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
