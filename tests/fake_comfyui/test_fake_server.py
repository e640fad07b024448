"""The fake answers in the shapes the real ComfyUI 0.3.64 was recorded giving (transcripts/)."""

from __future__ import annotations

import json
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.fake_comfyui.fixtures import fake_comfyui  # noqa: F401
from tests.fake_comfyui.images import make_png
from tests.fake_comfyui.server import FakeComfyUI

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def transcript(prefix: str) -> Any:
    (path,) = TRANSCRIPTS.glob(f"{prefix}_*.json")
    return json.loads(path.read_text("utf-8"))


def shape(value: Any) -> Any:
    """The structure of a JSON value: dict keys and element shapes, with leaf values dropped."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return type(value).__name__ if value is not None else None


@pytest.fixture
def http(fake_comfyui: FakeComfyUI) -> Iterator[httpx.Client]:  # noqa: F811
    with httpx.Client(base_url=fake_comfyui.url, timeout=5) as client:
        yield client


def recv(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=5))
    return message


def run_until_done(ws: ClientConnection) -> list[dict[str, Any]]:
    messages = []
    while True:
        message = recv(ws)
        messages.append(message)
        if message["type"] == "executing" and message["data"]["node"] is None:
            return messages


def without_progress_state(messages: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in messages if m["type"] != "progress_state"]


def test_png_is_valid() -> None:
    data = make_png(3, 2, (255, 0, 0), {"prompt": "{}"})
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (3, 2)
    idat_at = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[idat_at - 4 : idat_at])
    raw = zlib.decompress(data[idat_at + 4 : idat_at + 4 + length])
    assert raw == (b"\x00" + b"\xff\x00\x00" * 3) * 2


@pytest.mark.parametrize(
    ("path", "recorded"),
    [
        ("/system_stats", "01"),
        ("/queue", "02"),
        ("/prompt", "03"),
        ("/object_info/EmptyImage", "05"),
        ("/object_info/SaveImage", "06"),
        ("/object_info/CheckpointLoaderSimple", "07"),
        ("/object_info/KSampler", "08"),
        ("/api/system_stats", "01"),
    ],
)
def test_get_answers_have_the_recorded_shape(http: httpx.Client, path: str, recorded: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert shape(response.json()) == shape(transcript(recorded)["json"])


def test_object_info_nodes_are_exactly_the_recorded_ones(http: httpx.Client) -> None:
    for node_class, recorded in [("EmptyImage", "05"), ("SaveImage", "06"), ("KSampler", "08")]:
        real = transcript(recorded)["json"][node_class]
        fake = http.get(f"/object_info/{node_class}").json()[node_class]
        assert fake["input_order"] == real["input_order"]
        assert fake["output"] == real["output"]
        assert fake["output_node"] == real["output_node"]
    assert http.get("/object_info/NoSuchNode").json() == {}
    assert http.get("/no/such/route").status_code == 404


@pytest.mark.parametrize("recorded", ["43", "44", "47", "50", "53", "57", "58"])
def test_invalid_prompts_are_refused_like_the_real_server(
    http: httpx.Client, recorded: str
) -> None:
    real = transcript(recorded)
    response = http.post("/prompt", json=real["request"]["json"])
    assert response.status_code == real["status"] == 400
    assert response.json() == real["json"]


def test_malformed_body_is_a_500_text_plain(http: httpx.Client) -> None:
    real = transcript("55")
    response = http.post("/prompt", content=b"{not json")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == real["text"]


def test_valid_prompt_run_matches_the_recorded_events_and_history(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    http: httpx.Client,
) -> None:
    posted = transcript("21")
    recorded_ws = transcript("22")["A_messages"]
    with connect(f"{fake_comfyui.ws_url}?clientId=rec-990ae000") as ws:
        first = recv(ws)
        assert shape(first) == shape(transcript("20")["A_first"][0]["msg"])
        assert first["data"]["sid"] == "rec-990ae000"
        response = http.post("/prompt", json=posted["request"]["json"])
        assert response.status_code == 200
        assert shape(response.json()) == shape(posted["json"])
        assert response.json()["number"] == 0
        prompt_id = response.json()["prompt_id"]
        messages = run_until_done(ws)

    real = [m["msg"] for m in recorded_ws]
    assert without_progress_state(messages) == without_progress_state(real)
    for fake_msg, real_msg in zip(messages, real, strict=True):
        assert fake_msg["type"] == real_msg["type"]
        assert shape(fake_msg["data"]).keys() == shape(real_msg["data"]).keys()

    entry = http.get(f"/history/{prompt_id}").json()
    real_entry = next(iter(transcript("23")["json"].values()))
    assert shape(entry[prompt_id]) == shape(real_entry)
    assert entry[prompt_id]["outputs"] == real_entry["outputs"]
    assert http.get("/history").json().keys() == {prompt_id}

    image = http.get("/view", params={"filename": "test_00001_.png", "type": "output"})
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"] == 'filename="test_00001_.png"'
    assert struct.unpack(">II", image.content[16:24]) == (64, 48)
    assert b"tEXtprompt" in image.content


def test_filenames_count_up_and_subfolders_work(http: httpx.Client) -> None:
    graph = transcript("21")["request"]["json"]["prompt"]
    graph["2"]["inputs"]["filename_prefix"] = "sub/shot"
    ids = [http.post("/prompt", json={"prompt": graph}).json()["prompt_id"] for _ in range(2)]
    deadline = time.monotonic() + 5
    while len(http.get("/history").json()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    names = [http.get(f"/history/{i}").json()[i]["outputs"]["2"]["images"][0] for i in ids]
    assert names == [
        {"filename": "shot_00001_.png", "subfolder": "sub", "type": "output"},
        {"filename": "shot_00002_.png", "subfolder": "sub", "type": "output"},
    ]
    ok = http.get("/view", params={"filename": "shot_00002_.png", "subfolder": "sub"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"filename": "nope.png", "type": "output"}, 404),
        ({"type": "output"}, 404),
        ({"filename": "../../main.py", "type": "output"}, 400),
        ({"filename": "test_00001_.png", "type": "bogus"}, 400),
    ],
)
def test_view_errors(http: httpx.Client, params: dict[str, str], status: int) -> None:
    assert http.get("/view", params=params).status_code == status


def test_runtime_error_is_accepted_then_fails(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    http: httpx.Client,
) -> None:
    fake_comfyui.fail_next_run("missing ), unterminated subpattern at position 0")
    graph = transcript("21")["request"]["json"]
    real = [m["msg"] for m in transcript("60")["A_messages"]]
    with connect(f"{fake_comfyui.ws_url}?clientId=rec-990ae000") as ws:
        recv(ws)
        prompt_id = http.post("/prompt", json=graph).json()["prompt_id"]
        messages = run_until_done(ws)
    assert without_progress_state(messages) == without_progress_state(real)
    error = next(m["data"] for m in messages if m["type"] == "execution_error")
    real_error = next(m["data"] for m in real if m["type"] == "execution_error")
    assert error.keys() == real_error.keys()
    assert error["exception_message"] == "missing ), unterminated subpattern at position 0"
    entry = http.get(f"/history/{prompt_id}").json()[prompt_id]
    assert entry["status"]["status_str"] == "error"
    assert entry["outputs"] == {}
    assert [m[0] for m in entry["status"]["messages"]] == [
        m[0] for m in next(iter(transcript("61")["json"].values()))["status"]["messages"]
    ]


def test_queue_while_busy_then_delete_clear_and_interrupt(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    http: httpx.Client,
) -> None:
    fake_comfyui.set_step_delay(0.3)
    graph = transcript("21")["request"]["json"]
    ids = [http.post("/prompt", json=graph).json()["prompt_id"] for _ in range(4)]
    deadline = time.monotonic() + 5
    while not http.get("/queue").json()["queue_running"] and time.monotonic() < deadline:
        time.sleep(0.01)
    queue = http.get("/queue").json()
    assert shape(queue) == shape(transcript("67")["json"])
    assert [item[1] for item in queue["queue_running"]] == ids[:1]
    assert http.get("/prompt").json() == {"exec_info": {"queue_remaining": 4}}
    assert http.post("/queue", json={"delete": [ids[1]]}).status_code == 200
    assert [item[1] for item in http.get("/queue").json()["queue_pending"]] == ids[2:]
    assert http.post("/queue", json={"clear": True}).status_code == 200
    assert http.get("/queue").json()["queue_pending"] == []
    assert http.post("/interrupt", json={"prompt_id": "not-running"}).status_code == 200
    assert http.post("/interrupt").status_code == 200
    while http.get("/queue").json()["queue_running"] and time.monotonic() < deadline:
        time.sleep(0.01)
    entry = http.get(f"/history/{ids[0]}").json()[ids[0]]
    assert entry["status"]["messages"][-1][0] == "execution_interrupted"
    assert http.get(f"/history/{ids[1]}").json() == {}


def test_interrupt_mid_ksampler_broadcasts_execution_interrupted(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    http: httpx.Client,
) -> None:
    fake_comfyui.set_checkpoints(["a.safetensors"])
    fake_comfyui.set_step_delay(0.05)
    graph = transcript("57")["request"]["json"]["prompt"]
    graph["4"]["inputs"]["ckpt_name"] = "a.safetensors"
    graph["3"]["inputs"]["steps"] = 50
    with (
        connect(f"{fake_comfyui.ws_url}?clientId=me") as mine,
        connect(f"{fake_comfyui.ws_url}?clientId=watcher") as watcher,
    ):
        recv(mine)
        recv(watcher)
        http.post("/prompt", json={"prompt": graph, "client_id": "me"})
        while (message := recv(mine))["type"] != "progress" or message["data"]["value"] < 2:
            pass
        assert message["data"]["max"] == 50
        http.post("/interrupt", json={})
        rest = run_until_done(mine)
        assert "execution_interrupted" in [m["type"] for m in rest]
        while (seen := recv(watcher))["type"] != "execution_interrupted":
            assert seen["type"] in ("status", "progress_state")  # others' events are not sent


def test_history_race_is_configurable(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    http: httpx.Client,
) -> None:
    fake_comfyui.set_history_delay(0.3)
    with connect(f"{fake_comfyui.ws_url}?clientId=me") as ws:
        recv(ws)
        prompt_id = http.post(
            "/prompt",
            json={"prompt": transcript("21")["request"]["json"]["prompt"], "client_id": "me"},
        ).json()["prompt_id"]
        while recv(ws)["type"] != "execution_success":
            pass
        assert http.get(f"/history/{prompt_id}").json() == {}  # the race, widened
        run_until_done(ws)
        assert prompt_id in http.get(f"/history/{prompt_id}").json()


def test_feature_flags_and_generated_sid(fake_comfyui: FakeComfyUI) -> None:  # noqa: F811
    with connect(f"{fake_comfyui.url.replace('http', 'ws')}/api/ws") as ws:
        first = recv(ws)
        assert len(first["data"]["sid"]) == 32
        ws.send(json.dumps({"type": "feature_flags", "data": {}}))
        assert recv(ws) == transcript("20")["C_first"][1]["msg"]


def test_controls(fake_comfyui: FakeComfyUI, http: httpx.Client) -> None:  # noqa: F811
    fake_comfyui.fail_500()
    response = http.get("/system_stats")
    assert (response.status_code, response.text) == (500, transcript("55")["text"])
    fake_comfyui.answer_non_json()
    assert http.get("/queue").headers["content-type"].startswith("text/html")
    fake_comfyui.hang()
    with pytest.raises(httpx.ReadTimeout):
        http.get("/system_stats", timeout=0.2)
    fake_comfyui.healthy()
    assert http.get("/system_stats").status_code == 200
    port = fake_comfyui.port
    fake_comfyui.refuse()
    with pytest.raises(httpx.ConnectError):
        http.get("/system_stats")
    fake_comfyui.come_back()
    assert fake_comfyui.port == port
    assert http.get("/system_stats").status_code == 200
    assert fake_comfyui.requests_to("/system_stats")[-1].method == "GET"
