"""Shared fixtures: the real data build, a running app server, a real browser (Debian Chromium).

Tests that need the real data, Chromium or PostgreSQL never skip: if one is missing they fail
with the command to run (the README's `make test` installs and builds everything). The markers
``realdata``, ``browser`` and ``postgres`` are put on every test from the fixtures it uses, so
``-m "not browser"`` deselects on purpose; a run in which any test was skipped exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
MIRROR = (ROOT.parent / "shared" / "data" / "raw").resolve()
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The local mirror of the official exports (required: fails, never skips)."""
    if not MIRROR.is_dir():
        pytest.fail(f"data mirror missing at {MIRROR}: the real-data tests cannot run")
    return MIRROR


@pytest.fixture(scope="session")
def real_build(mirror: Path) -> Path:
    """The current build made from the mirror by `make test` (built here if absent)."""
    from geo.core.settings import current_build_dir

    current = current_build_dir()
    if not (current / "manifest.json").is_file():
        subprocess.run([sys.executable, "-m", "geo.ingest", "--mirror", str(mirror), "--quiet"],
                       cwd=ROOT, check=True)
    return current.resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server did not answer at {url} within {timeout} s")


class AppServer:
    """A Streamlit server of this app on a free loopback port, with its log kept on disk.

    ``script`` serves another Streamlit script instead (the benchmarks' comparison pages), run
    from its own folder with the app's config passed as flags; ``log_path`` overrides where the
    log goes (default ``test-artifacts/server-<name>-<port>.log``).
    """

    def __init__(self, name: str, env: dict[str, str] | None = None, script: Path | None = None,
                 log_path: Path | None = None, root: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = log_path or ARTIFACTS / f"server-{name}-{self.port}.log"
        self._log = self.log_path.open("w")
        if script is None:  # ``root``: another checkout of the app (bench/workshop_load.py)
            command, cwd = [sys.executable, "-m", "geo.serve"], root or ROOT
        else:
            command = [sys.executable, "-m", "streamlit", "run", str(script),
                       "--server.enableStaticServing", "true", "--server.fileWatcherType", "none",
                       "--runner.magicEnabled", "false"]
            cwd, env = script.parent, {"PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [*command, "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})})
        try:
            wait_for_server(f"{self.url}/_stcore/health", self.process)
        except (RuntimeError, TimeoutError):
            self.stop()
            raise

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def app_server(real_build: Path) -> Iterator[AppServer]:
    """The app, served once for the whole session."""
    from geo.map.assets import ensure_assets

    ensure_assets()
    server = AppServer("main")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (`playwright install` cannot download here)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: run `make test` (installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; on failure its screenshot is saved in test-artifacts/."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


#: Fixtures that mark the tests using them (directly or through another fixture).
FIXTURE_MARKERS = {"mirror": "realdata", "real_build": "realdata", "app_server": "realdata",
                   "browser": "browser", "page": "browser", "pg_cluster": "postgres"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            marker = FIXTURE_MARKERS.get(fixture)
            if marker and not item.get_closest_marker(marker):
                item.add_marker(marker)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that skipped a test is not green: the missing piece (data, Chromium, PostgreSQL)
    must be installed, or the tests deselected by marker on purpose."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped: a skip fails the run "
                            "(install what they need, or deselect them with -m)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    if report.when == "call" and report.failed and "app_server" in item.fixturenames:
        server = item.funcargs.get("app_server")
        if server is not None:
            report.sections.append(("server log (tail)", server.log()[-4000:]))
