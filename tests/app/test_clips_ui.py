"""Video takes in the app: the editor plays the clip (poster first, facts, muted unless the shot's
sound is the clip), the storyboard card marks it ▶, two video takes are compared on one clock, the
present page serves only the clips near the shot on screen, and Settings shows each server's
capabilities. The clips themselves play in the browser (``tests/e2e/test_clips.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from storyboard_core.comfyui.capabilities import capabilities_from
from storyboard_core.comfyui.catalog import Catalog
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.recorded import recorded_models, recorded_object_info
from tests.hostile import as_read
from tests.video_takes import add_video_take
from ui.frame.registry import PRESENT, SEQUENCE, SETTINGS, SHOT
from ui.views import server_capabilities

from .conftest import OpenPage, storyboard_view


def components(at: AppTest) -> list[dict[str, Any]]:
    """The data of every ``st.components.v2`` component on the page."""
    return [json.loads(c.proto.json) for c in at.get("bidi_component")]


def is_served(url: str, suffix: str) -> bool:
    """True for a URL of Streamlit's media server (``/mock`` under AppTest), never inlined data."""
    return re.fullmatch(rf"(/mock)?/media/[0-9a-f]+\{suffix}", url) is not None


def captions(at: AppTest) -> list[str]:
    return [as_read(c.value) for c in at.main.caption]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_editor_plays_the_take_s_clip_with_its_poster_and_facts(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    saved = add_video_take(store, demo.id, "001", shot.id, frames=48, fps=24)
    at = ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id))
    (player,) = components(at)
    (clip,) = player["clips"]
    assert player["sync"] is False
    assert is_served(clip["url"], ".mp4") and is_served(clip["poster"], ".jpg")
    assert clip["muted"] is True
    assert "▶ Clip · 24 fps · 48 frames · 2 s · 320×192 · muted" in captions(at)
    assert not at.main.image  # the poster is the video's, not a second picture

    # The shot's sound is the clip itself: it plays with its sound.
    assert saved.render is not None and saved.render.video is not None
    sound = {"file": saved.render.video.clip, "duration": 2.0}
    store.update_shot(demo.id, "001", shot.id, {"sound": sound})
    ok(at.run())
    (player,) = components(at)
    assert player["clips"][0]["muted"] is False
    assert any(c.endswith("· with its sound") for c in captions(at))


def test_a_still_take_shows_its_frame_and_no_player(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    add_video_take(store, demo.id, "001", shot.id)
    clip = next((store.project_dir(demo.id) / "renders" / shot.id).glob("*.mp4"))
    clip.unlink()  # a clip gone from disk: the poster stands in
    at = ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id))
    assert components(at) == []
    assert len(at.main.image) == 1


def test_the_storyboard_card_marks_a_video_take(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first, second = store.read_shots(demo.id, "001")[:2]
    add_video_take(store, demo.id, "001", first.id)
    at = ok(storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001")))
    marked = [c for c in captions(at) if c.startswith("▶ clip · ")]
    assert marked == [c for c in captions(at) if c.startswith(f"▶ clip · #{first.position} ")]
    assert len(marked) == 1
    assert not any(c.startswith(f"▶ clip · #{second.position} ") for c in captions(at))


def test_two_video_takes_are_compared_on_one_clock(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    add_video_take(store, demo.id, "001", shot.id, frames=48)
    add_video_take(store, demo.id, "001", shot.id, frames=24)
    at = ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id))
    current, compared = components(at)
    assert len(current["clips"]) == 1
    assert compared["sync"] is True
    assert [c["duration"] for c in compared["clips"]] == [2.0, 1.0]  # take A (older), take B
    assert all(is_served(c["url"], ".mp4") for c in compared["clips"])
    assert compared["clips"][0]["label"].startswith("Take 1 · render")


def test_present_serves_only_the_clips_near_the_shot_on_screen(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    window = [(seq, s.id) for seq in ("001", "002", "003") for s in store.read_shots(demo.id, seq)]
    for seq, shot_id in window:
        add_video_take(store, demo.id, seq, shot_id, frames=12)
    here = 3  # the first shot of 002
    at = ok(open_page(PRESENT, project=demo.id, seq="002", shot=window[here][1]))
    player, served = components(at)
    slides = player["slides"]
    assert [(s["seq"], s["shot"]) for s in slides] == window
    assert all(s["clip_file"].endswith(".mp4") and s["clip"] == "" for s in slides)
    assert all(not s["clip_audible"] for s in slides)
    near = [f"{seq}/{shot}" for i, (seq, shot) in enumerate(window) if abs(i - here) <= 2]
    assert list(served["clips"]) == near
    assert all(is_served(url, ".mp4") for url in served["clips"].values())

    # The next shot: the slides (the player's data) stay the same, the served window moves on.
    ok(open_page(PRESENT, project=demo.id, seq="002", shot=window[here + 1][1]))
    moved, served = components(at)
    assert moved["slides"] == slides
    assert list(served["clips"]) == [f"{seq}/{shot}" for seq, shot in window[2:7]]


def test_present_on_stills_serves_no_clips(demo: Project, open_page: OpenPage) -> None:
    at = ok(open_page(PRESENT, project=demo.id, seq="001"))
    (player,) = components(at)
    assert all(s["clip_file"] == "" for s in player["slides"])


# -- settings: what each server can run ----------------------------------------------------------------


@pytest.fixture
def recorded_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every server reads as the recorded ComfyUI 0.3.64 (video nodes; a few model files)."""
    wan = "wan2.1_i2v.safetensors"
    info = recorded_object_info()
    info["UNETLoader"]["input"]["required"]["unet_name"] = [[wan], {}]
    caps = capabilities_from(info, {**recorded_models(), "diffusion_models": [wan]})

    def catalog(server: ServerConfig) -> Catalog:
        return Catalog(fetched_at=1.0, capabilities=caps)

    monkeypatch.setattr(server_capabilities, "server_catalog", catalog)


def test_settings_shows_each_server_s_capabilities_and_workflows(
    workspace: Path, recorded_catalog: None, open_page: OpenPage
) -> None:
    flows = workspace / "workflows"
    flows.mkdir()
    wan = {
        "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "wan2.1_i2v.safetensors"}},
        "2": {"class_type": "WanImageToVideo", "inputs": {}},
        "3": {"class_type": "SaveVideo", "inputs": {}},
    }
    (flows / "wan.json").write_text(json.dumps(wan), encoding="utf-8")
    other = {
        "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "hunyuan.safetensors"}},
        "2": {"class_type": "HunyuanVideoSampler", "inputs": {}},
    }
    (flows / "hunyuan.json").write_text(json.dumps(other), encoding="utf-8")
    at = ok(open_page(SETTINGS))
    (facts,) = [c for c in captions(at) if "node types" in c]
    assert facts.startswith(f"{len(recorded_object_info())} node types · video nodes: ")
    for node in ("SaveVideo", "SaveWEBM", "WanImageToVideo", "CreateVideo"):
        assert node in facts
    assert "diffusion_models 1" in facts and "checkpoints 0" in facts
    table = at.main.table[-1]  # the servers' table first, then the default server's workflows
    rows = {
        as_read(r["Workflow"]): as_read(r["On this server"]) for r in table.value.to_dict("records")
    }
    assert rows["wan"] == "✅ can run it"
    assert rows["hunyuan"] == ("⛔ lacks node HunyuanVideoSampler, model hunyuan.safetensors")
    assert len(rows) == 3  # and the built-in workflow
