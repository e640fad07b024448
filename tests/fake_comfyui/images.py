"""The images the fake ComfyUI holds: what ``SaveImage`` writes, ``/view`` serves and
``/upload/image`` stores.

``SaveImage`` writes ``<prefix>_00001_.png`` (counting up) as a real PNG of the colour and shape the
graph asked for, with the graph in its ``prompt`` text chunk (transcripts 23, 24). ``POST
/upload/image`` (multipart ``image``, ``subfolder``, ``type``, ``overwrite``) stores the file in the
input folder and answers ``{"name", "subfolder", "type"}`` (transcript 87); the same bytes under a
taken name give that name back, other bytes get ``name (1).png`` unless ``overwrite``, as ComfyUI's
``image_upload`` does. ``/view?type=input`` serves it (transcript 88).
"""

from __future__ import annotations

import json
import random
import re
import string
import struct
import zlib
from email.parser import BytesParser
from email.policy import HTTP

from aiohttp import web

from storyboard_core.types import JsonDict

from .faults import NOT_JSON, broken_answer
from .state import STATE, FakeState, Job

IMAGE_TYPES = ("output", "input", "temp")
#: ``/view``'s Content-Type by file extension (107, 112, 116, 120).
CONTENT_TYPES = {
    "png": "image/png",
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "gif": "image/gif",
}
# Generated images are at most this many pixels per side, so a "2048x2048" run stays fast.
MAX_IMAGE_SIDE = 256


def make_png(
    width: int,
    height: int,
    rgb: tuple[int, int, int] = (0, 0, 0),
    text: dict[str, str] | None = None,
) -> bytes:
    """A valid RGB PNG of one colour, with optional tEXt chunks (ComfyUI stores ``prompt`` there)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for key, value in (text or {}).items():
        out += chunk(b"tEXt", key.encode("latin-1") + b"\x00" + value.encode("latin-1", "replace"))
    return out + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


def image_source(prompt: JsonDict, node_id: str) -> JsonDict:
    """The inputs of the EmptyImage/EmptyLatentImage a SaveImage's pixels come from, if any."""
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in prompt:
            continue
        seen.add(current)
        node = prompt[current]
        inputs = node.get("inputs") or {}
        if node.get("class_type") in ("EmptyImage", "EmptyLatentImage"):
            return dict(inputs)
        todo.extend(str(v[0]) for v in inputs.values() if isinstance(v, list))
    return {}


def save_images(state: FakeState, job: Job, node_id: str) -> list[JsonDict]:
    """Write the images of ``job``'s ``SaveImage`` (or ``PreviewImage``) ``node_id``; their entries."""
    node = job.prompt[node_id]
    source = image_source(job.prompt, node_id)
    # Scaled down to at most MAX_IMAGE_SIDE, keeping the shape a shot asked for (16:9 stays 16:9).
    width, height = int(source.get("width", 64)), int(source.get("height", 64))
    scale = min(1.0, MAX_IMAGE_SIDE / max(width, height, 1))
    width, height = max(1, round(width * scale)), max(1, round(height * scale))
    batch = int(source.get("batch_size", 1))
    color = int(source.get("color", 0x808080))
    rgb = ((color >> 16) & 255, (color >> 8) & 255, color & 255)
    if node["class_type"] == "SaveImage":
        kind = "output"
        prefix = str(node["inputs"].get("filename_prefix", "ComfyUI"))
    else:
        kind = "temp"
        prefix = "ComfyUI_temp_" + "".join(random.choices(string.ascii_lowercase, k=5))
    subfolder, _, base = prefix.rpartition("/")
    text = {"prompt": json.dumps(job.prompt)}
    workflow = job.extra_data.get("extra_pnginfo", {}).get("workflow")
    if workflow is not None:
        text["workflow"] = json.dumps(workflow)
    images = []
    for _ in range(batch):
        counter = state.counters.get((subfolder, base), 0) + 1
        state.counters[(subfolder, base)] = counter
        filename = f"{base}_{counter:05}_.png"
        state.files[(kind, subfolder, filename)] = make_png(width, height, rgb, text)
        state.made_by[(kind, subfolder, filename)] = job.prompt_id
        images.append({"filename": filename, "subfolder": subfolder, "type": kind})
    return images


