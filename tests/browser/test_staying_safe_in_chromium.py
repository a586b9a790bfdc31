"""The "Staying safe while you use this" part of the start page, reached from "Need support?" on any page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import VoilaServer
from .test_app_in_chromium import WORKSHOP, open_app, wait_until_rendered
from .test_room_in_chromium import serious_violations

PART = "Staying-safe-while-you-use-this"


def test_need_support_leads_to_staying_safe_on_the_start_page(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server, "?module=04-reporting")
    panel = page.locator(".tw-support")
    panel.locator("summary").click()
    panel.get_by_role("link", name="Staying safe while you use this").click()
    page.wait_for_selector(f'.tw-module-title[data-module="{WORKSHOP.modules[0].id}"]')
    wait_until_rendered(page)
    heading = page.locator(f"#{PART}")
    expect(heading).to_be_focused()  # keyboard and screen-reader users land on the part, not the page's top
    expect(heading).to_be_in_viewport()
    assert page.url.endswith("?module=00-start")  # one page, one address: a reload opens the start page
    assert serious_violations(page) == []


def test_the_link_on_the_start_page_itself_moves_to_the_part(page: Any, voila_server: VoilaServer) -> None:
    open_app(page, voila_server)
    page.locator(".tw-support summary").click()
    page.locator(".tw-support").get_by_role("link", name="Staying safe while you use this").click()
    expect(page.locator(f"#{PART}")).to_be_focused()
