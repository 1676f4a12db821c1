"""The display's Kivy app: wires the server (board + events), controller, screen and voice.

Threads: the event stream and two Workers (network, voice rendering) never
touch widgets; they put what they got in `_inbox` and wake the UI thread,
which handles it in arrival order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics.opengl import glFlush
from kivy.lang import Builder

from display.audio import SoundSequence, audio_problem
from display.controller import Call, DisplayController
from display.media import PlaylistPlayer
from display.net import BoardClient
from display.publish import Slide, slides
from display.screens import BoardScreen
from display.settings import Settings
from display.texts import text
from display.voice import Renderer, make_renderer
from display.wire import Board, Event, parse_event
from shared.discovery import ServerLocator
from shared.errors import AntrianError, ServerUnavailable
from shared.i18n import tr
from shared.stream import EventStream
from shared.timeutil import format_date, format_time, local_now
from shared.worker import Worker

log = logging.getLogger(__name__)

KV = Path(__file__).with_name("board.kv")
HEARTBEAT_SECONDS = 30.0  # tell the server the TV is there, its voice and last event
REFRESH_SECONDS = 60.0  # a fresh snapshot now and then corrects any drift in waiting counts
RETRY_FIRST, RETRY_CAP = 0.5, 5.0  # board retries: a restarted server is back within seconds
# An audio device that does not play is looked at again this often (seconds); calls
# are not tried (nor logged, by Kivy, each one) meanwhile.
VOICE_RECHECK_SECONDS = 60.0


class DisplayApp(App):
    """One TV: keeps itself connected, shows the board, reads out each call once."""

    title = "Antrian MPP"

    def __init__(
        self,
        site: Settings,
        server_url: str | None,
        *,
        trace_path: str | None = None,
        renderer: Renderer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.controller = DisplayController(site)
        d = site.display
        self.locator = ServerLocator(
            server_url or None, site.client.site or None, list(d.zeroconf_interfaces) or None
        )
        self.token = site.client.token or None
        self.net = Worker("display-net")
        self.voice_worker = Worker("display-voice")
        self.renderer = renderer if renderer is not None else make_renderer(site)
        self.sounds = SoundSequence()
        self.stream: EventStream[Event] | None = None
        self.screen: BoardScreen | None = None
        self.trace_path = trace_path
        self._inbox: deque[tuple[str, Any]] = deque()
        self._wake: Callable[[], None] = lambda: None
        self._clients: dict[str, BoardClient] = {}
        self._board_loading = False
        self._board_again = False
        self._refresh_again = False
        self._failures = 0
        self._shown_spot: Call | None = None
        self._shown_slide: Slide | None = None
        self._info_loading = False
        self.playlist: PlaylistPlayer | None = None
        self._stopped = threading.Event()
        self._clock_events: list[Any] = []
        self._audio_down = False  # the audio device did not play: calls are not tried

    # -- Kivy life cycle -----------------------------------------------------------

    def build(self) -> BoardScreen:
        Builder.unload_file(str(KV))  # a second app in one process (tests) loads it again
        Builder.load_file(str(KV))
        screen = BoardScreen()
        self.screen = screen
        screen.site_name = self.site.site.name
        screen.logo = self.site.site.logo
        screen.marquee_text = self.site.display.marquee
        screen.connecting_text = tr("connecting")
        screen.voice_text = text("voice_off")
        screen.spot_label = screen.call_label = tr("now_calling")
        screen.recent_title = text("recent_calls")
        screen.waiting_title = text("waiting_title")
        self._wake = Clock.create_trigger(self._drain, 0)
        from kivy.core.window import Window  # the window exists by now: build() runs in it

        Window.bind(on_flip=self._flush_frame)
        self._clock_events = [
            Clock.schedule_interval(self._tick, 0.25),
            Clock.schedule_interval(self._update_clock, 1.0),
            Clock.schedule_interval(self._refresh, REFRESH_SECONDS),
            Clock.schedule_interval(self._heartbeat, HEARTBEAT_SECONDS),
        ]
        d = self.site.display
        self.playlist = PlaylistPlayer(
            screen.ids.media, d.playlist_seconds, d.video_volume, d.duck_volume
        )
        # a playing video is lowered while a call is read out, and restored after it
        screen.bind(announcing=lambda _screen, on: self._duck(on))
        self.load_playlist()
        self._update_clock(0)
        screen.show_spotlight(None, "", flash=False)
        self.redraw()
        self.request_board(resync=True)
        return screen

    def _after_first_board(self) -> None:
        """Start what can wait until the board shows: the running text and the voice.

        Both hold the interpreter: software GL draws each marquee frame (~75 ms at
        1080p) and importing hardware/ takes a second. Started together with the
        first GET /board they held its answer back by seconds.
        """
        if self.screen is None:
            return
        self._clock_events.append(Clock.schedule_interval(self.screen.ids.marquee.step, 1 / 30))
        if self.renderer is None:
            return
        # A TV that cannot speak says so at once, not at the first call nobody hears.
        self._check_audio()
        self._clock_events.append(
            Clock.schedule_interval(lambda _dt: self._recheck_audio(), VOICE_RECHECK_SECONDS)
        )
        warm = getattr(self.renderer, "warm", None)
        if warm is not None and not self._audio_down:

            def warmed(_result: object, error: BaseException | None) -> None:
                if error is not None:  # e.g. no espeak-ng: each call still tries
                    self._post("voice_check", error)

            with contextlib.suppress(RuntimeError):  # the app is stopping
                self.voice_worker.submit(warm, warmed)

    def _check_audio(self) -> None:
        problem = audio_problem(quiet=self._audio_down)
        self._audio_down = bool(problem)
        if problem:
            self.controller.voice_failed(problem)
            self.redraw()

    def _recheck_audio(self) -> None:
        if self._audio_down:
            self._check_audio()  # back: the next call is tried, and its sound says "ok"

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Stop the stream and the workers (their threads would keep the process alive)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.screen is not None:
            from kivy.core.window import Window

            Window.unbind(on_flip=self._flush_frame)
        for ev in self._clock_events:
            ev.cancel()
        if self.stream is not None:
            self.stream.stop()
        self.sounds.stop()
        if self.playlist is not None:
            self.playlist.stop()
        self.net.stop()
        self.voice_worker.stop()
        for client in self._clients.values():
            client.close()

    @staticmethod
    def _flush_frame(*_: Any) -> None:
        """Hand each frame to GL when it is drawn (before the buffer swap).

        Mesa's software GL bins a frame's drawing and rasterizes it at a flush. A swap
        to a window flushes; to an offscreen surface (pbuffer) it does not, and frames
        piled up in llvmpipe's scene until it filled (about 20 MB more RSS) or until a
        label's texture upload had to wait for all of them. Once flushed, this is free.
        """
        glFlush()

    # -- talking to the server (off the UI thread) ------------------------------------

    def _client(self) -> BoardClient:
        base = self.locator.locate(cancel=self._stopped)
        client = self._clients.get(base)
        if client is None:
            client = self._clients[base] = BoardClient(base, self.token)
        return client

    def _fetch_board(self) -> Board:
        try:
            return self._client().board(recent=max(self.site.display.recent_calls, 1))
        except ServerUnavailable:
            self.locator.forget()  # the server may have moved: browse again next time
            raise

    def request_board(self, resync: bool) -> None:
        """Load GET /board; `resync` makes it the new announce watermark (after a connect)."""
        if self._board_loading:
            self._board_again = self._board_again or resync
            # a site change while a board is on its way: that board may predate it
            self._refresh_again = self._refresh_again or not resync
            return
        self._board_loading = True

        def done(board: Board | None, error: BaseException | None) -> None:
            self._post("board", (board, error, resync))

        try:
            self.net.submit(self._fetch_board, done)
        except RuntimeError:  # the worker is stopped: the app is closing
            self._board_loading = False

    def _start_stream(self, after: int) -> None:
        if self.stream is not None:
            self.stream.stop()
        self.stream = EventStream(
            self.locator,
            on_event=lambda e: self._post("event", e),
            on_state=lambda s: self._post("state", s),
            after=after,
            token=self.token,
            parse=parse_event,
        )
        self.stream.start()

    def _post(self, kind: str, payload: Any) -> None:
        """From any thread: queue for the UI thread, in order."""
        self._inbox.append((kind, payload))
        self._wake()

    # -- the UI thread -------------------------------------------------------------

    def _drain(self, *_: Any) -> None:
        calls: list[Call] = []
        while self._inbox:
            kind, payload = self._inbox.popleft()
            if kind == "event":
                call = self.controller.apply_event(payload)
                if call is not None:
                    calls.append(call)
            elif kind == "state":
                if self.controller.set_state(payload):
                    self.request_board(resync=True)
            elif kind == "board":
                calls.extend(self._board_done(*payload))
            elif kind == "voice":
                self._voice_ready(*payload)
            elif kind == "voice_check":
                self.controller.voice_failed(_why(payload))
            elif kind == "info":
                self._info_done(*payload)
        if self.controller.reload_wanted:  # site.changed: the setup changed, read it again
            self.controller.reload_wanted = False
            self.request_board(resync=False)
        self.redraw()
        if calls:
            self._trace(calls)
        self._pump_voice()

    def _board_done(
        self, board: Board | None, error: BaseException | None, resync: bool
    ) -> list[Call]:
        self._board_loading = False
        again, self._board_again = self._board_again, False
        calls: list[Call] = []
        if board is None:
            if resync or again:
                self._failures += 1
                delay = min(RETRY_CAP, RETRY_FIRST * 2 ** (self._failures - 1))
                if self._failures in (1, 5) or self._failures % 60 == 0:
                    log.info("board not loaded (%s); retrying in %.1f s", _why(error), delay)
                Clock.schedule_once(lambda _dt: self.request_board(resync=True), delay)
            return calls
        self._failures = 0
        if resync:
            if not self.controller.has_board:
                self._trace_line(f"0 BOARD {board.seq}")  # start-up figure for the bench
                Clock.schedule_once(lambda _dt: self._after_first_board(), 0)
            calls = self.controller.load_board(board)
            if self.stream is None or self.controller.server_reset:
                self._start_stream(board.seq)
        else:
            self.controller.refresh_board(board)
        self._fetch_info()
        if again:
            self.request_board(resync=True)
        elif self._refresh_again:
            self._refresh_again = False
            self.request_board(resync=False)
        return calls

    def _fetch_info(self) -> None:
        """GET /info for the slides when the site publishes and ours are old (off the UI
        thread; a failure keeps the slides we have and is tried at the next board)."""
        if self._info_loading or not self.controller.info_wanted(REFRESH_SECONDS):
            return
        self._info_loading = True

        def job() -> list[Slide]:
            return slides(self._client().info())

        def done(result: list[Slide] | None, error: BaseException | None) -> None:
            self._post("info", (result, error))

        try:
            self.net.submit(job, done)
        except RuntimeError:  # the worker is stopped: the app is closing
            self._info_loading = False

    def _info_done(self, result: list[Slide] | None, error: BaseException | None) -> None:
        self._info_loading = False
        if result is None:
            log.info("what the site publishes not loaded: %s", _why(error))
            return
        self.controller.rotation.load(result)

    def _refresh(self, _dt: float) -> None:
        if not self.controller.resyncing:
            self.request_board(resync=False)

    def _heartbeat(self, _dt: float) -> None:
        """Every HEARTBEAT_SECONDS, best effort: a TV without a token has no row to keep."""
        if not self.token:
            return
        # The voice's own state when the controller keeps one, else what the config says.
        voice = getattr(self.controller, "voice_state", None)
        if voice not in ("ok", "failed", "off"):
            voice = "ok" if self.site.voice.enabled else "off"
        seq = self.controller.model.seq

        def job() -> None:
            self._client().heartbeat(voice, seq)

        def done(_result: object, error: BaseException | None) -> None:
            if error is not None:
                log.info("heartbeat not sent: %s", error)

        with contextlib.suppress(RuntimeError):  # the worker is stopped: the app is closing
            self.net.submit(job, done)

    def _tick(self, _dt: float) -> None:
        if self.controller.tick():
            self.redraw()

    def _update_clock(self, _dt: float) -> None:
        if self.screen is None:
            return
        now = local_now(self.site.site.tz)
        self.screen.date_text = format_date(now)
        self.screen.time_text = f"{format_time(now)} {self.site.site.zone_label}".strip()

    def redraw(self) -> None:
        screen, ctl = self.screen, self.controller
        if screen is None:
            return
        screen.connecting = not ctl.connected
        screen.marquee_text = ctl.marquee()
        screen.voice_failed = ctl.voice_state == "failed"
        spot = ctl.spotlight.current
        slide = ctl.slide()
        if slide is not None:
            if slide is not self._shown_slide:
                screen.show_slide(slide)
            self._shown_slide = slide
        elif spot is not self._shown_spot or self._shown_slide is not None:
            # a new call flashes; the call coming back after the slides does not
            fresh = spot is not self._shown_spot and (
                self._shown_spot is not None or ctl.announce_seq > 0
            )
            screen.show_spotlight(spot, ctl.color(spot.agency) if spot else "", flash=fresh)
            self._shown_spot, self._shown_slide = spot, None
        if self.site.display.group_by == "agency":
            screen.show_groups(ctl.groups())
        else:
            screen.show_counters(ctl.counters(), ctl.colors)
        screen.show_recent(ctl.recent(), ctl.colors, self.site.display.recent_calls)
        screen.show_waiting(ctl.waiting())
        screen.show_stopped(ctl.stopped())
        screen.announcing = self.announcing

    def set_layout(self, group_by: str | None = None, counters: list[str] | None = None) -> None:
        """Switch how counters are shown (used by --screenshots)."""
        update: dict[str, Any] = {}
        if group_by is not None:
            update["group_by"] = group_by
        if counters is not None:
            update["counters"] = tuple(counters)
        display = dataclasses.replace(self.site.display, **update)
        self.site = dataclasses.replace(self.site, display=display)
        self.controller.config = self.site
        self.redraw()

    # -- voice ------------------------------------------------------------------------

    def _pump_voice(self) -> None:
        # An audio device that does not play is not tried each call; it is rechecked.
        if self.renderer is None or self._audio_down:
            self.controller.announcements.pending.clear()
            if self.screen is not None:
                self.screen.announcing = self.announcing
            return
        call = self.controller.announcements.start_next()
        if call is None:
            return
        renderer = self.renderer

        def done(files: list[tuple[str, float]] | None, error: BaseException | None) -> None:
            self._post("voice", (call, files, error))

        try:
            self.voice_worker.submit(lambda: renderer(call), done)
        except RuntimeError:
            self.controller.announcements.finished()

    def _voice_ready(
        self, call: Call, files: list[tuple[str, float]] | None, error: BaseException | None
    ) -> None:
        if error is not None or not files:
            # One clear line when the voice stops working (the controller), not one a call.
            log.debug("cannot read out %s: %s", call.code, _why(error) if error else "no audio")
            self.controller.voice_failed(_why(error) if error else "no audio to play")
            self._announced()
            return

        self.sounds.play(files, self._announced)
        if self.screen is not None:
            self.screen.announcing = self.announcing

    def _announced(self) -> None:
        """One call read out (or given up): the next one, or un-duck when none is left."""
        changed = False
        if self.sounds.ok:
            changed = self.controller.voice_worked()
        elif self.sounds.problem:
            changed = self.controller.voice_failed(self.sounds.problem)
            self._audio_down = self.sounds.device_down
        self.sounds.ok, self.sounds.problem = 0, ""
        if changed:
            self.redraw()  # the sign
        self.controller.announcements.finished()
        if self.screen is not None:
            self.screen.announcing = self.announcing
        self._pump_voice()

    @property
    def announcing(self) -> bool:
        """A call is being read out or waits to be: the playlist stays lowered until none is."""
        return self.sounds.playing or self.controller.announcements.busy

    def _duck(self, on: bool) -> None:
        if self.playlist is not None:
            self.playlist.duck(on)

    # -- playlist and trace -------------------------------------------------------------

    def clear_playlist(self) -> None:
        if self.playlist is not None:
            self.playlist.stop()
            self.playlist.items = []
        if self.screen is not None:
            self.screen.playlist_on = False

    def load_playlist(self, folder: str | None = None) -> None:
        """Pictures and videos from the folder (config display.playlist_dir), in turn."""
        folder = folder if folder is not None else self.site.display.playlist_dir
        if not folder or self.playlist is None or self.screen is None:
            return
        path = Path(folder)
        if not path.is_dir():
            log.warning("playlist folder %s does not exist; showing none", path)
            return
        self.playlist.stop()
        items = self.playlist.load(path)
        self.screen.playlist_on = bool(items)
        if items:
            self.playlist.duck(self.announcing)
            self.playlist.advance()

    def _trace(self, calls: list[Call]) -> None:
        for c in calls:
            self._trace_line(f"{c.seq} {c.code} {c.counter}")

    def _trace_line(self, line: str) -> None:
        """--trace: 'monotonic seq code counter' per call on screen (CLOCK_MONOTONIC is
        shared by all processes, so the bench can subtract its own timestamps)."""
        if self.trace_path:
            with open(self.trace_path, "a", encoding="utf-8") as f:
                f.write(f"{time.monotonic():.6f} {line}\n")


def _why(error: BaseException | None) -> str:
    if isinstance(error, AntrianError):
        return str(error)
    return repr(error)
