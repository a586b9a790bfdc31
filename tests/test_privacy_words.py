"""What this site keeps is said in one true statement, and every other sentence about keeping was checked (issue 25).

A learner who may be watched needs one true answer to "what does this site keep?": ``privacy_statement`` in
``content/ui.yaml``. The start page repeats it word for word, and so does README's "Privacy" section.

These tests read what learners and facilitators read: every string in the content YAML, every Markdown cell of the
notebooks, the facilitator guide and the handouts as they are built, and README's "Privacy" section. They find
each sentence that says something is saved, stored, kept, sent, cleared or tracked (:func:`about_keeping`), and
fail on any that is neither part of a whole copy of the statement nor in :data:`CHECKED`, naming its file and the
sentence. A copy of the statement with one sentence changed fails too, and so does the old promise ("nothing you
choose is saved", "gone when you close the page" and close variants) anywhere, comments included.

To add or change a sentence about keeping: check it against the statement and the code (``widgets/progress.py``,
``widgets/device_choice.py``, the room store), then put it in :data:`CHECKED` with its file and why it is true.
Sources' notes are not read here: they say what other services (browsers, help lines) do, not this site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from therapy_workshop.facilitator.documents import guide_body, handout_body
from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.feedback import plain_text

# ------------------------------------------------------------------------------------------- what counts
#: A verb of keeping, and a place where something could be kept: a sentence with both is about keeping.
KEEPING = re.compile(
    r"\b(?:sav(?:e|es|ed|ing)|stor(?:e|es|ed|ing)|kept|keeps?|keeping|stays?|track(?:s|ed|ing)?"
    r"|record(?:s|ed|ing)?|remember(?:s|ed)?|sent|sends?|gone|go when|delet(?:e|es|ed)|clear(?:s|ed)?|lost|lose"
    r"|reach(?:es)?)\b",
    re.IGNORECASE,
)
PLACE = re.compile(
    r"\b(?:(?:this|your|your own|their own|their|the learner's|the|a|that|any|shared|watched|different|other"
    r"|safer) (?:browser|device|tab|computer|phone)s?|(?:the|a|any) server|downloads folder|localStorage"
    r"|sessionStorage|anywhere)\b",
    re.IGNORECASE,
)
#: Sentences about keeping even without a place: promises, denials, and the learner's own things being kept.
DIRECT = re.compile(
    "|".join(
        [
            r"\bsent anywhere\b",
            r"\bleaves? (?:this|your|the) (?:tab|browser|device|computer|phone)\b",
            r"\bgone when\b",
            r"\bnothing\b[^.]{0,40}\b(?:saved|stored|kept|sent|recorded|tracked|marked|counted)\b",
            r"\b(?:not|never)\b[^.]{0,15}\b(?:saved|stored|kept|tracked|recorded|written)\b",
            r"\b(?:kept|stays?|saved|stored) only\b",
            r"\bonly (?:kept|saved|stored)\b",
            r"\b(?:does not|doesn't|do not|cannot|can't|will not|won't) (?:store|keep|save|track|record|erase|clear"
            r"|remove)\b",
            r"\bwhat (?:this|their|your) (?:site|device) keeps\b",
            r"\b(?:this|the) (?:site|device|browser|tab) (?:now )?(?:keeps|stores|saves|remembers|holds)\b",
            r"\bcounted anonymously\b",
            r"\b(?:results|counts|rows) (?:were|are) deleted\b",
            r"\b(?:answers?|progress|place|draft|script|checklist|results?|name|certificate"
            r"|what you (?:type|typed|pick|choose|chose|tick))\b[^.]{0,30}\b(?:is|are|was|were|stays?|gets?)\b"
            r"[^.]{0,10}\b(?:saved|stored|kept|lost|deleted|cleared|sent)\b",
        ]
    ),
    re.IGNORECASE,
)
#: The promise the start page used to make, untrue since the learner chooses what the device keeps.
OLD_PROMISE = re.compile(
    "|".join(
        [
            r"\bnothing (?:that )?(?:you|the learner|a learner|learners|participants?)\s+(?:\w+\s+)?"
            r"(?:choose|chooses|chose|type|types|typed|pick|picks|tick|ticks)(?:\s+or\s+\w+)?\s+(?:here\s+)?"
            r"(?:is|are|gets|will be)\s+(?:saved|stored|kept|sent|recorded)\b",
            r"\bnothing (?:is|gets|will be) (?:saved|stored|kept|sent)\b",
            r"\bgone when you close\b",
            r"\b(?:saved|stored|kept|sent) anywhere\b",
            r"\bmarked on a server\b",
        ]
    ),
    re.IGNORECASE,
)


def about_keeping(sentence: str) -> bool:
    """Whether a sentence says something about what is saved, stored, kept, sent or tracked."""
    return bool(DIRECT.search(sentence) or (KEEPING.search(sentence) and PLACE.search(sentence)))


# ------------------------------------------------------------------------------------------- checked sentences
def _checked(*groups: tuple[str, str, list[str]]) -> dict[tuple[str, str], str]:
    """(file, sentence) -> why the sentence is true, from groups of sentences that share a file and a reason."""
    table: dict[tuple[str, str], str] = {}
    for where, reason, sentences in groups:
        for sentence in sentences:
            assert (where, sentence) not in table, f"listed twice: {where}: {sentence}"
            table[(where, sentence)] = reason
    return table


POINTS_TO_START = "points to Start here's section, which holds the statement; claims nothing more"
DEVICE_WORDS = "the device choice's own words (widgets/device_choice.py, widgets/progress.py); they match the statement"
DOWNLOADS = "downloads are made on request and saved by the browser, outside this site's storage (Chrome Help)"
BROWSERS = "what browsers and spyware do, cited in the same paragraph to GOV.UK, NNEDV, Chrome or Firefox help"
NOT_SHOWN = "typed text, ticks and scores never reach a room (room/catalogue.py counts choices only)"

#: Every sentence about keeping that is not part of the statement, with its file and why it is true.
CHECKED: dict[tuple[str, str], str] = _checked(
    # ------------------------------------------------------------------ content/ui.yaml
    (
        "content/ui.yaml",
        "a reload or a lost kernel keeps the tab's record under either choice (sessionStorage survives a reload)",
        [
            "Your answers and progress are kept.",
            "Your progress is kept.",
        ],
    ),
    (
        "content/ui.yaml",
        "the notice when a stored place could not be read (widgets/place.py drops it and keeps progress)",
        ["Your saved place in the activities was cleared because {reason}."],
    ),
    (
        "content/ui.yaml",
        "the certificate is set in memory by a child process and never written to disk (widgets/certificate.py)",
        [
            "This site does not store it or your name.",
            "Your certificate could not be made this time, and nothing was kept.",
        ],
    ),
    (
        "content/ui.yaml",
        "the start page's progress box; it names the choice and says nothing the statement does not",
        ["Your progress is kept for as long as your choice of what this device keeps says."],
    ),
    (
        "content/ui.yaml",
        "what a room counts and when it ends (room/store.py); the statement says the same",
        [
            "Your first answer to each activity is counted anonymously with the room's answers.",
            "Nothing more you answer is counted.",
            "The room you joined has ended, and its results were deleted.",
            "Nothing you answer is counted now.",
            "Your answers are kept on this page and sent when the room is back.",
        ],
    ),
    (
        "content/ui.yaml",
        "the handout line; it names the choice and points to Start here",
        [
            "At the top of the page you can also choose what this device keeps.",
        ],
    ),
    (
        "content/ui.yaml",
        DEVICE_WORDS,
        [
            "What this device keeps",
            "This browser can remember how far you got and what you typed, so you can come back to it.",
            "If someone else uses or checks this device, you may want it to keep nothing.",
            "What should this device keep?",
            "Keep nothing after this tab closes",
            "Your place stays while this tab is open, even if you reload it.",
            "When you close the tab, it is gone.",
            "Keep my place on this device",
            "Your place, your answers and what you type stay in this browser until you clear them.",
            "This device keeps nothing after this tab closes.",
            "This device keeps your place.",
            "Files you download are saved in this device's Downloads folder.",
            "This device now keeps your place.",
            "We moved {records} from this tab onto this device.",
            "This device now keeps nothing after this tab closes.",
            "We moved {records} off this device and into this tab only.",
            "So we moved your saved place off this device and into this tab only.",
            "To keep it, choose “Keep my place on this device” at the top of the page.",
            "This browser did not let us save anything on this device.",
            "Your place stays only while this tab is open.",
            "Clear everything this site stored on this device",
            "This deletes your place, your answers and what you typed, from this device and this tab.",
            "Facilitators: if you opened a results link, this browser also has a pass for it that we cannot delete "
            "from here.",
            "Your activities start again, and this device now keeps nothing after this tab closes.",
        ],
    ),
    # ------------------------------------------------------------------ other content
    ("content/support.yaml", POINTS_TO_START, ["It says how to leave quickly and what this site keeps."]),
    (
        "content/agendas.yaml",
        "tells facilitators to show the quick exit and the device choice",
        [
            'Keep the welcome short, but always show "Exit this page", the choice of what this device keeps and '
            '"Need support?" at the top of the page, and go through the ground rules.'
        ],
    ),
    (
        "content/03-ending/script.yaml",
        POINTS_TO_START,
        ["A reload does not lose what you pick or type, and Start here says how long this site keeps it."],
    ),
    (
        "content/04-reporting/draft.yaml",
        POINTS_TO_START,
        [
            "As you type, your draft appears below, and you can save it as a text file on your own device.",
            "What you type is still here if the page reloads, and Start here says how long this site keeps it.",
        ],
    ),
    (
        "content/06-choosing/checklist.yaml",
        POINTS_TO_START,
        [
            "When you are ready, save the list as a text file on your device.",
            "A reload does not lose what you tick or type, and Start here says how long this site keeps it.",
        ],
    ),
    (
        "content/07-review/scenarios/capstone.yaml",
        "the story's evidence on the character's own phone, not this site",
        [
            "Look on your phone and in your bank app for anything you kept",
            "Many of Alex's messages are still on your phone, with dates, including the one about keeping the "
            'business "between us".',
        ],
    ),
    # ------------------------------------------------------------------ facilitator notes
    (
        "content/00-start/facilitator.yaml",
        "what to say about the quick exit (GOV.UK: it does not erase history) and the device choice",
        [
            "It cannot hide what someone has already seen, and it does not clear your browser history.",
            "Second, you choose what this device keeps.",
            '"Keep nothing after this tab closes" is how it starts.',
            '"Keep my place on this device" lets you carry on later, but then anyone who uses this browser could '
            "see your progress.",
            '"Clear everything this site stored on this device" removes it all at once.',
        ],
    ),
    (
        "content/03-ending/facilitator.yaml",
        f"{NOT_SHOWN}; {DOWNLOADS}",
        [
            "The site does not show what you pick or type to anyone else, not even me, and it keeps it only as long "
            "as your choice of what this device keeps says.",
            "Remind people that a downloaded script stays on their device until they delete it, so they may want to "
            "save it only on a device that is safe for them.",
        ],
    ),
    (
        "content/04-reporting/draft.yaml",
        "names the control that removes what was typed (widgets/device_choice.py clears both storages)",
        [
            'To remove it, empty the boxes or press "Clear everything this site stored on this device" at the top of '
            "the page; do that before you leave a shared device.",
        ],
    ),
    (
        "content/ui.yaml",
        "progress_privacy: names the control that removes every record (widgets/device_choice.py)",
        [
            "On a shared device, press “Clear everything this site stored on this device” at the top of the page "
            "before you leave.",
        ],
    ),
    (
        "content/04-reporting/facilitator.yaml",
        f"{NOT_SHOWN}; {DOWNLOADS}",
        [
            'It keeps it only as long as your choice of what this device keeps says, and "Clear everything this site '
            'stored on this device" at the top of the page removes it.',
            "Remind people that nothing they type reaches the room or you, that a saved draft stays on their device "
            "until they delete it, and that the draft is a starting point to copy into the body's own form.",
        ],
    ),
    (
        "content/06-choosing/facilitator.yaml",
        f"{NOT_SHOWN}; {DOWNLOADS}",
        [
            "The site does not show them to anyone else, not even me, and you can save the list on your own device.",
            "Remind people that the site keeps their ticks only as long as their choice of what this device keeps "
            "says, and that a saved file stays on their device until they delete it.",
        ],
    ),
    (
        "content/07-review/facilitator.yaml",
        "the certificate is never written to disk; done modules and results show while the tab or browser keeps them",
        [
            "It is made for you now, and the site does not store it, so save it if you want it.",
            "Remind people that the name is used only to print the PDF, which is made on request and not stored.",
            "The certificate lists only the modules that their tab or browser still keeps as done, so people who "
            "closed the tab, reset their progress or used a different device may see fewer modules.",
            'Your "before" shows only if your tab or browser still keeps it.',
        ],
    ),
    # ------------------------------------------------------------------ notebooks
    (
        "notebooks/00_start_here.ipynb",
        POINTS_TO_START,
        [
            "You choose what this device keeps, and you can leave quickly at any time.",
            "How long it is kept depends on your choice of what this device keeps (see Staying safe while you use "
            "this), and you can clear it at any time.",
        ],
    ),
    (
        "notebooks/00_start_here.ipynb",
        BROWSERS,
        [
            "Leaving cannot hide what someone has already seen, and it does not remove this site from your browser "
            "history (GOV.UK).",
            "Your browser (the app you use to open websites) keeps a list of the pages you visit, called your history.",
            "A private window (called Incognito in Chrome, or Private Browsing in Firefox) does not keep your "
            "history, or what you type into forms, after you close it.",
            "If you think someone may be watching your device, use a safer one: a device they cannot reach and "
            "never could, such as a library computer or a friend's phone (NNEDV, Tech Safety Canada).",
            "Then delete its data in your browser's settings for cookies and site data (the small notes websites "
            "leave in your browser): search there for this site's address (GOV.UK, Chrome Help).",
            "Files you download stay on your device.",
            "They stay in your Downloads folder until you delete them (Chrome Help, Tech Safety Canada).",
        ],
    ),
    (
        "notebooks/00_start_here.ipynb",
        DEVICE_WORDS,
        [
            "What this device keeps.",
            "At the top of every page, you choose what this device keeps.",
            "Keep nothing after this tab closes is how the site starts.",
            "Keep my place on this device lets you carry on later, but then anyone who uses this browser could see "
            "your progress.",
            "Clear everything this site stored on this device removes it all at once.",
            "It cannot remove this site from your history: only your browser can do that.",
        ],
    ),
    (
        "notebooks/03_ending_therapy.ipynb",
        f"{POINTS_TO_START}; {DOWNLOADS}",
        [
            "Start here says how long this site keeps it, and how to leave quickly.",
            "A saved file stays on your device until you delete it.",
        ],
    ),
    (
        "notebooks/04_reporting_a_therapist.ipynb",
        f"{POINTS_TO_START}; {DOWNLOADS}",
        [
            "Start here says how long this site keeps it, and how to leave quickly.",
            "You can save the draft as a text file on your own device, and copy what you need into the body's own "
            "form.",
            "A saved file stays on your device until you delete it.",
        ],
    ),
    (
        "notebooks/06_choosing_a_good_therapist.ipynb",
        f"{POINTS_TO_START}; {DOWNLOADS}",
        [
            "Start here says how long this site keeps them, and how to leave quickly.",
            "You can save the list as a text file on your device.",
        ],
    ),
    (
        "notebooks/07_review.ipynb",
        "the review repeats Start here; results and the certificate follow the statement and DOWNLOADS",
        [
            "It showed how to leave a page quickly and how to choose what this device keeps.",
            "Your results from the start page show only if this tab or this browser still keeps them.",
            "This site does not store it, so save it on your own device if you want to keep it.",
            "Each is saved as a file on your own device only when you choose to save it, and stays there until you "
            "delete it.",
        ],
    ),
    # ------------------------------------------------------------------ README.md, "Privacy"
    (
        "README.md",
        "the maintainers' detail behind the statement: widgets/progress.py, widgets/place.py, the certificate, rooms",
        [
            "The learner chooses what their device keeps, and one statement says what is kept.",
            "Progress (which activities are done, assessment results by topic, the last module) and the learner's "
            "place (each quiz's question reached, options chosen and checks; each exercise's answers; each "
            "scenario's decisions; the words typed into the script, checklist and complaint draft) are one "
            "versioned record in the browser.",
            'The choice at the top of every page decides how long it lasts: "Keep nothing after this tab closes" '
            '(the default) holds it for that tab only, until the tab closes; "Keep my place on this device" holds '
            "it in that browser until the learner clears it.",
            '"Clear everything this site stored on this device" removes it at once, and "Reset my progress" on the '
            "start page clears progress and places.",
            "Downloads (the conduct table, an ending script, a checklist, a certificate) are made on request and "
            "saved by the learner's own browser, where they stay in the Downloads folder whatever the choice says.",
            "A record from an unknown version, or one that cannot be read, is discarded with a notice; a damaged or "
            "older place is dropped with its own notice while progress is kept; an item, option or story node that "
            "the content no longer has is dropped quietly (src/therapy_workshop/widgets/place.py).",
            "The certificate is set in memory, in a short-lived child process, and never written to disk.",
            '"Exit this page" (or Shift three times) replaces the page with a weather site at once, but it cannot '
            "hide what someone already saw, and it does not clear the browser's history.",
        ],
    ),
)


# ------------------------------------------------------------------------------------------- reading
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|blockquote|pre|dd|dt|summary)>|<br\s*/?>", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]*\s+(?=[A-Z0-9“\"‘(\[])")


def sentences_of_html(fragment: str) -> list[str]:
    """The sentences a reader sees in an HTML fragment: block by block, then at each sentence's end."""
    marked = _BLOCK_END.sub(lambda match: match.group(0) + "\0", fragment)
    found = []
    for block in marked.split("\0"):
        text = plain_text(block)
        found += [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
    return found


def sentences(markdown: str) -> list[str]:
    """The sentences a reader sees once Markdown is rendered as the app renders it (no emphasis, link text only)."""
    return sentences_of_html(str(render_markdown(markdown)))


def yaml_strings(node: Any) -> Iterator[str]:
    """Every string value in a YAML document (keys are names, not text anyone reads)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from yaml_strings(value)


def readme_privacy(root: Path) -> str:
    """README's "Privacy" section, up to the next section."""
    text = (root / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Privacy\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def content_files(root: Path) -> list[Path]:
    """Every content YAML file except sources' notes (they say what other services do)."""
    return [path for path in sorted((root / "content").rglob("*.yaml")) if path.name != "sources.yaml"]


def markdown_cells(path: Path) -> list[str]:
    return [
        "".join(cell["source"])
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "markdown"
    ]


def texts(root: Path) -> Iterator[tuple[str, list[str]]]:
    """(file, the sentences of one text) for every text read from the files: YAML strings, cells, README."""
    for path in content_files(root):
        name = path.relative_to(root).as_posix()
        for value in yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield name, sentences(value)
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for source in markdown_cells(path):
            yield path.relative_to(root).as_posix(), sentences(source)
    yield "README.md", sentences(readme_privacy(root))


def documents(workshop: Workshop) -> Iterator[tuple[str, list[str]]]:
    """The facilitator guide and each handout as built: the words that code, not content, adds to them."""
    yield "facilitator guide", sentences_of_html(str(guide_body(workshop)))
    for module in workshop.modules[1:]:
        yield f"handout {module.id}", sentences_of_html(str(handout_body(workshop, module.id)))


def without_statement(found: list[str], statement: list[str]) -> tuple[list[str], int]:
    """The sentences left once every whole copy of the statement is taken out, and how many copies there were."""
    left, copies, index = [], 0, 0
    while index < len(found):
        if found[index : index + len(statement)] == statement:
            copies += 1
            index += len(statement)
        else:
            left.append(found[index])
            index += 1
    return left, copies


@pytest.fixture(scope="module")
def statement(workshop: Workshop) -> list[str]:
    return sentences(workshop.ui.privacy_statement)


@pytest.fixture(scope="module")
def findings(workshop: Workshop, repo_root: Path, statement: list[str]) -> dict[str, Any]:
    """Copies of the statement per file, changed copies, and every other sentence about keeping, as (file, sentence)."""
    copies: dict[str, int] = {}
    changed: list[tuple[str, str]] = []
    keeping: list[tuple[str, str]] = []
    read: set[str] = set()
    for where, found in texts(repo_root):
        read.update(found)
        left, count = without_statement(found, statement)
        copies[where] = copies.get(where, 0) + count
        changed += [(where, sentence) for sentence in left if sentence in statement]
        keeping += [(where, sentence) for sentence in left if sentence not in statement and about_keeping(sentence)]
    for where, found in documents(workshop):
        left, _count = without_statement(found, statement)
        # Sentences from the content were checked where they are written (a document may put a label before one
        # or a "turn to" after it); here only the documents' own words.
        keeping += [
            (where, sentence)
            for sentence in left
            if about_keeping(sentence) and not any(known in sentence for known in read if about_keeping(known))
        ]
    return {"copies": copies, "changed": changed, "keeping": keeping}


# ------------------------------------------------------------------------------------------- tests
def test_the_statement_is_plain_and_covers_both_choices_and_rooms(workshop: Workshop, statement: list[str]) -> None:
    text = workshop.ui.privacy_statement
    assert f"“{workshop.ui.device_keep_nothing}”" in text
    assert f"“{workshop.ui.device_keep_place}”" in text
    for words in ("only in this tab", "go when you close it", "until you clear them", "deleted when the room ends"):
        assert words in text
    assert all(len(sentence.split()) <= 40 for sentence in statement), "keep each sentence short"
    assert not OLD_PROMISE.search(text)


def test_the_start_page_and_readme_repeat_the_statement_word_for_word(findings: dict[str, Any]) -> None:
    for where in ("notebooks/00_start_here.ipynb", "README.md", "content/ui.yaml"):
        assert findings["copies"][where] == 1, (
            f"{where} must hold content/ui.yaml's privacy_statement once, word for word"
        )
    assert findings["changed"] == [], "a copy of the privacy statement differs from content/ui.yaml's: " + str(
        findings["changed"]
    )


def test_every_sentence_about_keeping_is_the_statement_or_checked(findings: dict[str, Any]) -> None:
    unchecked = [f"{where}: {sentence}" for where, sentence in findings["keeping"] if (where, sentence) not in CHECKED]
    assert unchecked == [], (
        "sentences about what this site keeps that are neither the privacy statement (content/ui.yaml) nor "
        "checked in tests/test_privacy_words.py CHECKED:\n" + "\n".join(unchecked)
    )


def test_every_checked_sentence_is_still_there(findings: dict[str, Any]) -> None:
    found = set(findings["keeping"])
    stale = [f"{where}: {sentence}" for where, sentence in CHECKED if (where, sentence) not in found]
    assert stale == [], "CHECKED lists sentences that are gone or no longer about keeping:\n" + "\n".join(stale)


def test_the_old_promise_appears_nowhere(repo_root: Path, workshop: Workshop) -> None:
    places: list[tuple[str, str]] = []
    for path in sorted((repo_root / "content").rglob("*.yaml")):
        places.append((path.relative_to(repo_root).as_posix(), path.read_text(encoding="utf-8")))
    for path in sorted((repo_root / "notebooks").glob("*.ipynb")):
        places.append((path.relative_to(repo_root).as_posix(), "\n".join(markdown_cells(path))))
    places.append(("README.md", (repo_root / "README.md").read_text(encoding="utf-8")))
    places += [(where, " ".join(found)) for where, found in documents(workshop)]
    promises = [
        f"{where}: {match.group(0)!r}"
        for where, text in places
        for match in OLD_PROMISE.finditer(" ".join(text.split()))
    ]
    assert promises == [], "the old promise is back (this site keeps what the learner's choice says):\n" + "\n".join(
        promises
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Nothing you choose is saved.",
        "Nothing you pick or type here is sent anywhere.",
        "Your answers are gone when you close the page.",
        "It is not a test and nothing is marked on a server.",
        "Nothing is stored or sent; you can save it.",
        "It is made for you now and not kept anywhere.",
    ],
)
def test_the_old_promise_and_its_variants_are_recognised(sentence: str) -> None:
    assert OLD_PROMISE.search(sentence)
    assert about_keeping(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Keep a copy of what you send.",
        "Send copies and keep the originals somewhere safe and private.",
        "In Australia, such decisions are kept on record.",
        "If you are kept in hospital under that law, you cannot simply leave.",
        "Fidelity: keep promises and be trustworthy.",
    ],
)
def test_lesson_sentences_about_records_and_copies_are_not_mistaken_for_privacy_words(sentence: str) -> None:
    assert not about_keeping(sentence)