def input_images(state: FakeState) -> list[str]:
    """The files of the input folder, as ``LoadImage`` offers them for its ``image`` input."""
    # LoadImage names a file of the input folder by its path inside it ("sub/name.png").
    return [f"{sub}/{name}" if sub else name for kind, sub, name in state.files if kind == "input"]


async def view(request: web.Request) -> web.Response:
    """``GET /view?filename=…&subfolder=…&type=…``: an image's bytes (or a fault's answer)."""
    state = request.app[STATE]
    filename = request.query.get("filename", "")
    subfolder = request.query.get("subfolder", "")
    kind = request.query.get("type", "output")
    if not filename:
        return web.Response(status=404)
    if filename.startswith("/") or ".." in filename:
        return web.Response(status=400)
    if kind not in IMAGE_TYPES:
        return web.Response(status=400)
    if subfolder.startswith("/") or ".." in subfolder:
        return web.Response(status=403)
    data = state.files.get((kind, subfolder, filename))
    if data is None:
        return web.Response(status=404)
    fault = state.faults.get(state.made_by.get((kind, subfolder, filename), ""))
    if fault == "view_500":
        return broken_answer("500")
    if fault == "view_hang":
        assert state.unhang is not None
        await state.unhang.wait()
        return broken_answer("500")
    if fault == "view_not_image":
        data = NOT_JSON.encode()
    elif fault == "view_truncated":
        data = data[: len(data) // 2]
    suffix = filename.rpartition(".")[2].lower()
    content_type = CONTENT_TYPES.get(suffix, "image/png")
    headers = {"Content-Disposition": f'filename="{filename}"', "Accept-Ranges": "bytes"}
    wanted = _range(request.headers.get("Range", ""), len(data))
    if wanted is not None:  # a player seeking in a clip (108)
        first, last = wanted
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        part = data[first : last + 1]
        return web.Response(status=206, body=part, content_type=content_type, headers=headers)
    return web.Response(body=data, content_type=content_type, headers=headers)


def _range(header: str, size: int) -> tuple[int, int] | None:
    """The byte range of a ``Range: bytes=a-b`` header (``None``: the whole file)."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if match is None or not any(match.groups()) or size == 0:
        return None
    start, end = match.groups()
    if not start:  # the last N bytes
        return max(0, size - int(end)), size - 1
    return int(start), min(int(end) if end else size - 1, size - 1)


async def upload_image(request: web.Request) -> web.Response:
    """``POST /upload/image``: store an image in the input folder and say its name."""
    state = request.app[STATE]
    # The middleware has consumed the stream; read() gives its cached bytes to parse.
    head = f"Content-Type: {request.headers.get('Content-Type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + await request.read())
    fields: dict[str, str] = {}
    image: tuple[str, bytes] | None = None
    for part in message.iter_parts() if message.is_multipart() else []:
        field_name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(field_name, str) or not isinstance(payload, bytes):
            continue
        if field_name == "image" and part.get_filename():
            image = (str(part.get_filename()), payload)
        else:
            fields[field_name] = payload.decode()
    if image is None:
        return web.Response(status=400)
    name, data = image
    kind = fields.get("type") or "input"
    subfolder = fields.get("subfolder", "")
    if kind not in IMAGE_TYPES or ".." in name or "/" in name or ".." in subfolder:
        return web.Response(status=400)
    if fields.get("overwrite", "").lower() not in ("true", "1"):
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (name, "")
        n = 1
        while (kind, subfolder, name) in state.files:
            if state.files[(kind, subfolder, name)] == data:
                break  # the same image again: ComfyUI answers with the existing file
            name = f"{stem} ({n}){suffix}"
            n += 1
    state.files[(kind, subfolder, name)] = data
    return web.json_response({"name": name, "subfolder": subfolder, "type": kind})
