"""How ``storyboard serve`` starts the app: the ``streamlit run`` command and the address to open.

``serve_plan`` builds the command (the CLI only executes it): on loopback by default, on every
interface with ``share`` (or the address given). Usage statistics stay off; XSRF protection and
CORS checks stay on; ``browser.serverAddress`` is the address people open, which Streamlit also
accepts as an origin.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFoundError
from .gate import is_loopback

LOCAL_ADDRESS = "127.0.0.1"
SHARE_ADDRESS = "0.0.0.0"  # every interface
DEFAULT_PORT = 8501
#: Any address outside this machine: connecting a UDP socket to it sends nothing, it only picks
#: the interface (and so the LAN address) a packet to the network would leave by.
_PROBE = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737), never routed
APP_FILE = Path(__file__).resolve().parents[2] / "app.py"


@dataclass(frozen=True)
class ServePlan:
    """What to run (from ``folder``, whose ``.streamlit/config.toml`` Streamlit reads), where it
    listens, and the URL to give people."""

    command: list[str]
    folder: Path
    address: str
    port: int
    url: str

    @property
    def gated(self) -> bool:
        """Whether the app will force the gate on (it listens beyond this machine)."""
        return not is_loopback(self.address)


def lan_address() -> str:
    """This machine's address on the local network (``127.0.0.1`` when it has none)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(_PROBE)
        address = str(probe.getsockname()[0])
        if address and not address.startswith("0."):
            return address
    return LOCAL_ADDRESS


def serve_plan(
    *,
    share: bool = False,
    address: str | None = None,
    port: int | None = None,
    app: Path = APP_FILE,
    python: str = sys.executable,
) -> ServePlan:
    """The ``streamlit run`` command for the app; ``NotFoundError`` when ``app`` is missing."""
    if not app.is_file():
        raise NotFoundError(f"cannot find the app to serve at {app} (run from a clone of the repo)")
    bind = address or (SHARE_ADDRESS if share else LOCAL_ADDRESS)
    chosen_port = port or DEFAULT_PORT
    shown = lan_address() if bind in (SHARE_ADDRESS, "::", "") else bind
    host = f"[{shown}]" if ":" in shown else shown
    command = [
        python,
        "-m",
        "streamlit",
        "run",
        str(app),
        f"--server.address={bind}",
        f"--server.port={chosen_port}",
        "--server.headless=true",
        "--server.enableXsrfProtection=true",
        "--server.enableCORS=true",
        "--server.enableStaticServing=false",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={shown}",
        f"--browser.serverPort={chosen_port}",
    ]
    return ServePlan(command, app.parent, bind, chosen_port, f"http://{host}:{chosen_port}")
