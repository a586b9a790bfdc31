"""Shared layouts and styles: fewer models per page, and hiding one control never hides another."""

from __future__ import annotations

import ipywidgets as widgets

from therapy_workshop.widgets import lean
from therapy_workshop.widgets.feedback import set_hidden


def test_package_widgets_share_one_layout_and_one_style_per_kind() -> None:
    first, second = lean.HTML("one"), lean.HTML("two")
    button = lean.Button(description="Check")
    box = lean.VBox([first, second, button])
    assert first.layout is second.layout is button.layout is box.layout
    assert first.style is second.style
    assert button.style is not first.style


def test_a_widget_given_its_own_layout_keeps_it() -> None:
    own = widgets.Layout(width="10rem")
    assert lean.HTML("sized", layout=own).layout is own


def test_widgets_made_elsewhere_are_untouched() -> None:
    assert widgets.HTML("a learner's own").layout is not lean.HTML("ours").layout


def test_hiding_one_control_leaves_the_others_visible() -> None:
    check, retry = lean.Button(description="Check"), lean.Button(description="Try again")
    set_hidden(retry, True)
    assert retry.layout.display == "none"
    assert check.layout.display is None
    assert lean.shared(widgets.Layout).display is None
    set_hidden(retry, False)
    assert retry.layout.display is None


def test_a_closed_shared_layout_is_made_again() -> None:
    lean.shared(widgets.Layout).close()
    fresh = lean.HTML("after close")
    assert fresh.layout.comm is not None
