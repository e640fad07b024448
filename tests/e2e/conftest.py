"""Real-browser fixtures: ``streamlit run app.py`` on a port the system gives it, driven by Debian's Chromium.

Playwright cannot download its own browser here, so the tests launch ``/usr/bin/chromium`` (the Makefile
installs it before pytest). Without it the browser tests skip locally and fail loudly when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from storyboard_core import Store
from storyboard_core.demo import create_demo_project

from .launch import CHROMIUM, CHROMIUM_ARGS, REPO, streamlit_command, wait_for_address

VIEWPORT = {"width": 1400, "height": 900}
STARTUP_TIMEOUT = 60.0  # seconds for `streamlit run` to answer its health check
RUN_TIMEOUT = 30_000  # milliseconds for one script run in the browser

# Assertions retry for up to 10 s (Playwright's default is 5): the machine may be busy with other tests.
expect.set_options(timeout=10_000)


@dataclass(frozen=True)
class Server:
    """A running ``streamlit run app.py``: where to reach it, the workspace it serves, its process id."""

    url: str
    workspace: Path
    log: Path
    pid: int

    def page_url(self, path: str = "", **params: str) -> str:
        """The address of a page (``""``, ``"sequence"``, ``"shot"``, ``"settings"``) with a selection."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.url}/{path}{query}"


