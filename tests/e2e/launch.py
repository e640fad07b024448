"""Starting the app and Chromium the same way in the browser tests and the benchmarks (``bench/``)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, quiet and offline: no sandbox (root), no GPU, no calls home, and no host name
# but 127.0.0.1 resolves, so that nothing a page holds (a hostile image or link) can leave the machine.
CHROMIUM_ARGS = [
    "--headless",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Headless Chromium plays sound only so: the tests read the media element's clock.
    "--autoplay-policy=no-user-gesture-required",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def streamlit_command(port: int, script: str = "app.py") -> list[str]:
    """``streamlit run app.py`` on 127.0.0.1:``port``, headless, without usage stats or file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


_ADDRESS_LINE = re.compile(r"URL: (http://127\.0\.0\.1:\d+)")


def wait_for_address(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    """The address of a server started on port 0 (the system gives it a free port as it binds),
    read from its output in ``log`` once it prints it, and answering its health check there.

    A port chosen beforehand (``free_port``) is free only while nobody else asks: two test workers
    once got the same one, the second server could not bind it and exited, and its test ran against
    the first one's app (the app's output must not be buffered: ``PYTHONUNBUFFERED``).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode} before it was ready")
        found = _ADDRESS_LINE.search(log.read_text(errors="replace"))
        if found:
            url = found.group(1)
            wait_healthy(process, url, max(deadline - time.monotonic(), 1.0))
            return url
        time.sleep(0.05)
    raise TimeoutError(f"streamlit did not say its address within {timeout:.0f} s")


def wait_healthy(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Wait until ``url``'s health check answers 200.

    Raises ``RuntimeError`` if the process exits first and ``TimeoutError`` after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")
