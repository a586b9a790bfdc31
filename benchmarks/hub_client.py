"""A temporary user arriving at a workshop hub without a browser: the hub's login, the spawn, then the app.

Twenty Chromium pages on the same two cores as the hub measure mostly Chromium (each page parses several MB of
JavaScript). In a real room each person brings their own device, so this client does what the browser asks of
the hub and nothing else: ``/hub/tmplogin`` and the redirects after it (the hub's cookies, the OAuth round trip
to the participant's own server, the "your server is starting" page while it starts), then the app's page, its
kernel's websocket and the widget state, as :class:`room_client.Participant` does against ``make app``. One
Chromium participant in the bench measures what a person sees on top.
"""

from __future__ import annotations

import asyncio
import time
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

from room_client import Participant
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

APP = "voila/render/notebooks/app.ipynb"


class HubVisitor(Participant):
    """A participant whose server the hub starts for them; its requests carry the hub's cookies."""

    def __init__(self, hub_url: str) -> None:
        super().__init__(base_url="")
        self.hub_url = hub_url
        self.cookies: dict[str, str] = {}
        self.user = ""
        self._landed = ""  # the app's page, when the login's redirects ended on it (its kernel is this page's)

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    async def _get(self, url: str, timeout: float) -> tuple[str, str]:
        """GET ``url`` and follow redirects by hand, keeping cookies (the OAuth round trip needs them)."""
        client = AsyncHTTPClient()
        for _ in range(20):
            try:
                response = await client.fetch(
                    HTTPRequest(url, headers=self._headers(), follow_redirects=False, request_timeout=timeout)
                )
            except HTTPClientError as error:
                if error.code not in (301, 302, 303, 307) or error.response is None:
                    raise
                response = error.response
            for header in response.headers.get_list("Set-Cookie"):
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.code in (301, 302, 303, 307):
                url = urljoin(url, response.headers["Location"])
                continue
            return url, response.body.decode("utf-8", "replace")
        raise RuntimeError(f"too many redirects, last {url}")

    async def arrive(self, timeout: float = 300) -> None:
        """Log in as a new temporary user and wait until their server serves the app, then open it."""
        deadline = time.monotonic() + timeout
        url, body = await self._get(self.hub_url + "/hub/tmplogin", timeout)
        if urlsplit(url).path.endswith(APP):
            self._landed = body
        while "/hub/spawn-pending/" in urlsplit(url).path:  # the hub's "your server is starting" page
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not start in time")
            await asyncio.sleep(0.5)
            # A cheap address on the user's server (its version, one of the few it serves to anyone but the app's
            # page): asking for the app page here would start a kernel too.
            url, _body = await self._get(self.hub_url + "/hub/user-redirect/api", timeout)
        path = urlsplit(url).path
        if "/user/" not in path:
            raise RuntimeError(f"the hub did not send the visitor to their server: {url}")
        self.user = path.split("/user/", 1)[1].split("/", 1)[0]
        self.base_url = f"{self.hub_url}/user/{self.user}/"
        await self.open(timeout=max(1.0, deadline - time.monotonic()))

    async def fetch_page(self, timeout: float) -> str:
        """The app's page with the hub's cookies (the Participant's own GET would have none), fetched once."""
        if self._landed:
            body, self._landed = self._landed, ""
            return body
        _url, body = await self._get(self.base_url + APP, timeout)
        return body

    def socket_headers(self) -> dict[str, str]:
        """The kernel's websocket is authenticated by the same cookies."""
        return self._headers()
