"""A small synchronous client for the ComfyUI HTTP API (as observed on ComfyUI 0.3.64).

One ``httpx.Client`` per server is reused for every call. Every call goes through ``_send``, the one
place where httpx's errors become ours:

* connection refused (down, or still loading its nodes)  -> ``ComfyUIOfflineError``  (kind "offline")
* no answer within the timeout                           -> ``ComfyUITimeoutError``  (kind "timeout")
* an HTTP error status, or an answer that is not ComfyUI -> ``ComfyUIBadAnswerError`` (kind "error")

A workflow the server refuses (HTTP 400 with node errors) raises ``ComfyUIRejectedError`` whose
messages are written for the user ("Steps must be at most 10000").
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import TracebackType
from typing import Any, Self

import httpx

from ..errors import (
    ComfyUIBadAnswerError,
    ComfyUIError,
    ComfyUIOfflineError,
    ComfyUIRejectedError,
    ComfyUITimeoutError,
)
from ..settings import ServerConfig, normalize_url, redact_url
from ..types import JsonDict

# Status calls answer in 1-5 ms even while a workflow runs (execution has its own thread), so a
# second is plenty; a refused connection fails at once, a dead host at the 0.5 s connect timeout.
STATUS_TIMEOUT = httpx.Timeout(1.0, connect=0.5)
# /object_info is ~500 KB and takes ~50 ms on a small machine, /view can be a large image: allow more.
LONG_TIMEOUT = httpx.Timeout(30.0, connect=0.5)
# What a render and the catalog wait on (POST /prompt, /history, /models): a server busy loading a
# model can stall a few seconds, and a render must not fail for it; a dead host still fails at once.
WORK_TIMEOUT = httpx.Timeout(10.0, connect=0.5)


@dataclass(frozen=True)
class SystemInfo:
    """What a server says about itself: version, first device, its memory, and its queue lengths."""

    version: str
    device: str
    vram_free: int
    vram_total: int
    queue_running: int = 0
    queue_pending: int = 0

    @property
    def device_short(self) -> str:
        """The device without the GPU model: ``"cuda:0"`` for ``"cuda:0 NVIDIA … : cudaMallocAsync"``."""
        return self.device.split(" ", 1)[0] if self.device else "?"

    @property
    def queue_total(self) -> int:
        """Running plus pending prompts."""
        return self.queue_running + self.queue_pending


@dataclass(frozen=True)
class QueueItem:
    """One queued or running prompt: ``[number, prompt_id, prompt, extra_data, outputs_to_execute]``."""

    number: float
    prompt_id: str
    prompt: JsonDict = field(repr=False)
    extra_data: JsonDict = field(repr=False)
    outputs: list[str]

    @property
    def client_id(self) -> str | None:
        """The websocket client the prompt's events go to, if it was posted with one."""
        value = self.extra_data.get("client_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class QueueState:
    """The server's queue: the running prompt (0 or 1) and the pending ones, lowest number first."""

    running: list[QueueItem]
    pending: list[QueueItem]


_LABELS = {
    "ckpt_name": "Checkpoint",
    "sampler_name": "Sampler",
    "scheduler": "Scheduler",
    "cfg": "CFG",
    "seed": "Seed",
    "steps": "Steps",
    "denoise": "Denoise",
    "width": "Width",
    "height": "Height",
    "batch_size": "Batch size",
    "filename_prefix": "File name prefix",
    "text": "Prompt text",
}


def _label(input_name: str) -> str:
    return _LABELS.get(input_name) or input_name.replace("_", " ").capitalize()


def _input_config(extra: JsonDict) -> tuple[Any, JsonDict]:
    config = extra.get("input_config")
    if isinstance(config, list) and len(config) >= 2 and isinstance(config[1], dict):
        return config[0], config[1]
    return None, {}


def _describe_node_error(error: JsonDict, node_id: str, class_type: str, url: str) -> str:
    """One node error in the user's words."""
    kind = str(error.get("type", ""))
    raw_extra = error.get("extra_info")
    extra: JsonDict = raw_extra if isinstance(raw_extra, dict) else {}
    name = str(extra.get("input_name") or error.get("details") or "")
    label = _label(name)
    received = extra.get("received_value")
    kind_of_input, options = _input_config(extra)
    where = f"{class_type} (node {node_id})"
    if kind == "value_not_in_list":
        choices = kind_of_input if isinstance(kind_of_input, list) else None
        if choices is None:
            offer = "choose one of the values it offers"
        elif not choices:
            offer = "the server has none"
        else:
            offer = "it has " + ", ".join(str(c) for c in choices)
        if name == "ckpt_name":
            return f"Checkpoint '{received}' is not installed on {url}; {offer}"
        return f"{label} '{received}' is not available on {url}; {offer}"
    if kind == "value_bigger_than_max" and "max" in options:
        return f"{label} must be at most {options['max']}"
    if kind == "value_smaller_than_min" and "min" in options:
        return f"{label} must be at least {options['min']}"
    if kind == "required_input_missing":
        return f"{where} is missing its input '{name}'"
    if kind == "invalid_input_type":
        wanted = {"INT": "a whole number", "FLOAT": "a number"}.get(
            str(kind_of_input), f"a {kind_of_input} value"
        )
        return f"{label} must be {wanted} (got {received!r})"
    if kind == "return_type_mismatch":
        return (
            f"{where}: input '{name}' is linked to an output of type "
            f"{extra.get('received_type')}, which does not fit"
        )
    if kind == "exception_during_validation" and extra.get("exception_type") == "KeyError":
        return f"{where} is linked to node {error.get('details')}, which is not in the workflow"
    details = f": {error['details']}" if error.get("details") else ""
    return f"{where}: {error.get('message', kind)}{details}"


_MISSING_NODE = re.compile(r"node (\S+) does not exist")


def describe_rejection(body: Any, url: str) -> list[str]:
    """Turn ComfyUI's 400 answer to ``POST /prompt`` into messages a user can act on."""
    if not isinstance(body, dict):
        return [f"ComfyUI at {url} refused the workflow"]
    messages: list[str] = []
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict):
        for node_id, entry in node_errors.items():
            if not isinstance(entry, dict):
                continue
            class_type = str(entry.get("class_type", "node"))
            for error in entry.get("errors") or []:
                if isinstance(error, dict):
                    messages.append(_describe_node_error(error, str(node_id), class_type, url))
    if messages:
        return messages
    error = body.get("error")
    if not isinstance(error, dict):
        return [f"ComfyUI at {url} refused the workflow"]
    kind = error.get("type")
    message = str(error.get("message", ""))
    if kind == "invalid_prompt":
        missing = _MISSING_NODE.search(message)
        if missing:
            return [
                f"Node type '{missing.group(1)}' is not installed on {url} "
                "(a custom node the workflow needs is missing)"
            ]
        return [f"The workflow is not in ComfyUI's API format ({message})"]
    if kind == "prompt_no_outputs":
        return [
            "The workflow has no output node (such as SaveImage), so there is nothing to render"
        ]
    if kind == "no_prompt":
        return ["No workflow was sent to ComfyUI"]
    details = f": {error['details']}" if error.get("details") else ""
    return [f"ComfyUI at {url} refused the workflow: {message}{details}"]


