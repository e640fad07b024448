"""How busy ComfyUI servers are: each one's queue, asked in parallel with the client's short timeouts.

The renderer spreads a batch over the servers that answer (shortest queue first) and takes an
answer as the sign that a server is up before it sends it a job.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..errors import ComfyUIError
from ..settings import ServerConfig
from .client import ClientFactory


def queue_length(server: ServerConfig, client_factory: ClientFactory) -> int | str:
    """Running + pending prompts on ``server``, or why it cannot be asked."""
    try:
        with client_factory(server) as client:
            queue = client.queue()
    except ComfyUIError as exc:
        return str(exc)
    return len(queue.running) + len(queue.pending)


def queue_lengths(servers: list[ServerConfig], client_factory: ClientFactory) -> list[int | str]:
    """``queue_length`` of each server, all asked at once: a slow one costs its timeout, not more."""
    with ThreadPoolExecutor(max_workers=len(servers), thread_name_prefix="render-probe") as pool:
        return list(pool.map(lambda server: queue_length(server, client_factory), servers))
