"""The faults a test can inject into the fake ComfyUI, and the broken answers they give.

Whole-server modes (``Mode``) change every answer; a ``RunFault`` spoils one prompt's run, its
history or its images; a ``PostFault`` spoils one ``POST /prompt``.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web

Mode = Literal["ok", "hang", "500", "non_json"]
#: What ``FakeComfyUI.break_next_run`` can do to the next prompt that runs (see its docstring).
RunFault = Literal[
    "close_socket",
    "history_500",
    "history_non_json",
    "view_500",
    "view_hang",
    "view_not_image",
    "view_truncated",
]
PostFault = Literal["500", "non_json"]

ERROR_500 = "500 Internal Server Error\n\nServer got itself in trouble"
NOT_JSON = "<!doctype html><title>Welcome to nginx!</title>"  # another web server on the port


def broken_answer(fault: PostFault) -> web.Response:
    """ComfyUI's answer to a handler that crashed (500 text/plain), or another server's HTML page."""
    if fault == "500":
        return web.Response(status=500, text=ERROR_500)
    return web.Response(text=NOT_JSON, content_type="text/html")
