"""ComfyUIClient against the fake ComfyUI (real sockets) and a few MockTransport edge cases."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyboard_core.comfyui.client import ComfyUIClient, describe_rejection, tls_context
from storyboard_core.errors import (
    ComfyUIBadAnswerError,
    ComfyUIError,
    ComfyUIOfflineError,
    ComfyUIRejectedError,
    ComfyUITimeoutError,
    ComfyUIUnavailableError,
)
from tests.fake_comfyui.fixtures import fake_comfyui, refused_url  # noqa: F401
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

TRANSCRIPTS = Path(__file__).parents[2] / "fake_comfyui" / "transcripts"
QUICK = httpx.Timeout(0.3, connect=0.3)


def transcript(prefix: str) -> Any:
    (path,) = TRANSCRIPTS.glob(f"{prefix}_*.json")
    return json.loads(path.read_text("utf-8"))


def image_graph(prefix: str = "test", width: int = 64) -> dict[str, Any]:
    return {
        "1": {
            "class_type": "EmptyImage",
            "inputs": {"width": width, "height": 48, "batch_size": 1, "color": 16711680},
        },
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": prefix}},
    }


def txt2img(ckpt: str = "does_not_exist.safetensors", steps: int = 2) -> dict[str, Any]:
    graph: dict[str, Any] = transcript("57")["request"]["json"]["prompt"]
    graph["4"]["inputs"]["ckpt_name"] = ckpt
    graph["3"]["inputs"]["steps"] = steps
    return graph


@pytest.fixture
def client(fake_comfyui: FakeComfyUI) -> Iterator[ComfyUIClient]:  # noqa: F811
    with ComfyUIClient(fake_comfyui.url, timeout=QUICK) as c:
        yield c


def test_system_stats(client: ComfyUIClient) -> None:
    info = client.system_stats()
    assert info.version == "0.3.64"
    assert info.device == "cpu"
    assert info.vram_total >= info.vram_free > 0


def test_gpu_device_name_is_shortened_for_labels() -> None:
    with (
        FakeComfyUI(device="cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync") as fake,
        ComfyUIClient(fake.url) as c,
    ):
        info = c.system_stats()
    assert info.device.startswith("cuda:0 NVIDIA")
    assert info.device_short == "cuda:0"


def test_queue_and_system_info_count_running_and_pending(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    assert client.queue().running == client.queue().pending == []
    fake_comfyui.set_step_delay(0.3)
    ids = [client.post_prompt(image_graph(f"q{i}"), "me") for i in range(3)]
    wait_for(lambda: client.queue().running)
    queue = client.queue()
    assert [item.prompt_id for item in queue.running] == ids[:1]
    assert [item.prompt_id for item in queue.pending] == ids[1:]
    assert queue.pending[0].client_id == "me"
    info = client.system_info()
    assert (info.queue_running, info.queue_pending, info.queue_total) == (1, 2, 3)
    client.delete_queued(ids[1:])
    client.interrupt()


def test_pending_is_sorted_by_number() -> None:
    body = transcript("67")["json"]
    body["queue_pending"].reverse()  # the server's heap order is only partly sorted

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    with ComfyUIClient("http://fake", transport=httpx.MockTransport(handler)) as c:
        numbers = [item.number for item in c.queue().pending]
    assert numbers == [24, 25, 26]


def test_object_info_helpers(fake_comfyui: FakeComfyUI, client: ComfyUIClient) -> None:  # noqa: F811
    assert client.checkpoints() == []  # a fresh install has none
    fake_comfyui.set_checkpoints(["sd15.safetensors", "sdxl.safetensors"])
    assert client.checkpoints() == ["sd15.safetensors", "sdxl.safetensors"]
    samplers = client.samplers()
    assert len(samplers) == 42
    assert samplers[0] == "euler"
    assert "karras" in client.schedulers()
    assert "KSampler" in client.object_info()
    assert list(client.object_info("SaveImage")) == ["SaveImage"]
    assert client.object_info("NoSuchNode") == {}


def test_combo_in_the_newer_schema_shape() -> None:
    body = {"KSampler": {"input": {"required": {"scheduler": ["COMBO", {"options": ["a", "b"]}]}}}}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    with ComfyUIClient("http://fake", transport=httpx.MockTransport(handler)) as c:
        assert c.schedulers() == ["a", "b"]
        assert c.samplers() == []


def test_post_prompt_runs_and_history_and_view_give_the_image(
    client: ComfyUIClient,
) -> None:
    prompt_id = client.post_prompt(image_graph("shot"), "me")
    entry = wait_for(lambda: client.history(prompt_id))
    assert entry["status"]["status_str"] == "success"
    image = entry["outputs"]["2"]["images"][0]
    assert image == {"filename": "shot_00001_.png", "subfolder": "", "type": "output"}
    data = client.view(image["filename"], image["subfolder"], image["type"])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")


def test_post_prompt_uses_our_prompt_id(client: ComfyUIClient) -> None:
    assert client.post_prompt(image_graph(), "me", prompt_id="my-id-1") == "my-id-1"
    assert wait_for(lambda: client.history("my-id-1"))["prompt"][1] == "my-id-1"


def test_history_is_none_until_finished(fake_comfyui: FakeComfyUI, client: ComfyUIClient) -> None:  # noqa: F811
    assert client.history("00000000-0000-0000-0000-000000000000") is None
    fake_comfyui.set_step_delay(0.2)
    prompt_id = client.post_prompt(image_graph(), "me")
    assert client.history(prompt_id) is None  # queued or running: {}
    assert wait_for(lambda: client.history(prompt_id))["status"]["completed"] is True


def test_bearer_token_is_sent_and_never_shown(fake_comfyui: FakeComfyUI) -> None:  # noqa: F811
    with ComfyUIClient(fake_comfyui.url, token="s3cret-token") as c:
        c.system_stats()
        assert "s3cret" not in repr(c)
    with ComfyUIClient(fake_comfyui.url) as c:
        c.queue()
    assert fake_comfyui.requests_to("/system_stats")[-1].headers["Authorization"] == (
        "Bearer s3cret-token"
    )
    assert "Authorization" not in fake_comfyui.requests_to("/queue")[-1].headers


def test_wrong_token_behind_a_proxy_is_an_error_with_a_hint() -> None:
    with (
        FakeComfyUI(require_token="right") as fake,
        ComfyUIClient(fake.url, token="wrong") as c,
        pytest.raises(ComfyUIBadAnswerError, match=r"HTTP 401 \(check the token\)"),
    ):
        c.system_stats()


def test_missing_checkpoint_in_the_users_words(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    with pytest.raises(ComfyUIRejectedError) as caught:
        client.post_prompt(txt2img("x.safetensors"), "me")
    assert caught.value.messages == [
        f"Checkpoint 'x.safetensors' is not installed on {fake_comfyui.url}; the server has none"
    ]
    assert caught.value.raw["node_errors"]["4"]["class_type"] == "CheckpointLoaderSimple"

    fake_comfyui.set_checkpoints(["a.safetensors", "b.safetensors"])
    with pytest.raises(ComfyUIRejectedError, match=r"it has a\.safetensors, b\.safetensors"):
        client.post_prompt(txt2img("x.safetensors"), "me")


def test_steps_out_of_range_in_the_users_words(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    fake_comfyui.set_checkpoints(["a.safetensors"])
    with pytest.raises(ComfyUIRejectedError) as caught:
        client.post_prompt(txt2img("a.safetensors", steps=20000), "me")
    assert caught.value.messages == ["Steps must be at most 10000"]


def test_unknown_node_type_and_no_outputs(client: ComfyUIClient) -> None:
    graph = {"1": {"class_type": "NoSuchNode", "inputs": {}}}
    with pytest.raises(ComfyUIRejectedError, match="Node type 'NoSuchNode' is not installed"):
        client.post_prompt(graph, "me")
    only_input = {"1": image_graph()["1"]}
    with pytest.raises(ComfyUIRejectedError, match="no output node"):
        client.post_prompt(only_input, "me")


def test_every_recorded_rejection_reads_well() -> None:
    messages = describe_rejection(transcript("58")["json"], "http://gpu:8188")
    assert messages == [
        "Checkpoint 'does_not_exist.safetensors' is not installed on http://gpu:8188; "
        "the server has none",
        "Width must be at least 16",
        "Sampler 'no_such_sampler' is not available on http://gpu:8188; "
        "choose one of the values it offers",
    ]
    assert describe_rejection(transcript("44")["json"], "u") == [
        "EmptyImage (node 1) is missing its input 'width'"
    ]
    assert describe_rejection(transcript("47")["json"], "u") == [
        "Width must be at least 1",
        "Height must be at most 16384",
    ]


def test_500_on_post_prompt_is_a_rejection_with_the_body(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    with pytest.raises(ComfyUIRejectedError, match="HTTP 500: 500 Internal Server Error"):
        client.post_prompt("hello", "me")  # type: ignore[arg-type]  # real ComfyUI crashes too
    fake_comfyui.fail_500()
    with pytest.raises(ComfyUIRejectedError, match="Server got itself in trouble"):
        client.post_prompt(image_graph(), "me")


def test_500_on_a_status_call_is_an_error(fake_comfyui: FakeComfyUI, client: ComfyUIClient) -> None:  # noqa: F811
    fake_comfyui.fail_500()
    with pytest.raises(ComfyUIBadAnswerError) as caught:
        client.system_stats()
    assert (caught.value.kind, caught.value.reason) == ("error", "HTTP 500")
    assert isinstance(caught.value, ComfyUIUnavailableError)


def test_non_json_answer_is_not_comfyui(fake_comfyui: FakeComfyUI, client: ComfyUIClient) -> None:  # noqa: F811
    fake_comfyui.answer_non_json()
    with pytest.raises(ComfyUIBadAnswerError) as caught:
        client.system_stats()
    assert caught.value.reason == "not ComfyUI (/system_stats answered text/html, not JSON)"


def test_json_that_is_not_comfyui() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "ok"})

    with ComfyUIClient("http://fake", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(ComfyUIBadAnswerError, match="not ComfyUI"):
            c.system_stats()
        with pytest.raises(ComfyUIBadAnswerError, match="not ComfyUI"):
            c.queue()


def test_refused_connection_is_offline(refused_url: str) -> None:  # noqa: F811
    with ComfyUIClient(refused_url) as c, pytest.raises(ComfyUIOfflineError) as caught:
        c.system_stats()
    assert (caught.value.kind, caught.value.reason) == ("offline", "connection refused")
    assert refused_url in str(caught.value)


def test_hanging_server_times_out_quickly(fake_comfyui: FakeComfyUI) -> None:  # noqa: F811
    fake_comfyui.hang()
    started = time.monotonic()
    with (
        ComfyUIClient(fake_comfyui.url, timeout=httpx.Timeout(0.2, connect=0.2)) as c,
        pytest.raises(ComfyUITimeoutError) as caught,
    ):
        c.system_stats()
    assert time.monotonic() - started < 1.5
    assert (caught.value.kind, caught.value.reason) == ("timeout", "no answer within 0.2 s")


def test_view_errors(client: ComfyUIClient) -> None:
    with pytest.raises(ComfyUIError, match=r"has no output image 'sub/nope\.png'"):
        client.view("nope.png", "sub")
    with pytest.raises(ComfyUIError, match="refused to serve"):
        client.view("../../main.py")
    with pytest.raises(ComfyUIError, match="refused to serve"):
        client.view("x.png", type="bogus")


def test_interrupt_stops_the_running_prompt(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    fake_comfyui.set_step_delay(0.3)
    prompt_id = client.post_prompt(image_graph(), "me")
    wait_for(lambda: client.queue().running)
    client.interrupt("someone-else")  # not running: ignored
    client.interrupt(prompt_id)
    entry = wait_for(lambda: client.history(prompt_id))
    assert entry["status"]["status_str"] == "error"
    assert entry["status"]["messages"][-1][0] == "execution_interrupted"
    assert entry["outputs"] == {}


def test_delete_queued_removes_pending_only(
    fake_comfyui: FakeComfyUI,  # noqa: F811
    client: ComfyUIClient,
) -> None:
    fake_comfyui.set_step_delay(0.2)
    first = client.post_prompt(image_graph("a"), "me")
    second = client.post_prompt(image_graph("b"), "me")
    wait_for(lambda: client.queue().running)
    client.delete_queued([first, second])  # the running one is not touched
    wait_for(lambda: client.history(first))
    assert client.queue().pending == []
    assert client.history(second) is None


def test_closed_client_refuses_use(fake_comfyui: FakeComfyUI) -> None:  # noqa: F811
    c = ComfyUIClient(fake_comfyui.url)
    c.close()
    with pytest.raises(RuntimeError):
        c.system_stats()


def test_clients_share_one_tls_context_that_checks_certificates() -> None:
    """Each client used to build its own (the CA bundle loaded again, 24 ms): now one, which
    still checks certificates and host names as httpx's default does."""
    context = tls_context()
    assert tls_context() is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
