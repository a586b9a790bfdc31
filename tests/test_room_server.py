"""The server's room side: the export only with the key, small counts withheld, the store gone at stop."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from tornado.httpclient import HTTPResponse
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from therapy_workshop.room.catalogue import build_catalogue
from therapy_workshop.room.store import RoomStore
from therapy_workshop.shell import access
from therapy_workshop.shell.room_server import EXPORT_PASS_COOKIE, RoomService, facilitator_link
from therapy_workshop.validate.loader import load_workshop

REPO = Path(__file__).resolve().parents[1]
FIRST = "quiz:01-rights:rights-end-any-time"
SECOND = "quiz:01-rights:rights-consent-ongoing"


class ExportTest(AsyncHTTPTestCase):
    """A room with 5 answers to one question and 2 to another, exported as the facilitator would."""

    def get_app(self) -> Application:
        self.environ: dict[str, str] = {}
        self.tmp = Path(tempfile.mkdtemp())
        self.service = RoomService(self.environ, runtime=self.tmp)
        self.key = self.service.key
        self.patch = pytest.MonkeyPatch()
        self.patch.setenv(access.DIGEST_VARIABLE, self.environ[access.DIGEST_VARIABLE])
        store = RoomStore(self.service.store_path, build_catalogue(load_workshop(REPO)))
        self.code = store.open_room().code
        for number in range(5):
            token = store.join(self.code)
            store.record(self.code, token, FIRST, [number % 2])
            if number < 2:
                store.record(self.code, token, SECOND, [0])
        store.close()
        return Application(self.service.handlers())

    def tearDown(self) -> None:
        self.patch.undo()
        self.service.delete()
        super().tearDown()

    def export(self, path: str, key: str | None = None) -> HTTPResponse:
        """What a script gets with the key in the header."""
        return self.fetch(path, headers={"Authorization": f"Bearer {key or self.key}"})

    def test_without_the_key_every_room_address_is_forbidden(self) -> None:
        for path in ("/room/results.json", "/room/results.csv", "/room/anything", "/room/results.json?key=wrong"):
            response = self.fetch(path)
            assert (response.code, response.body) == (403, b"Forbidden"), path
        wrong = self.fetch("/room/results.json", headers={"Authorization": "Bearer wrong-key"})
        assert (wrong.code, wrong.body) == (403, b"Forbidden")
        forged = self.fetch("/room/results.json", headers={"Cookie": f"{EXPORT_PASS_COOKIE}={self.key}"})
        assert (forged.code, forged.body) == (403, b"Forbidden")  # a pass is never the key itself

    def test_a_link_with_the_key_drops_it_from_the_address_and_gives_this_browser_a_pass(self) -> None:
        response = self.fetch(f"/room/results.csv?room={self.code}&key={self.key}", follow_redirects=False)
        assert response.code == 303
        assert response.headers["Location"] == f"/room/results.csv?room={self.code}"
        assert response.headers["Cache-Control"] == "no-store"
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"{EXPORT_PASS_COOKIE}=") and self.key not in cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/room/" in cookie
        given = cookie.split(";")[0]
        served = self.fetch(f"/room/results.csv?room={self.code}", headers={"Cookie": given})
        assert served.code == 200 and served.body.decode().startswith("room,activity,text,option")

    def test_a_pass_expires(self) -> None:
        self.service.passes.lifetime = 0
        response = self.fetch(f"/room/results.json?key={self.key}", follow_redirects=False)
        given = response.headers["Set-Cookie"].split(";")[0]
        assert self.fetch("/room/results.json", headers={"Cookie": given}).code == 403

    def test_the_export_lists_only_activities_with_enough_answers(self) -> None:
        response = self.export("/room/results.json")
        assert response.code == 200
        assert response.headers["Cache-Control"] == "no-store"
        rows = json.loads(response.body)["results"]
        assert {row["activity"] for row in rows} == {FIRST}
        counts = {row["option"][:30]: row["count"] for row in rows}
        assert sum(counts.values()) == 5
        assert all(row["answered"] == 5 and row["room"] == self.code for row in rows)
        assert self.key.encode() not in response.body

    def test_the_csv_says_the_same_as_the_json(self) -> None:
        as_json = json.loads(self.export("/room/results.json").body)["results"]
        response = self.export(f"/room/results.csv?room={self.code.lower()}")
        assert response.headers["Content-Disposition"] == 'attachment; filename="room-results.csv"'
        as_csv = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
        assert [{key: str(value) for key, value in row.items()} for row in as_json] == as_csv

    def test_an_unknown_room_or_file_is_not_found(self) -> None:
        assert self.export("/room/results.json?room=ZZZZZZ").code == 404
        assert self.export("/room/secrets.txt").code == 404


def test_the_service_tells_kernels_where_the_store_is_and_deletes_it_at_stop(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    service = RoomService(environ, runtime=tmp_path)
    assert environ["THERAPY_WORKSHOP_ROOM_DB"] == str(service.store_path)
    assert environ[access.DIGEST_VARIABLE] == access.digest(service.key)
    store = RoomStore(service.store_path)
    store.open_room()
    store.close()
    assert service.store_path.exists()
    service.delete()
    assert not any(tmp_path.iterdir())


def test_the_facilitator_link_names_an_address_the_room_can_reach() -> None:
    assert (
        facilitator_link("127.0.0.1", 8866, "k" * 43)
        == f"Facilitator view: http://127.0.0.1:8866/?view=facilitator&key={'k' * 43}"
    )
    shown = facilitator_link("0.0.0.0", 8866, "k" * 43)
    assert "0.0.0.0" not in shown and shown.endswith(f":8866/?view=facilitator&key={'k' * 43}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("five", "ROOM_MINIMUM must be a whole number of answerers, not 'five'"),
        ("0", "ROOM_MINIMUM: the minimum count is 1 to 1000 answerers, not 0"),
    ],
)
def test_a_room_minimum_that_cannot_be_used_stops_the_server_with_a_reason(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        RoomService({"ROOM_MINIMUM": value}, runtime=tmp_path)
    assert str(caught.value) == message


def test_rooms_take_the_servers_minimum(tmp_path: Path) -> None:
    assert RoomService({"ROOM_MINIMUM": "3"}, runtime=tmp_path).settings.minimum_count == 3
    assert RoomService({}, runtime=tmp_path).settings.minimum_count == 5
