"""Text downloads (a summary table, an ending script) made in the learner's browser, never on the server."""

from __future__ import annotations

import anywidget
import traitlets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text


class DownloadButton(lean.SharedLayout, anywidget.AnyWidget):
    """A labelled button that saves ``text`` as ``filename`` on the learner's device."""

    _esm = static_text("download.js")

    label = traitlets.Unicode("Download", help="Words on the button.").tag(sync=True)
    filename = traitlets.Unicode("download.txt", help="Name the file is saved under.").tag(sync=True)
    text = traitlets.Unicode("", help="What the file will contain; the button is disabled while empty.").tag(sync=True)
    data_base64 = traitlets.Unicode("", help="A binary file (e.g. a PDF), base64-encoded; used instead of text.").tag(
        sync=True
    )
    mime = traitlets.Unicode("application/octet-stream", help="Media type of the binary file.").tag(sync=True)
    downloads = traitlets.Int(0, help="How many times the learner saved the file (counted in the page).").tag(sync=True)