@contextmanager
def streamlit_app(
    workspace: Path, log: Path, *, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Run the app on ``workspace`` until the block ends; its output goes to ``log``.

    ``env`` adds to (or replaces in) the environment the app inherits, e.g. ``STORYBOARD_COMFYUI_URL``.
    """
    command = streamlit_command(0)  # the port the system gives it: see wait_for_address
    environ = {
        **os.environ,
        **(env or {}),
        "STORYBOARD_WORKSPACE": str(workspace),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=environ, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            try:
                url = wait_for_address(process, log, STARTUP_TIMEOUT)
            except (RuntimeError, TimeoutError) as exc:
                pytest.fail(f"{exc}:\n" + log.read_text(errors="replace"))
            yield Server(url=url, workspace=workspace, log=log, pid=process.pid)
        finally:
            # Killed, not asked to stop: a graceful stop costs 0.3-1.5 s per server (its sessions
            # are closed one by one), and the app keeps nothing to flush (every write is durable
            # when it returns; test_render_restart kills it mid-render on purpose).
            process.kill()
            process.wait(timeout=15)


# --------------------------------------------------------------------------- servers
@contextmanager
def serve(
    folder: Path,
    *,
    demo: bool,
    settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    prepare: Callable[[Store], None] | None = None,
) -> Iterator[Server]:
    """A server on a new workspace in ``folder``, holding the demo project (made by the core) or nothing.

    ``settings`` is written as the workspace's ``settings.json``, ``prepare`` may change the workspace
    through the core before the app starts, and ``env`` is added to the app's environment.
    """
    workspace = folder / "workspace"
    workspace.mkdir()
    if demo:
        create_demo_project(Store(workspace))
    if settings is not None:
        (workspace / "settings.json").write_text(json.dumps(settings, indent=2), "utf-8")
    if prepare is not None:
        prepare(Store(workspace))
    with streamlit_app(workspace, folder / "streamlit.log", env=env) as server:
        yield server


def comfyui_settings(*urls: str, poll_seconds: int = 5) -> dict[str, Any]:
    """A ``settings.json`` listing ComfyUI servers at ``urls`` (the first one active)."""
    servers = [
        {"name": f"server-{i + 1}", "url": url, "token": "", "active": i == 0}
        for i, url in enumerate(urls)
    ]
    return {"comfyui": {"servers": servers, "poll_seconds": poll_seconds}}


ServerFactory = Callable[..., Server]


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers of this test's own: ``server_factory(demo=..., settings=..., env=..., prepare=...)``
    takes ``serve``'s options and returns a running server; all of them stop after the test."""
    with ExitStack() as stack:
        count = 0

        def start(**options: Any) -> Server:
            nonlocal count
            count += 1
            folder = tmp_path / f"server-{count}"
            folder.mkdir()
            options.setdefault("demo", False)
            return stack.enter_context(serve(folder, **options))

        yield start


@pytest.fixture(scope="module")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per test module on a workspace holding the demo project; tests may change it."""
    with serve(tmp_path_factory.mktemp("e2e"), demo=True) as server:
        yield server


@pytest.fixture
def demo_server() -> Iterator[Server]:
    """A server of its own on an untouched demo project, in a short folder name (the README's
    screenshot of the settings page shows it)."""
    with (
        tempfile.TemporaryDirectory(prefix="storyboard-") as folder,
        serve(Path(folder), demo=True) as server,
    ):
        yield server


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own on an empty workspace, for the first-run flows."""
    with serve(tmp_path, demo=False) as server:
        yield server


# --------------------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium: skip without it, except on CI where it must be there."""
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`, as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run on CI: {message}")
        pytest.skip(message)
    # One renderer process per site in a context (see ``page``): the tests' pages share a warm one.
    args = [*CHROMIUM_ARGS, "--process-per-site"]
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """No base URL: each server gives its own. (Replaces pytest-playwright's fixture, an instance
    method of a plugin class that pytest 9 deprecates, which our warnings-as-errors would fail.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every page at the viewport the README screenshots use."""
    return {**browser_context_args, "viewport": VIEWPORT}


# A page on this address holds the browser's process for 127.0.0.1 (a site is its host, whatever
# the port): Playwright answers it itself, so that nothing needs to listen there.
ANCHOR_URL = "http://127.0.0.1:9/"
# What a test's page leaves behind in its origin's storage (Streamlit keeps an expander's or the
# sidebar's state there), wiped when the test ends: the next test may use the same server.
FORGET_STORAGE = "() => { localStorage.clear(); sessionStorage.clear(); }"


@pytest.fixture(scope="session")
def pages_context(
    browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[BrowserContext]:
    """The browser context of every test's ``page`` on this worker, kept with its renderer process.

    A new context (pytest-playwright's default, one per test) starts a new renderer, which loads and
    compiles the app's scripts again: about 1.2 s of CPU per test more than a page of a context that
    already has one (see ``page``)."""
    context = browser.new_context(**browser_context_args)
    anchor = context.new_page()
    anchor.route(ANCHOR_URL, lambda route: route.fulfill(body="", content_type="text/plain"))
    anchor.goto(ANCHOR_URL)
    yield context
    context.close()


@pytest.fixture
def page(pages_context: BrowserContext) -> Iterator[Page]:
    """A new page for the test, counting the app's finished script runs in ``window.__stRuns``.

    It is a new tab in the worker's shared context, not a new context: Chromium runs it in the
    renderer process the anchor page holds for 127.0.0.1 (``--process-per-site``). Each test
    starts without cookies; when it ends, what its pages stored in their origins is wiped and
    they are closed."""
    pages_context.clear_cookies()
    page = pages_context.new_page()
    page.add_init_script(COUNT_RUNS)
    yield page
    for left in pages_context.pages:  # this one and any the test opened (a second tab)
        if left.url != ANCHOR_URL:
            with suppress(PlaywrightError):  # its server may have stopped
                left.evaluate(FORGET_STORAGE)
            left.close()


# Streamlit marks its root with the script's state; every change to "notRunning" ends a run.
# ``__stChanged`` is when the state last changed, so that a wait can tell a run that ended from the
# gap between a run and the rerun it asked for (``st.rerun``, ``st.switch_page``).
COUNT_RUNS = """
window.__stRuns = 0;
window.__stChanged = 0;
window.__stHeard = 0;
window.__stRerunDue = false;
// The last lifecycle messages heard ([ms, "new_session" | "finished:<status>"]), for a failure's
// message: a run that never came shows here.
window.__stLifecycle = [];
const heard = (what) => {
  window.__stLifecycle.push([Math.round(performance.now()), what]);
  if (window.__stLifecycle.length > 40) window.__stLifecycle.shift();
};
// A message is one ForwardMsg (protobuf). Its top-level field 6 is a run's end, whose status 2
// (FINISHED_EARLY_FOR_RERUN: st.rerun, st.switch_page) means the next run is on its way; field 4
// (new_session) starts that run. Between the two, the app shows "not running" for a moment.
const varint = (bytes, at) => {
  let value = 0;
  for (let shift = 0; at.i < bytes.length; shift += 7) {
    const byte = bytes[at.i++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  return value;
};
const noteRerun = (data) => {
  if (!(data instanceof ArrayBuffer)) return;
  const bytes = new Uint8Array(data);
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const tag = varint(bytes, at);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const value = varint(bytes, at);
      if (field === 6) {
        window.__stRerunDue = value === 2;
        heard(`finished:${value}`);
      }
    } else if (wire === 2) {
      const length = varint(bytes, at);
      if (field === 4) {
        window.__stRerunDue = false;
        heard("new_session");
      }
      at.i += length;
    } else if (wire === 1 || wire === 5) {
      at.i += wire === 1 ? 8 : 4;
    } else {
      return;
    }
  }
};
// When the server last sent anything: on a busy machine the browser may draw a whole short run
// (running, then not running) in one go, and the script state above then never changes.
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      window.__stHeard = performance.now();
      noteRerun(event.data);
    });
  }
};
new MutationObserver((records) => {
  for (const r of records) {
    window.__stChanged = performance.now();
    const state = r.target.getAttribute("data-test-script-state");
    if (state === "notRunning" && r.oldValue !== "notRunning") window.__stRuns += 1;
  }
}).observe(document, {
  subtree: true,
  attributes: true,
  attributeOldValue: true,
  attributeFilter: ["data-test-script-state"],
});
"""


# --------------------------------------------------------------------------- helpers
CHOOSE_ATTEMPTS = 5  # for a select box whose list another run closed
# No script run for this long, nor anything heard from the server: the app is idle, and the browser
# has not asked for another run (a component sending its first value does once it is drawn).
QUIET_MS = 150
# Connected, no run in progress (nor its "Running..." widget) and none announced (a run that ended
# for a rerun), and nothing changed or heard for ``quiet`` ms: one predicate polled in the page every
# 50 ms. (Separate ``expect`` calls would each back off to polling every 500 ms, and a wait for the
# end of a run would often overshoot it by as much: that was a fifth of the browser tests' time.)
SETTLED = """quiet => {
  const app = document.querySelector('[data-testid="stApp"]');
  const now = performance.now();
  return app?.getAttribute("data-test-connection-state") === "CONNECTED"
    && app.getAttribute("data-test-script-state") === "notRunning"
    && !window.__stRerunDue
    && document.querySelector('[data-testid="stStatusWidget"]') === null
    && now - (window.__stChanged ?? 0) >= quiet && now - (window.__stHeard ?? 0) >= quiet;
}"""
# What the app was doing when a wait for it gave up, for the failure's message.
APP_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    connection: app?.getAttribute("data-test-connection-state"),
    script: app?.getAttribute("data-test-script-state"),
    statusWidget: document.querySelector('[data-testid="stStatusWidget"]') !== null,
    rerunDue: window.__stRerunDue,
    runs: window.__stRuns,
    lifecycle: window.__stLifecycle,
    msSinceChange: performance.now() - (window.__stChanged ?? 0),
    msSinceHeard: performance.now() - (window.__stHeard ?? 0),
  };
}"""
# A run that ended after the action began: counted, or (drawn in one go) heard from the server.
RAN_SINCE = """([runs, since]) =>
  (window.__stRuns ?? 0) > runs || (window.__stHeard ?? 0) > since"""


def app_state(page: Page) -> Any:
    """What the app was doing, as the page saw it (connection, script state, runs, the last
    lifecycle messages): for the message of a wait that gave up."""
    return page.evaluate(APP_STATE)


def wait_for_app(page: Page, *, timeout: float = RUN_TIMEOUT) -> None:
    """Wait until the app is connected and no script run has been in progress for ``QUIET_MS``."""
    try:
        page.wait_for_function(SETTLED, arg=QUIET_MS, polling=50, timeout=timeout)
    except PlaywrightTimeoutError as exc:
        state = app_state(page)
        raise AssertionError(f"the app did not settle in {timeout:.0f} ms: {state}") from exc


@contextmanager
def next_run(page: Page, *, timeout: float = RUN_TIMEOUT) -> Iterator[None]:
    """Wait, after the block, for a script run that ended after it began, then for the app to idle.

    For actions that make the app run again (a click, a committed cell, Back): waiting only for
    "not running" could pass before the run the action asked for has even started.
    """
    before = page.evaluate("[window.__stRuns ?? 0, performance.now()]")
    yield
    page.wait_for_function(RAN_SINCE, arg=before, timeout=timeout)
    wait_for_app(page, timeout=timeout)


def click_and_wait(page: Page, target: Locator) -> None:
    """Click something that makes the app run again, and wait for that run to end."""
    with next_run(page):
        target.click()


def choose(page: Page, combobox: Locator, option: str | re.Pattern[str]) -> None:
    """Open a select box's list, click ``option`` and wait for the run that choice makes.

    A run elsewhere on the page (the status badge's, every few seconds) may close the list between
    the click that opens it and the click on the option: the list is opened again, never toggled
    shut by a second click while it is still opening."""
    item = page.get_by_role("option", name=option, exact=isinstance(option, str))
    for _ in range(CHOOSE_ATTEMPTS):
        if combobox.get_attribute("aria-expanded") != "true":
            combobox.click()
        try:
            with next_run(page):
                item.click(timeout=5_000)
        except PlaywrightTimeoutError:
            continue
        return
    raise AssertionError(f"option {option!r} could not be chosen in {CHOOSE_ATTEMPTS} attempts")


def open_page(page: Page, server: Server, path: str = "", **params: str) -> None:
    """Go to a page of the app with a selection in its URL and wait for its first run."""
    page.goto(server.page_url(path, **params))
    wait_for_app(page)


DEMO = "l-orage-demo"  # the demo project's folder (a slug of storyboard_core.demo.DEMO_NAME)


def sequence_file(workspace: Path, project: str, seq: str) -> dict[str, Any]:
    """A sequence file as it is on disk."""
    data: dict[str, Any] = json.loads(
        (workspace / project / "sequences" / f"sequence_{seq}.json").read_text("utf-8")
    )
    return data


def shots_on_disk(workspace: Path, project: str, seq: str) -> list[dict[str, Any]]:
    """The shots of a sequence file, in order."""
    shots: list[dict[str, Any]] = sequence_file(workspace, project, seq)["shots"]
    return shots


def toast(page: Page, text: str) -> Locator:
    """The (first) toast saying ``text``. A toast goes after 4 s: look for it inside the ``next_run``
    block of the action that shows it, not after the run, which a loaded machine may stretch."""
    return page.get_by_test_id("stToast").filter(has_text=text).first


def main_area(page: Page) -> Locator:
    """The page's main column (not the sidebar)."""
    return page.locator('[data-testid="stMain"]')


def show_view(page: Page, name: str) -> None:
    """Choose a view of the main area's segmented control (the sequence page's Shot list or
    Storyboard: only the chosen one is built) and wait for the run that builds it."""
    chosen = main_area(page).get_by_role("radio", name=name, exact=True)
    if not chosen.is_checked():
        click_and_wait(page, chosen)
    expect(chosen).to_be_checked()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts of their own (separate cookies and sessions), closed after the test."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(
    browser: Browser, contexts: list[BrowserContext], *, timeout_ms: float | None = None
) -> Page:
    """A page in a new context of its own (another person's browser), kept in ``contexts``, its
    script runs counted as on ``page`` (so ``next_run`` works on it)."""
    context = browser.new_context(viewport=VIEWPORT)
    if timeout_ms is not None:
        context.set_default_timeout(timeout_ms)
    contexts.append(context)
    page = context.new_page()
    page.add_init_script(COUNT_RUNS)
    return page


LOG_TAIL_LINES = 80  # of the app's output, shown with a failed browser test


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """A failed browser test's report ends with the tail of each app server's output it used: a
    failure seen once on a busy machine (a render that never came) can then be read afterwards."""
    outcome: Any = yield
    report = outcome.get_result()
    if not report.failed:
        return
    for name, value in getattr(item, "funcargs", {}).items():
        if isinstance(value, Server) and value.log.exists():
            lines = value.log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            report.sections.append((f"app output ({name}, last lines)", "\n".join(lines)))
