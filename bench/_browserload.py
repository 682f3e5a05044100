"""Helpers of bench/join.py (not a benchmark itself: run_all skips ``_`` files): cold page loads in
headless Chromium under network emulation, and a shared link for 30 clients at once.

- ``cold_load``: a fresh context per load (cold cache, cache disabled through CDP), Chromium's
  network emulation (``Network.emulateNetworkConditions``), bytes = every HTTP response as it
  crossed the network (``Network.loadingFinished.encodedDataLength``: headers + body, compressed
  or not) + WebSocket frames received (a binary frame counted as its bytes: CDP hands it over in
  base64, a third longer). "Usable" = the first animation frame where the page's
  controls are laid out, seen by a probe inside the page (no Playwright polling round trip).
  Chromium's emulation does not throttle WebSocket frames (only their handshake): Streamlit's
  script deltas arrive at full speed, which favours the Streamlit pages, not the light one.
- ``SharedLink``: a local TCP proxy (asyncio, nothing on the machine reconfigured) whose
  connections all share one downlink of N Mbit/s with a one-way delay; ``replay`` sends N
  clients through it at once, each fetching the files one cold load fetched (6 connections per
  client, as a browser), without rendering, so one machine's two cores do not stand in for 30
  phones.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PROFILES = {"3g": {"latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8},
            "4g": {"latency": 60, "downloadThroughput": 9e6 / 8, "uploadThroughput": 9e6 / 8},
            "none": None}
#: A phone. bypass_csp: the probe's result is read with an evaluation the join page's CSP forbids.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True, "locale": "fr-FR", "bypass_csp": True}
DESKTOP = {"viewport": {"width": 1400, "height": 900}, "locale": "fr-FR"}

PROBE = """(() => { if (window.top !== window) { return; }
  const selectors = __SELECTORS__, needComplete = __COMPLETE__;
  function laidOut(sel) { const el = document.querySelector(sel);
    return !!el && el.getBoundingClientRect().width > 0; }
  function tick() {
    if (selectors.every(laidOut) && (!needComplete || document.readyState === "complete")) {
      window.__usable = performance.now(); return; }
    requestAnimationFrame(tick); }
  requestAnimationFrame(tick); })();"""


@dataclass
class Load:
    """One cold load: seconds until usable, bytes received, requests, WebSocket bytes, URLs."""

    usable_s: float
    bytes: int
    requests: int
    ws_bytes: int
    urls: list[str] = field(default_factory=list)


def _probe(selectors: list[str], complete: bool) -> str:
    flag = "true" if complete else "false"
    return PROBE.replace("__SELECTORS__", repr(selectors)).replace("__COMPLETE__", flag)


def _instrument(context, page, profile: str) -> tuple[dict[str, int], list[str], list[int]]:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if PROFILES[profile]:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **PROFILES[profile]})
    sizes: dict[str, int] = {}
    urls: list[str] = []
    ws = [0]
    cdp.on("Network.requestWillBeSent", lambda e: urls.append(e["request"]["url"])
           if e["request"]["method"] == "GET" and e["request"]["url"].startswith("http") else None)
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.webSocketFrameReceived",
           lambda e: ws.__setitem__(0, ws[0] + frame_bytes(e["response"])))
    return sizes, urls, ws


def frame_bytes(frame: dict) -> int:
    """Payload bytes of a WebSocket frame as CDP reports it: text as UTF-8, binary (opcode 2,
    Streamlit's protobuf messages) in base64, counted decoded. Streamlit negotiates no
    per-message compression (``server.enableWebsocketCompression`` is off): what is counted is
    what crossed the network, less the frames' 2-10 header bytes."""
    payload = frame["payloadData"]
    if frame.get("opcode") == 2:
        return len(base64.b64decode(payload))
    return len(payload.encode("utf-8"))


def cold_load(browser, url: str, selectors: list[str], complete: bool, profile: str,
              timeout_s: float = 180) -> Load:
    """One cold load of ``url`` at phone size under ``profile``, until usable (+1.5 s of what
    the page goes on loading, counted in the bytes)."""
    context = browser.new_context(**PHONE)
    context.add_init_script(_probe(selectors, complete))
    page = context.new_page()
    sizes, urls, ws = _instrument(context, page, profile)
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    page.wait_for_function("window.__usable !== undefined", timeout=timeout_s * 1000)
    usable_ms = page.evaluate("window.__usable")
    page.wait_for_timeout(1500)
    result = Load(usable_ms / 1000, sum(sizes.values()) + ws[0], len(sizes), ws[0], list(urls))
    context.close()
    return result


def median_load(browser, url: str, selectors: list[str], complete: bool, profile: str, runs: int) -> Load:
    loads = [cold_load(browser, url, selectors, complete, profile) for _ in range(runs)]
    return Load(statistics.median(x.usable_s for x in loads), int(statistics.median(x.bytes for x in loads)),
                int(statistics.median(x.requests for x in loads)),
                int(statistics.median(x.ws_bytes for x in loads)), loads[0].urls)


@dataclass
class PageBytes:
    """A cold load's bytes, and for a live page, what it goes on receiving per minute after."""

    cold: int
    live_per_minute: int | None = None


def page_bytes(browser, url: str, quiet_s: float = 3.0, timeout_s: float = 180,
               live_s: float = 0) -> PageBytes:
    """Bytes of one cold load of a Streamlit page at desktop size, no throttling, once its script
    has finished and nothing has moved on the network for ``quiet_s`` (a page's lazy chunks,
    components and layer files arrive after its script: the browser's own "network idle", 0.5 s,
    comes too early on a busy machine).

    A live page (``live_s`` > 0: « Atelier » re-runs its stage every few seconds and its map
    polls the room's state) never goes quiet: its load is over once nothing *new* has been
    fetched for ``quiet_s`` (a URL fetched again is the page living, not loading) and its
    script is not running; then what it receives in the next ``live_s`` is measured apart, per
    minute."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    sizes, _urls, ws = _instrument(context, page, "none")
    seen = [0]
    fetched: set[str] = set()

    def moved(_event: object) -> None:
        seen[0] += 1

    def requested(request) -> None:
        if not live_s or request.url not in fetched:
            fetched.add(request.url)
            seen[0] += 1

    page.on("request", requested)
    if not live_s:
        page.on("requestfinished", moved)
        page.on("websocket", lambda socket: socket.on("framereceived", moved))
    page.goto(url, wait_until="load", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    idle_since, last = time.monotonic(), -1
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)  # lets Playwright deliver the events meanwhile
        if seen[0] != last:
            idle_since, last = time.monotonic(), seen[0]
        running = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count() == 0
        if not running and time.monotonic() - idle_since >= quiet_s:
            break
    total = sum(sizes.values()) + ws[0]
    per_minute = None
    if live_s:
        page.wait_for_timeout(live_s * 1000)
        per_minute = round((sum(sizes.values()) + ws[0] - total) * 60 / live_s)
    context.close()
    return PageBytes(total, per_minute)


class SharedLink:
    """A TCP proxy on 127.0.0.1 whose connections share one downlink of ``mbit`` Mbit/s (16 KB
    chunks sent one after the other) and add ``delay_s`` each way."""

    def __init__(self, target_port: int, mbit: float = 20.0, delay_s: float = 0.03) -> None:
        self.target_port, self.rate, self.delay_s = target_port, mbit * 1e6 / 8, delay_s
        self.port = 0
        self._next_free = 0.0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _reserve(self, n: int) -> None:
        """Wait until ``n`` bytes may go down the shared link (transmissions in turn)."""
        now = time.monotonic()
        start = max(now, self._next_free)
        self._next_free = start + n / self.rate
        await asyncio.sleep(self._next_free - now)

    async def _pipe(self, reader, writer, down: bool) -> None:
        try:
            while data := await reader.read(16384):
                if down:
                    await self._reserve(len(data))
                await asyncio.sleep(self.delay_s)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(client_reader, server_writer, False),
                             self._pipe(server_reader, client_writer, True))


def replay(urls: list[str], port: int, clients: int) -> tuple[float, float, int]:
    """``clients`` clients at once through the link on ``port``, each fetching ``urls`` (6 at a
    time, ``Accept-Encoding: br, gzip``); (median, last) seconds until a client has all its
    files, and the bytes that crossed the link."""
    paths = [urlsplit(u)._replace(scheme="", netloc="").geturl() for u in urls]
    total = [0]
    lock = threading.Lock()

    def fetch(path: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         headers={"Accept-Encoding": "br, gzip"})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                size = len(response.read())
        except urllib.error.HTTPError as exc:  # a URL only valid in its own session
            size = len(exc.read())
        with lock:
            total[0] += size

    def client(_index: int) -> float:
        started = time.monotonic()
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(fetch, paths))
        return time.monotonic() - started

    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(client, range(clients)))
    return statistics.median(times), max(times), total[0]
