"""Capabilities from the recorded ComfyUI 0.3.64 answers, a graph's requirements, and routing."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from storyboard_core.comfyui.capabilities import (
    Candidate,
    Capabilities,
    ModelNeed,
    capabilities_from,
    choose_server,
    read_capabilities,
    requirements,
)
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.errors import ComfyUIError, NoCapableServerError
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.recorded import recorded_models, recorded_object_info, transcript

WAN_GRAPH_PREFIX = "142"


def wan_graph() -> dict[str, Any]:
    graph: dict[str, Any] = transcript(WAN_GRAPH_PREFIX)["request"]["json"]["prompt"]
    return graph


def recorded_transport() -> httpx.MockTransport:
    """Answers as the recorded server did: ``/object_info``, ``/models`` and its folders."""
    listed: list[str] = transcript("131")["json"]
    folders = recorded_models()

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/object_info":
            return httpx.Response(200, json=recorded_object_info())
        if path == "/models":
            return httpx.Response(200, json=listed)
        folder = path.removeprefix("/models/")
        if folder in listed:
            return httpx.Response(200, json=folders.get(folder, []))
        return httpx.Response(404)

    return httpx.MockTransport(answer)


def server(name: str) -> ServerConfig:
    return ServerConfig(name=name, url=f"http://{name}:8188")


def caps(nodes: list[str], models: dict[str, list[str]] | None = None) -> Capabilities:
    return capabilities_from({n: {"input": {}} for n in nodes}, models or {})


WAN_MODEL = "wan2.1_i2v.safetensors"
VIDEO_GRAPH = {
    "1": {"class_type": "UNETLoader", "inputs": {"unet_name": WAN_MODEL}},
    "2": {"class_type": "WanImageToVideo", "inputs": {"vae": ["1", 0]}},
    "3": {"class_type": "SaveVideo", "inputs": {"video": ["2", 0], "format": "auto"}},
}
BASIC = ["UNETLoader", "SaveVideo"]


# --- reading capabilities ---------------------------------------------------------------------------


def test_read_capabilities_as_the_recorded_server_answers() -> None:
    with ComfyUIClient("http://rec:8195", transport=recorded_transport()) as client:
        found = read_capabilities(client)
    assert {"SaveVideo", "SaveWEBM", "WanImageToVideo", "UNETLoader", "KSampler"} <= set(
        found.nodes
    )
    # Both combo encodings: V1 [[…]] (UNETLoader) and V3 ["COMBO", {options}] (SaveVideo).
    assert found.choices("UNETLoader", "weight_dtype")[0] == "default"
    assert found.choices("UNETLoader", "unet_name") == ()
    assert found.choices("SaveVideo", "format") == ("auto", "mp4")
    assert found.choices("SaveWEBM", "codec") == ("vp9", "av1")
    assert "euler" in found.choices("KSampler", "sampler_name")
    # Every folder /models lists is read; the recording server had no model files.
    assert set(found.models) == set(transcript("131")["json"])
    assert found.models["diffusion_models"] == frozenset()


def test_a_server_without_the_models_endpoint_has_no_folders() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/object_info":
            return httpx.Response(200, json={"SaveImage": {"input": {}}})
        return httpx.Response(404)

    with ComfyUIClient("http://old:8188", transport=httpx.MockTransport(answer)) as client:
        found = read_capabilities(client)
    assert set(found.nodes) == {"SaveImage"} and found.models == {}


def test_an_answer_that_is_not_comfyui_is_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/object_info":
            return httpx.Response(200, json={})
        return httpx.Response(200, json={"not": "a list"})

    with (
        ComfyUIClient("http://odd:8188", transport=httpx.MockTransport(answer)) as client,
        pytest.raises(ComfyUIError, match="/models is not a list"),
    ):
        read_capabilities(client)


# --- what a graph needs -----------------------------------------------------------------------------


def test_requirements_of_the_recorded_wan_graph() -> None:
    needs = requirements(wan_graph())
    assert {"UNETLoader", "WanImageToVideo", "SaveVideo", "CLIPVisionLoader"} <= needs.nodes
    assert {(m.node_class, m.file, m.folder) for m in needs.models} == {
        ("UNETLoader", "wan2.1_i2v_480p.safetensors", "diffusion_models"),
        ("CLIPLoader", "umt5_xxl_fp8_e4m3fn_scaled.safetensors", "text_encoders"),
        ("VAELoader", "wan_2.1_vae.safetensors", "vae"),
        ("CLIPVisionLoader", "clip_vision_h.safetensors", "clip_vision"),
    }
    # Links, prompts, numbers and input images are not model files.
    assert not any(m.file == "i2v_start.png" for m in needs.models)


def test_the_missing_models_are_those_the_real_server_refused() -> None:
    """142: the recorded server refused exactly the four loader files; capabilities agree."""
    graph = wan_graph()
    info = recorded_object_info()
    for node in graph.values():  # the real server has every node of the graph (142 names none)
        info.setdefault(node["class_type"], {"input": {}})
    recorded = capabilities_from(info, recorded_models())
    refused = {
        error["extra_info"]["received_value"]
        for entry in transcript("142")["json"]["node_errors"].values()
        for error in entry["errors"]
    }
    missing = recorded.missing(requirements(graph))
    assert sorted(missing) == [f"model {f}" for f in sorted(refused)]
    assert len(refused) == 4


def test_placeholders_are_not_needs_until_filled() -> None:
    graph = {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{checkpoint}}"}}
    }
    assert requirements(graph).models == ()
    graph["4"]["inputs"]["ckpt_name"] = "sd15.ckpt"
    (need,) = requirements(graph).models
    assert need.folder == "checkpoints"


def test_a_custom_loader_file_is_found_by_its_suffix() -> None:
    graph = {"1": {"class_type": "GGUFLoader", "inputs": {"gguf_name": "wan-Q4.gguf"}}}
    (need,) = requirements(graph).models
    assert need == ModelNeed("GGUFLoader", "gguf_name", "wan-Q4.gguf", None)
    # Its node's combo decides; without one nothing can be checked, so it counts as there.
    offered = capabilities_from(
        {"GGUFLoader": {"input": {"required": {"gguf_name": [["other.gguf"]]}}}}, {}
    )
    assert not offered.has_model(need)
    assert caps(["GGUFLoader"]).has_model(need)


def test_a_combo_is_what_the_server_checks_a_folder_is_the_fallback() -> None:
    need = ModelNeed("VAELoader", "vae_name", "pixel_space", "vae")
    # VAELoader offers pixel_space while /models/vae is empty (142).
    offered = capabilities_from(
        {"VAELoader": {"input": {"required": {"vae_name": [["pixel_space"]]}}}}, {"vae": []}
    )
    assert offered.has_model(need)
    assert not caps(["VAELoader"], {"vae": []}).has_model(need)
    assert caps(["VAELoader"], {"vae": ["pixel_space"]}).has_model(need)


# --- choosing a server ------------------------------------------------------------------------------


def test_the_least_busy_capable_server_is_chosen() -> None:
    needs = requirements(VIDEO_GRAPH)
    able = caps([*BASIC, "WanImageToVideo"], {"diffusion_models": [WAN_MODEL]})
    unable = caps(BASIC, {"diffusion_models": [WAN_MODEL]})
    candidates = [
        Candidate(server("idle-but-unable"), unable, 0),
        Candidate(server("busy"), able, 3),
        Candidate(server("quiet"), able, 1),
        Candidate(server("offline"), able, None),
        Candidate(server("unknown"), None, 0),
    ]
    assert choose_server(needs, candidates).name == "quiet"


def test_a_server_that_last_loaded_the_model_is_preferred() -> None:
    needs = requirements(VIDEO_GRAPH)
    able = caps([*BASIC, "WanImageToVideo"], {"diffusion_models": [WAN_MODEL]})
    cold, warm = server("cold"), server("warm")
    # One more prompt waiting is worth not loading the model again…
    assert choose_server(needs, [(cold, able, 1, None), (warm, able, 2, WAN_MODEL)]) == warm
    # …two more are not; a model the graph does not use is no reason; ties go to the first.
    assert choose_server(needs, [(cold, able, 1, None), (warm, able, 3, WAN_MODEL)]) == cold
    assert choose_server(needs, [(cold, able, 1, None), (warm, able, 1, "x.ckpt")]) == cold


def test_refusal_names_what_is_missing_where() -> None:
    needs = requirements(VIDEO_GRAPH)
    candidates = [
        Candidate(server("studio-1"), caps(BASIC, {"diffusion_models": []}), 0),
        Candidate(server("studio-2"), caps(BASIC, {"diffusion_models": [WAN_MODEL]}), None),
    ]
    with pytest.raises(NoCapableServerError) as caught:
        choose_server(needs, candidates, what="shot sh-1")
    assert caught.value.missing == [
        "node WanImageToVideo: on no server",
        "model wan2.1_i2v.safetensors: only on studio-2, which is offline",
    ]
    assert str(caught.value) == (
        "no ComfyUI server can render shot sh-1: node WanImageToVideo: on no server; "
        "model wan2.1_i2v.safetensors: only on studio-2, which is offline"
    )


def test_refusal_when_the_needs_are_split_over_servers() -> None:
    needs = requirements(VIDEO_GRAPH)
    candidates = [
        Candidate(server("a"), caps([*BASIC, "WanImageToVideo"], {"diffusion_models": []}), 0),
        Candidate(server("b"), caps(BASIC, {"diffusion_models": [WAN_MODEL]}), 0),
        Candidate(server("c"), caps(BASIC, {"diffusion_models": [WAN_MODEL]}), None),
        Candidate(server("d"), None, None),  # offline, never read: says nothing
    ]
    with pytest.raises(NoCapableServerError) as caught:
        choose_server(needs, candidates)
    assert caught.value.missing == [
        "node WanImageToVideo: only on a",
        "model wan2.1_i2v.safetensors: only on b (also on c, offline)",
    ]


def test_a_server_not_read_yet_gets_what_no_known_server_can_run() -> None:
    """At start-up the catalog has not read every server: an online one is tried, not refused."""
    needs = requirements(VIDEO_GRAPH)
    unable = caps(BASIC, {"diffusion_models": []})
    candidates = [
        Candidate(server("unable"), unable, 0),
        Candidate(server("busy-unread"), None, 3),
        Candidate(server("quiet-unread"), None, 1),
        Candidate(server("offline-unread"), None, None),
    ]
    assert choose_server(needs, candidates).name == "quiet-unread"


def test_refusal_when_every_server_is_offline() -> None:
    needs = requirements(VIDEO_GRAPH)
    full = caps([*BASIC, "WanImageToVideo"], {"diffusion_models": [WAN_MODEL]})
    candidates = [Candidate(server("a"), full, None), Candidate(server("b"), None, None)]
    with pytest.raises(NoCapableServerError) as caught:
        choose_server(needs, candidates)
    assert caught.value.missing == ["no server is online (a and b offline)"]
    with pytest.raises(NoCapableServerError, match="no ComfyUI server is configured"):
        choose_server(needs, [])


def test_choosing_among_five_servers_costs_under_five_ms() -> None:
    """The issue's budget: ≤ 5 ms with 5 servers, from the caches (a real server has ~500 nodes)."""
    files = [f"model_{i}.safetensors" for i in range(200)]
    info = {
        f"Node{i}": {"input": {"required": {"ckpt_name": [files], "x": ["INT", {}]}}}
        for i in range(500)
    }
    info["UNETLoader"] = {"input": {"required": {"unet_name": [[*files, WAN_MODEL]]}}}
    info["WanImageToVideo"] = info["SaveVideo"] = {"input": {}}
    big = capabilities_from(info, {"diffusion_models": [*files, WAN_MODEL]})
    graph = dict(VIDEO_GRAPH)
    for i in range(10):
        graph[f"n{i}"] = {"class_type": f"Node{i}", "inputs": {"ckpt_name": files[-1 - i]}}
    needs = requirements(graph)
    candidates = [Candidate(server(f"s{i}"), big, 5 - i, files[0]) for i in range(5)]
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        chosen = choose_server(needs, candidates)
        timings.append(time.perf_counter() - started)
    assert chosen.name == "s4"
    assert sorted(timings)[len(timings) // 2] < 0.005
