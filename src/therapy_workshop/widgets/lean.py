"""Widget kinds that share one empty ``Layout`` (and one ``Style`` per kind) instead of each making their own.

Every ipywidgets DOM widget creates a ``Layout`` model and most create a ``Style`` model too: three models, so
three messages from the kernel, for each paragraph or button. Opening module 02 made 246 models, 144 of them
empty layouts and styles. Sharing them cut the kernel's time to open a module by about a third (module 02:
63 → 41 ms, measured in a kernel). A shared model must never change, so nothing in this package writes to a
shared layout or style: hiding goes through a CSS class (``feedback.set_hidden``), and a widget that needs its
own size is given its own ``widgets.Layout(...)`` explicitly, which these defaults never replace.

The same goes for CSS classes: ``add_class`` after a widget is made sends one more message per widget, so these
kinds take their classes when they are made (``css_classes`` on a class, ``classes=`` for one widget), and the
classes travel in the message that opens the widget.

Only the package's own widgets use these kinds; widgets a learner makes in JupyterLab are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

import ipywidgets as widgets
import traitlets
from ipywidgets.widgets.widget_button import ButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle

Shared = TypeVar("Shared", bound=widgets.Widget)
_SHARED: dict[type[widgets.Widget], widgets.Widget] = {}


def shared(kind: type[Shared]) -> Shared:
    """The one instance of ``kind`` this kernel shares, made again if something closed it."""
    existing = _SHARED.get(kind)
    if existing is None or existing.comm is None:  # Widget.close() drops the comm
        existing = _SHARED[kind] = kind()
    return existing  # type: ignore[no-any-return]


class SharedLayout(traitlets.HasTraits):
    """Mixin for DOM widgets: the default layout is the shared empty one, and CSS classes come with the widget."""

    #: CSS classes every widget of this kind has from the start.
    css_classes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, classes: Sequence[str] = (), **kwargs: Any) -> None:
        names = (*kwargs.pop("_dom_classes", ()), *self.css_classes, *classes)
        if names:
            kwargs["_dom_classes"] = names
        super().__init__(*args, **kwargs)

    @traitlets.default("layout")
    def _default_layout(self) -> widgets.Layout:
        return shared(widgets.Layout)


class HTML(SharedLayout, widgets.HTML):
    """``widgets.HTML`` with the shared layout and style."""

    @traitlets.default("style")
    def _default_style(self) -> HTMLStyle:
        return shared(HTMLStyle)


class Button(SharedLayout, widgets.Button):
    """``widgets.Button`` with the shared layout and style (its colour comes from ``button_style``)."""

    @traitlets.default("style")
    def _default_style(self) -> ButtonStyle:
        return shared(ButtonStyle)


class Box(SharedLayout, widgets.Box):
    """``widgets.Box`` with the shared layout."""


class HBox(SharedLayout, widgets.HBox):
    """``widgets.HBox`` with the shared layout."""


class VBox(SharedLayout, widgets.VBox):
    """``widgets.VBox`` with the shared layout; the base of the package's composite widgets."""