def combo_choices(spec: Any) -> list[str] | None:
    """The choices of one combo input spec of ``/object_info``, or ``None`` if it is no combo.

    Two shapes are in use: ``[[choices…], {opts}]`` (ComfyUI 0.3.x nodes) and
    ``["COMBO", {"options": […]}]`` (the newer node schema, e.g. ``SaveVideo``).
    """
    if not isinstance(spec, list) or not spec:
        return None
    if isinstance(spec[0], list):
        return [str(v) for v in spec[0]]
    if spec[0] == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):
        return [str(v) for v in spec[1].get("options", [])]
    return None


def _combo(info: Any, node_class: str, input_name: str) -> list[str]:
    """The choices of a combo input in ``/object_info/{node_class}`` (``[]`` when there are none)."""
    try:
        spec = info[node_class]["input"]["required"][input_name]
    except (KeyError, TypeError):
        return []
    return combo_choices(spec) or []


def _queue_items(raw: Any) -> list[QueueItem]:
    if not isinstance(raw, list):
        raise ValueError("queue is not a list")
    items = []
    for entry in raw:
        number, prompt_id, prompt, extra, outputs = entry[:5]
        items.append(
            QueueItem(
                number=float(number),
                prompt_id=str(prompt_id),
                prompt=prompt if isinstance(prompt, dict) else {},
                extra_data=extra if isinstance(extra, dict) else {},
                outputs=[str(o) for o in outputs],
            )
        )
    return items


