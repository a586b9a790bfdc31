"""The serving knobs: ``make app ROOM=N`` becomes a pool for app.ipynb and, for a room, a delayed refill; the
limits on participant kernels, the "full" page and what the facilitator's terminal is told."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port
from tornado.web import Application

from therapy_workshop.shell.full_page import FullPageWords, full_page_html, retry_url
from therapy_workshop.shell.kernel_limits import KernelLimits, default_max_kernels, kernel_limits
from therapy_workshop.shell.kernel_watch import ParticipantKernelManager
from therapy_workshop.shell.participants import Due, ParticipantKernels, Place
from therapy_workshop.shell.serve import NoDelayConnection, WorkshopVoila
from therapy_workshop.validate.loader import load_workshop

REPO = Path(__file__).resolve().parents[1]


def configured(*argv: str, monkeypatch: pytest.MonkeyPatch) -> WorkshopVoila:
    monkeypatch.chdir(REPO)  # voila.json is read from the working folder, as under `make app`
    server = WorkshopVoila()
    server.initialize([*argv, "notebooks/app.ipynb"])
    return server


def test_room_sizes_the_app_pool_and_delays_the_refill(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=30", monkeypatch=monkeypatch)
    manager = server.config.VoilaKernelManager
    assert manager.kernel_pools_config == {"default": {"pool_size": 0}, "app.ipynb": {"pool_size": 30}}
    assert manager.fill_delay == 60


def test_a_small_pool_refills_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=2", monkeypatch=monkeypatch)
    manager = server.config.VoilaKernelManager
    assert manager.kernel_pools_config["app.ipynb"] == {"pool_size": 2}
    assert "fill_delay" not in manager


def test_an_explicit_refill_delay_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=30", "--VoilaKernelManager.fill_delay=5", monkeypatch=monkeypatch)
    assert float(server.config.VoilaKernelManager.fill_delay) == 5  # kept as typed; the manager parses it


def test_without_room_the_pool_comes_from_voila_json(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured(monkeypatch=monkeypatch)
    assert server.config.VoilaKernelManager.kernel_pools_config["app.ipynb"] == {"pool_size": 2}


def test_a_negative_room_is_refused_with_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        configured("--room=-1", monkeypatch=monkeypatch)
    assert (
        "Bad config encountered during initialization: The value of the 'room' trait of a WorkshopVoila "
        "instance should not be less than 0, but a value of -1 was specified" in capsys.readouterr().err
    )


def test_kernel_websockets_send_small_frames_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured(monkeypatch=monkeypatch).kernel_websocket_connection_class is NoDelayConnection


# Kernel limits: the cap on participant kernels, and how long a kernel may go without its page.


def test_the_cap_is_two_kernels_a_person_and_never_below_ten() -> None:
    assert [default_max_kernels(room) for room in (0, 2, 5, 6, 30, 100)] == [10, 10, 10, 12, 60, 200]


def test_limits_default_from_the_room(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=30", monkeypatch=monkeypatch)
    assert server.kernel_limits == KernelLimits(max_kernels=60, cull_after=600, connect_within=60)
    assert server.kernel_limits.check_every == 6


def test_limits_default_for_make_apps_own_room_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=2", monkeypatch=monkeypatch)
    assert server.kernel_limits == KernelLimits(max_kernels=10, cull_after=600, connect_within=60)


def test_every_limit_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured(
        "--room=30", "--max-kernels=40", "--cull-after=120", "--connect-within=20", monkeypatch=monkeypatch
    )
    assert server.kernel_limits == KernelLimits(max_kernels=40, cull_after=120, connect_within=20, max_kernels_set=True)
    assert "at most 40 (MAX_KERNELS; about 2400 MB)" in server.kernel_limits.describe(30)


def test_kernels_are_checked_ten_times_a_window_within_half_a_second_and_thirty() -> None:
    assert kernel_limits(2, cull_after=10, connect_within=5).check_every == 0.5
    assert kernel_limits(2, cull_after=100, connect_within=60).check_every == 6
    assert kernel_limits(2, cull_after=3600, connect_within=600).check_every == 30


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (
            "--max-kernels=-1",
            "--max-kernels (MAX_KERNELS) must be a number of kernels, or 0 to derive it from ROOM, not -1",
        ),
        (
            "--cull-after=0",
            "--cull-after (CULL_AFTER) must be at least 1 second, not 0: it is how long a kernel whose page has gone "
            "is kept (connected pages always keep theirs)",
        ),
        (
            "--connect-within=-5",
            "--connect-within (CONNECT_WITHIN) must be at least 1 second, not -5: it is how long a page may take to "
            "connect to the kernel it was given",
        ),
    ],
)
def test_a_limit_that_cannot_work_is_refused_with_a_message(
    flag: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        configured(flag, monkeypatch=monkeypatch)
    assert f"Bad config encountered during initialization: {message}\n" in capsys.readouterr().err


def test_a_limit_that_is_not_a_number_is_refused_by_traitlets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        configured("--cull-after=soon", monkeypatch=monkeypatch)
    assert (
        "Bad config encountered during initialization: The 'cull_after' trait of a WorkshopVoila instance expected "
        "an int, not the str 'soon'." in capsys.readouterr().err
    )


def test_a_negative_room_is_refused_by_the_limits_too() -> None:
    with pytest.raises(ValueError, match=r"^--room \(ROOM\) must be 0 or more people, not -1$"):
        kernel_limits(-1)


def test_a_cap_below_the_room_is_warned_about() -> None:
    assert kernel_limits(30, max_kernels=20).room_warning(30) == (
        "MAX_KERNELS=20 is less than ROOM=30: only 20 people can have the app open at once; the others see the "
        "'workshop is full' page."
    )
    assert kernel_limits(30).room_warning(30) is None


def test_voila_builds_its_pool_on_the_manager_that_watches_participants(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured(monkeypatch=monkeypatch)
    assert server.voila_configuration.multi_kernel_manager_class is ParticipantKernelManager


# The places for participant kernels: who is let in, which kernels are due, what the terminal is told.

LIMITS = KernelLimits(max_kernels=3, cull_after=600, connect_within=60)


def participants(limits: KernelLimits = LIMITS) -> tuple[ParticipantKernels, list[str]]:
    said: list[str] = []
    return ParticipantKernels(limits, announce=said.append), said


def page(kernels: ParticipantKernels, kernel_id: str, sent_at: float = 0.0) -> Place:
    place = kernels.admit()
    assert place is not None
    kernels.took(place, kernel_id)
    kernels.sent(place, sent_at)
    return place


def test_a_place_counts_before_its_kernel_exists_so_a_burst_cannot_overshoot() -> None:
    kernels, _ = participants()
    places = [kernels.admit() for _ in range(5)]
    assert [place is not None for place in places] == [True, True, True, False, False]
    assert kernels.count == 3


def test_a_request_that_took_no_kernel_gives_its_place_back() -> None:
    kernels, _ = participants()
    place = kernels.admit()
    assert place is not None
    kernels.sent(place, 1.0)  # Voilà failed before handing a kernel over
    assert kernels.count == 0


def test_the_terminal_is_told_once_when_full_and_again_only_after_it_was_not() -> None:
    kernels, said = participants()
    for kernel_id in ("a", "b", "c"):
        page(kernels, kernel_id)
    assert kernels.admit() is None
    assert kernels.admit() is None
    assert said == [
        "The workshop is full: 3 participant kernels are running (MAX_KERNELS=3). New visitors see the 'full' page "
        "until one leaves."
    ]
    kernels.forget("a")
    page(kernels, "d")
    assert len(said) == 2


def test_a_single_kernel_is_said_in_the_singular() -> None:
    kernels, said = participants(KernelLimits(max_kernels=1, cull_after=600, connect_within=60))
    page(kernels, "a")
    assert said == [
        "The workshop is full: 1 participant kernel is running (MAX_KERNELS=1). New visitors see the 'full' page "
        "until one leaves."
    ]


def test_a_page_that_never_connects_frees_its_kernel_after_connect_within() -> None:
    kernels, _ = participants()
    page(kernels, "bot", sent_at=100.0)
    assert kernels.due(159.0) == []
    assert kernels.due(160.0) == [Due("bot", "its page never connected (CONNECT_WITHIN=60)")]
    assert kernels.due(200.0) == []  # returned once; it keeps its place until its shutdown has finished
    assert kernels.count == 1
    kernels.forget("bot")
    assert kernels.count == 0


def test_no_kernel_is_freed_while_its_page_is_still_being_sent() -> None:
    kernels, _ = participants()
    place = kernels.admit()
    assert place is not None
    kernels.took(place, "slow")
    assert kernels.due(10_000.0) == []
    kernels.sent(place, 10_000.0)
    assert kernels.due(10_059.0) == []


def test_a_connected_page_keeps_its_kernel_however_idle() -> None:
    kernels, _ = participants()
    page(kernels, "reader")
    kernels.connections_changed("reader", 1, 1.0)
    assert kernels.due(1_000_000.0) == []


def test_a_page_gone_for_cull_after_frees_its_kernel_counted_from_its_last_connection() -> None:
    kernels, _ = participants()
    page(kernels, "phone")
    kernels.connections_changed("phone", 2, 5.0)  # two tabs' worth of websockets
    kernels.connections_changed("phone", 1, 1000.0)
    kernels.connections_changed("phone", 0, 2000.0)
    assert kernels.due(2599.0) == []
    assert kernels.due(2600.0) == [Due("phone", "its page has had no connection for 600 s (CULL_AFTER=600)")]


def test_a_page_that_comes_back_in_time_keeps_its_kernel() -> None:
    kernels, _ = participants()
    page(kernels, "laptop")
    kernels.connections_changed("laptop", 1, 1.0)
    kernels.connections_changed("laptop", 0, 10.0)
    kernels.connections_changed("laptop", 1, 500.0)
    assert kernels.due(5000.0) == []


def test_kernels_the_server_no_longer_has_are_forgotten() -> None:
    kernels, _ = participants()
    page(kernels, "crashed")
    page(kernels, "alive")
    kernels.keep_only({"alive", "pool-kernel"})
    assert "crashed" not in kernels
    assert kernels.count == 1


def test_pool_kernels_are_not_participants() -> None:
    kernels, _ = participants()
    kernels.connections_changed("pool-kernel", 0, 1.0)
    assert "pool-kernel" not in kernels
    assert kernels.due(1_000_000.0) == []


def test_the_stock_culler_leaves_participant_kernels_alone() -> None:
    manager = ParticipantKernelManager()
    kernels, _ = participants()
    manager.participants = kernels
    page(kernels, "reader")
    # jupyter_server's culler would look the kernel up and fail (it does not exist here): it must not get that far.
    asyncio.run(manager.cull_kernel_if_idle("reader"))
    with pytest.raises(KeyError):
        asyncio.run(manager.cull_kernel_if_idle("not-a-participant"))


# The "full" page.

WORDS = FullPageWords(title="Full <now>", detail="Kept & safe.", try_again="Try again")


def test_the_full_page_says_it_in_the_workshops_words_and_escapes_everything() -> None:
    page_html = full_page_html(WORDS, retry_url("/", 'module=03-ending&x="><script>'))
    assert page_html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Full &lt;now&gt;</title>" in page_html
    assert "<h1>Full &lt;now&gt;</h1>" in page_html
    assert "<p>Kept &amp; safe.</p>" in page_html
    assert '<a href="/?module=03-ending&amp;x=&#34;&gt;&lt;script&gt;">Try again</a>' in page_html
    # One inline script (the key leaves the address bar); nothing loaded from this server or anywhere else.
    assert page_html.count("<script") == 1 and "<script>" in page_html and "src=" not in page_html
    assert "http" not in page_html


def test_the_full_page_uses_the_strings_from_ui_yaml() -> None:
    ui = load_workshop(REPO).ui
    words = FullPageWords.from_ui(ui)
    assert (words.title, words.detail, words.try_again) == (ui.workshop_full, ui.workshop_full_detail, ui.try_again_now)


def test_try_again_goes_to_the_same_address() -> None:
    assert retry_url("/", "") == "/"
    assert retry_url("/", "module=03-ending") == "/?module=03-ending"


def test_try_again_never_carries_the_facilitators_key() -> None:
    assert (
        retry_url("/", "view=facilitator&key=secret-key-123&module=02-conduct")
        == "/?view=facilitator&module=02-conduct"
    )
    assert retry_url("/", "key=secret-key-123") == "/"
    page = full_page_html(
        FullPageWords("Full", "Wait.", "Try again"), retry_url("/", "key=secret-key-123&view=facilitator")
    )
    assert "secret-key-123" not in page
    assert '<a href="/?view=facilitator">Try again</a>' in page


def serve_once(server: WorkshopVoila, tmp_path: Path, path: str) -> HTTPResponse:
    """Build the server's Tornado app in this process (no kernels: the pool is off) and make one request."""

    async def fetch() -> HTTPResponse:
        server.connection_dir = str(tmp_path)
        app = Application(**server.init_settings())
        app.add_handlers(".*$", server.init_handlers())
        sock, port = bind_unused_port()
        http = HTTPServer(app)
        http.add_sockets([sock])
        try:
            server.participants.admit()  # the only place is taken
            return await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}{path}", raise_error=False)
        finally:
            http.stop()

    return asyncio.run(fetch())


def test_past_the_cap_a_visitor_gets_the_full_page_with_503_and_retry_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = configured("--max-kernels=1", "--VoilaConfiguration.preheat_kernel=False", monkeypatch=monkeypatch)
    ui = load_workshop(REPO).ui
    with caplog.at_level(logging.DEBUG):
        response = serve_once(server, tmp_path, "/?module=03-ending&a=<b>")
    assert response.code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    body = response.body.decode()
    assert f"<h1>{ui.workshop_full}</h1>" in body
    assert '<a href="/?module=03-ending&amp;a=&lt;b&gt;">' in body
    assert server.participants.count == 1  # it took no place, and no kernel was started
    assert server.kernel_manager.list_kernel_ids() == []
    # The terminal said "full" once, when the place was taken; the 503 is no warning or error line of its own.
    assert [record.getMessage() for record in caplog.records if "503" in record.getMessage()] == []