def auth_headers(token: str | None) -> dict[str, str]:
    """The header carrying a server's bearer token (none without a token): HTTP and WebSocket alike."""
    return {"Authorization": f"Bearer {token}"} if token else {}


class ComfyUIClient:
    """Talks to one ComfyUI server. Thread-safe; close it (or use ``with``) when done.

    ``transport`` lets tests inject an ``httpx.MockTransport``; ``timeout`` is used for the quick
    status calls, ``work_timeout`` for what a render and the catalog wait on (``/prompt``,
    ``/history``, ``/models``) and ``long_timeout`` for ``/object_info`` and ``/view``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = STATUS_TIMEOUT,
        long_timeout: httpx.Timeout = LONG_TIMEOUT,
        work_timeout: httpx.Timeout = WORK_TIMEOUT,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.display_url = redact_url(self.base_url)
        self.timeout = timeout
        self.long_timeout = long_timeout
        self.work_timeout = work_timeout
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=auth_headers(token),
            timeout=timeout,
            transport=transport,
            verify=tls_context(),
        )

    def __repr__(self) -> str:
        # Never the headers: they hold the token.
        return f"ComfyUIClient({self.display_url!r})"

    # -- the one boundary where httpx errors are translated ---------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        applied = timeout or self.timeout
        try:
            return self._http.request(
                method,
                path,
                params=params,
                json=body,
                files=files,
                data=data,
                timeout=applied,
            )
        except httpx.ConnectTimeout as exc:
            raise ComfyUITimeoutError(
                self.display_url, f"could not connect within {applied.connect:.1f} s"
            ) from exc
        except httpx.TimeoutException as exc:
            raise ComfyUITimeoutError(
                self.display_url, f"no answer within {applied.read:.1f} s"
            ) from exc
        except httpx.ConnectError as exc:
            text = str(exc)
            reason = (
                "connection refused" if "refused" in text.lower() else f"cannot connect ({text})"
            )
            raise ComfyUIOfflineError(self.display_url, reason) from exc
        except httpx.HTTPError as exc:  # a dropped connection, a garbled answer, ...
            raise ComfyUIBadAnswerError(
                self.display_url, f"not ComfyUI ({type(exc).__name__}: {exc})"
            ) from exc

    def _bad_status(self, response: httpx.Response) -> ComfyUIBadAnswerError:
        hint = {401: " (check the token)", 403: " (check the token)", 404: " (not ComfyUI?)"}
        return ComfyUIBadAnswerError(
            self.display_url, f"HTTP {response.status_code}{hint.get(response.status_code, '')}"
        )

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code != 200:
            raise self._bad_status(response)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise ComfyUIBadAnswerError(
                self.display_url, f"not ComfyUI ({response.url.path} answered {kind}, not JSON)"
            ) from exc

    def _get_json(self, path: str, *, timeout: httpx.Timeout | None = None) -> Any:
        return self._json(self._send("GET", path, timeout=timeout))

    def _not_comfyui(self, what: str) -> ComfyUIBadAnswerError:
        return ComfyUIBadAnswerError(self.display_url, f"not ComfyUI ({what})")

    # -- status ------------------------------------------------------------------------------------

    def system_stats(self) -> SystemInfo:
        """``GET /system_stats``: version and first device (queue lengths are left at 0)."""
        body = self._get_json("/system_stats")
        try:
            version = body["system"]["comfyui_version"]
            devices = body["devices"]
            device = devices[0] if devices else {}
            return SystemInfo(
                version=str(version),
                device=str(device.get("name", "")),
                vram_free=int(device.get("vram_free") or 0),
                vram_total=int(device.get("vram_total") or 0),
            )
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
            raise self._not_comfyui("/system_stats has no comfyui_version") from exc

    def queue(self) -> QueueState:
        """``GET /queue``: the running and pending prompts, pending sorted by number."""
        body = self._get_json("/queue")
        try:
            running = _queue_items(body["queue_running"])
            pending = _queue_items(body["queue_pending"])
        except (KeyError, TypeError, ValueError) as exc:
            raise self._not_comfyui("/queue has an unexpected shape") from exc
        # The server returns its internal heap: only the first item is the lowest number.
        return QueueState(running=running, pending=sorted(pending, key=lambda i: i.number))

    def system_info(self) -> SystemInfo:
        """``system_stats()`` with the queue lengths filled in from ``queue()``."""
        info = self.system_stats()
        queue = self.queue()
        return SystemInfo(
            version=info.version,
            device=info.device,
            vram_free=info.vram_free,
            vram_total=info.vram_total,
            queue_running=len(queue.running),
            queue_pending=len(queue.pending),
        )

    # -- nodes and models --------------------------------------------------------------------------

    def object_info(self, node_class: str | None = None) -> JsonDict:
        """``GET /object_info[/{node_class}]``: ``{class: definition}`` (``{}`` for an unknown class)."""
        path = "/object_info" if node_class is None else f"/object_info/{node_class}"
        body = self._get_json(path, timeout=self.long_timeout)
        if not isinstance(body, dict):
            raise self._not_comfyui(f"{path} is not an object")
        return body

    def checkpoints(self) -> list[str]:
        """The checkpoint files the server has (``CheckpointLoaderSimple.ckpt_name``)."""
        info = self.object_info("CheckpointLoaderSimple")
        return _combo(info, "CheckpointLoaderSimple", "ckpt_name")

    def samplers(self) -> list[str]:
        """The sampler names ``KSampler`` accepts."""
        return _combo(self.object_info("KSampler"), "KSampler", "sampler_name")

    def schedulers(self) -> list[str]:
        """The scheduler names ``KSampler`` accepts."""
        return _combo(self.object_info("KSampler"), "KSampler", "scheduler")

    def model_folders(self) -> list[str]:
        """``GET /models``: the model folder names (``[]`` on a build without this endpoint)."""
        response = self._send("GET", "/models", timeout=self.work_timeout)
        if response.status_code == 404:
            return []
        body = self._json(response)
        if not isinstance(body, list):
            raise self._not_comfyui("/models is not a list")
        return [str(name) for name in body]

    def model_files(self, folder: str) -> list[str]:
        """``GET /models/{folder}``: the files in one model folder (``[]`` for an unknown folder)."""
        response = self._send("GET", f"/models/{folder}", timeout=self.work_timeout)
        if response.status_code == 404:
            return []
        body = self._json(response)
        if not isinstance(body, list):
            raise self._not_comfyui(f"/models/{folder} is not a list")
        return [str(name) for name in body]

    # -- prompts -----------------------------------------------------------------------------------

    def post_prompt(
        self,
        graph: JsonDict,
        client_id: str,
        prompt_id: str | None = None,
        *,
        extra_data: JsonDict | None = None,
    ) -> str:
        """Queue an API-format ``graph``; return its prompt id (ours when ``prompt_id`` is given).

        Raises ``ComfyUIRejectedError`` when the server refuses the workflow (HTTP 400 with node
        errors, or HTTP 500 when it could not even read it).
        """
        body: JsonDict = {"prompt": graph, "client_id": client_id}
        if prompt_id is not None:
            body["prompt_id"] = prompt_id
        if extra_data:
            body["extra_data"] = extra_data
        response = self._send("POST", "/prompt", body=body, timeout=self.work_timeout)
        if response.status_code == 400:
            try:
                answer = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                answer = None
            raise ComfyUIRejectedError(describe_rejection(answer, self.display_url), raw=answer)
        if response.status_code == 500:
            # Real ComfyUI answers 500 text/plain when the handler crashed on the body (for example
            # a "prompt" that is not an object): the workflow was not accepted.
            text = response.text.strip().replace("\n\n", ": ")
            raise ComfyUIRejectedError(
                [f"ComfyUI at {self.display_url} failed to read the workflow (HTTP 500: {text})"],
                raw=response.text,
            )
        answer = self._json(response)
        if not isinstance(answer, dict) or not isinstance(answer.get("prompt_id"), str):
            raise self._not_comfyui("POST /prompt gave no prompt_id")
        return str(answer["prompt_id"])

    def history(self, prompt_id: str) -> JsonDict | None:
        """The history entry of a prompt, or ``None`` while it is queued, running or unknown.

        The server writes history just *after* it sends ``execution_success``, so a caller that sees
        ``None`` right after success should ask again shortly.
        """
        body = self._get_json(f"/history/{prompt_id}", timeout=self.work_timeout)
        if not isinstance(body, dict):
            raise self._not_comfyui("/history is not an object")
        entry = body.get(prompt_id)
        return entry if isinstance(entry, dict) else None

    def view(self, filename: str, subfolder: str = "", type: str = "output") -> bytes:
        """The bytes of an image the server made (``GET /view``)."""
        params = {"filename": filename, "subfolder": subfolder, "type": type}
        response = self._send("GET", "/view", params=params, timeout=self.long_timeout)
        if response.status_code == 404:
            where = f"{subfolder}/{filename}" if subfolder else filename
            raise ComfyUIError(f"ComfyUI at {self.display_url} has no {type} image '{where}'")
        if response.status_code == 400:
            raise ComfyUIError(
                f"ComfyUI at {self.display_url} refused to serve '{filename}' of type '{type}'"
            )
        if response.status_code != 200:
            raise self._bad_status(response)
        return response.content

    def upload_image(self, data: bytes, name: str, *, subfolder: str = "") -> str:
        """Put an image in the server's input folder (``POST /upload/image``); its ``LoadImage`` name.

        The name is the one the server answers with (``sub/name.png`` inside a subfolder): ComfyUI
        renames a file whose name is taken by other bytes, and keeps one of identical bytes.
        """
        kind = "image/png" if name.lower().endswith(".png") else "application/octet-stream"
        response = self._send(
            "POST",
            "/upload/image",
            files={"image": (name, data, kind)},
            data={"type": "input", "subfolder": subfolder},
            timeout=self.long_timeout,
        )
        answer = self._json(response)
        if not isinstance(answer, dict) or not isinstance(answer.get("name"), str):
            raise self._not_comfyui("POST /upload/image gave no name")
        folder = answer.get("subfolder") or ""
        return f"{folder}/{answer['name']}" if folder else str(answer["name"])

    def interrupt(self, prompt_id: str | None = None) -> None:
        """Stop the running prompt at its next node boundary; with ``prompt_id``, only if it runs."""
        body = {"prompt_id": prompt_id} if prompt_id else None
        response = self._send("POST", "/interrupt", body=body)
        if response.status_code != 200:
            raise self._bad_status(response)

    def delete_queued(self, prompt_ids: list[str]) -> None:
        """Remove prompts that are still pending (the running one is not touched)."""
        response = self._send("POST", "/queue", body={"delete": list(prompt_ids)})
        if response.status_code != 200:
            raise self._bad_status(response)

    # -- lifetime ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections; using the client afterwards raises ``RuntimeError``."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


#: Makes the client for a server; the monitor, the catalog and the renderer take one (tests inject fakes).
ClientFactory = Callable[[ServerConfig], ComfyUIClient]


@cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every client shares (httpx's defaults: certificates checked).

    httpx builds a new context for each client it makes, loading the whole CA bundle: 24 ms of
    CPU here against 2.3 ms for a client now, and a status check makes a client each time."""
    return httpx.create_ssl_context()


def default_client_factory(server: ServerConfig) -> ComfyUIClient:
    """A client for ``server`` with its token and the default timeouts.

    0.5 s to connect; 1 s for the status calls, 30 s for ``/object_info`` and ``/view``.
    """
    return ComfyUIClient(server.url, token=server.token or None)
