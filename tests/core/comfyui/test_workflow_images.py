"""Images in workflows against the fake ComfyUI: ``/upload/image`` and ``LoadImage`` as the real
server does them, ``{{reference_image}}`` and ``{{init_image}}`` uploaded once per content and
server and substituted by the server's name, and a workflow refused before anything is queued
when the shot lacks its image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import ComfyUIRejectedError, InvalidDataError, Project, Shot, Store
from storyboard_core.bible.entries import add_entry, add_reference
from storyboard_core.bible.references import clear_shot_reference, set_shot_reference
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.inputs import UploadCache
from storyboard_core.comfyui.render import render_shot
from storyboard_core.comfyui.workflows import workflows_dir
from storyboard_core.settings import ServerConfig
from storyboard_core.takes import upload_take
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import png_bytes

CKPT = "sd15.safetensors"


def image_graph(placeholder: str) -> dict[str, Any]:
    """LoadImage → SaveImage: the smallest graph that takes an image in."""
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": placeholder}},
        "2": {
            "class_type": "SaveImage",
            "inputs": {"images": ["1", 0], "filename_prefix": "{{filename_prefix}}"},
        },
    }


def uploads(fake: FakeComfyUI) -> list[Any]:
    return fake.requests_to("/upload/image")


# --- the fake server and the client -----------------------------------------------------------------


def test_upload_answers_the_name_and_view_serves_the_input(fake_comfyui: FakeComfyUI) -> None:
    with ComfyUIClient(fake_comfyui.url) as client:
        red, blue = png_bytes(color=(255, 0, 0)), png_bytes(color=(0, 0, 255))
        assert client.upload_image(red, "upload_test.png") == "upload_test.png"
        assert client.upload_image(red, "upload_test.png") == "upload_test.png", "same bytes"
        assert client.upload_image(blue, "upload_test.png") == "upload_test (1).png"
        assert client.upload_image(blue, "b.png", subfolder="storyboard") == "storyboard/b.png"
        assert client.view("upload_test.png", type="input") == red
        assert client.view("b.png", "storyboard", type="input") == blue
        choices = client.object_info("LoadImage")["LoadImage"]["input"]["required"]["image"][0]
        assert choices == ["storyboard/b.png", "upload_test (1).png", "upload_test.png"]


def test_load_image_of_a_file_never_uploaded_is_refused(fake_comfyui: FakeComfyUI) -> None:
    graph = image_graph("nope.png")
    graph["2"]["inputs"]["filename_prefix"] = "x"
    with ComfyUIClient(fake_comfyui.url) as client, pytest.raises(ComfyUIRejectedError) as caught:
        client.post_prompt(graph, "me")
    assert "nope.png" in str(caught.value)


# --- rendering with images -------------------------------------------------------------------------


@pytest.fixture
def server(fake_comfyui: FakeComfyUI) -> ServerConfig:
    fake_comfyui.set_checkpoints([CKPT])
    return ServerConfig(name="local", url=fake_comfyui.url, active=True)


@pytest.fixture
def shot(store: Store, project: Project, workspace: Path) -> Shot:
    folder = workflows_dir(workspace)
    folder.mkdir()
    (folder / "portrait.json").write_text(json.dumps(image_graph("{{reference_image}}")))
    (folder / "img2img.json").write_text(json.dumps(image_graph("{{init_image}}")))
    first = store.read_sequence(project.id, "001").shots[0]
    return store.update_shot(project.id, "001", first.id, {"prompt": "@Léa by the window"})


def render(
    store: Store, workspace: Path, project: Project, shot: Shot, server: ServerConfig, **kw: Any
) -> Any:
    kw.setdefault("timeout_s", 20)
    return render_shot(store, workspace, project.id, "001", shot.id, server=server, **kw)


def test_the_reference_of_the_first_mentioned_entry_is_uploaded_once_and_substituted(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")
    face = png_bytes(color=(200, 150, 120))
    add_reference(store, project.id, "Léa", face, "face.png")
    cache = UploadCache()
    first = render(store, workspace, project, shot, server, workflow="portrait", uploads=cache)
    assert first.state == "done", first.message
    name = fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"]
    assert name.startswith("storyboard/") and name.endswith(".png")
    folder, _, file = name.partition("/")
    assert fake_comfyui.file(file, folder, "input") == face
    second = render(store, workspace, project, shot, server, workflow="portrait", uploads=cache)
    assert second.state == "done", second.message
    assert len(uploads(fake_comfyui)) == 1, "the same image is not uploaded twice"
    assert fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"] == name
    # Another process (a fresh cache) uploads again, and the server keeps the one file.
    third = render(
        store, workspace, project, shot, server, workflow="portrait", uploads=UploadCache()
    )
    assert third.state == "done" and len(uploads(fake_comfyui)) == 2
    assert fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"] == name


def test_a_workflow_needing_a_reference_the_shot_lacks_is_refused_before_queueing(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")  # no reference image
    job = render(
        store, workspace, project, shot, server, workflow="portrait", uploads=UploadCache()
    )
    assert job.state == "failed"
    assert "{{reference_image}}" in job.message and "reference image" in job.message
    assert fake_comfyui.posted_graphs() == [] and uploads(fake_comfyui) == []


def test_init_image_is_the_shot_s_current_frame(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")
    job = render(store, workspace, project, shot, server, workflow="img2img", uploads=UploadCache())
    assert job.state == "failed" and "{{init_image}}" in job.message
    assert fake_comfyui.posted_graphs() == []
    sketch = png_bytes(color=(0, 0, 0))
    upload_take(store, project.id, "001", shot.id, sketch, "sketch.png")
    job = render(store, workspace, project, shot, server, workflow="img2img", uploads=UploadCache())
    assert job.state == "done", job.message
    folder, _, file = fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"].partition("/")
    assert fake_comfyui.file(file, folder, "input") == sketch


def test_the_shot_s_own_reference_serves_when_no_mentioned_entry_has_one(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")
    own = png_bytes(color=(1, 2, 3))
    saved = set_shot_reference(store, project.id, "001", shot.id, own, "board.png")
    assert saved.reference is not None and saved.reference.startswith(f"references/shot-{shot.id}-")
    job = render(
        store, workspace, project, shot, server, workflow="portrait", uploads=UploadCache()
    )
    assert job.state == "done", job.message
    folder, _, file = fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"].partition("/")
    assert fake_comfyui.file(file, folder, "input") == own
    # A mentioned entry's reference comes first.
    face = png_bytes(color=(9, 9, 9))
    add_reference(store, project.id, "Léa", face, "face.png")
    job = render(
        store, workspace, project, shot, server, workflow="portrait", uploads=UploadCache()
    )
    folder, _, file = fake_comfyui.posted_graphs()[-1]["1"]["inputs"]["image"].partition("/")
    assert fake_comfyui.file(file, folder, "input") == face
    assert clear_shot_reference(store, project.id, "001", shot.id).reference is None
    assert (
        "reference"
        not in json.loads(
            (store.project_dir(project.id) / "sequences/sequence_001.json").read_text()
        )["shots"][0]
    )


def test_a_bad_shot_reference_is_refused_and_leaves_no_file(
    store: Store, project: Project, shot: Shot
) -> None:
    with pytest.raises(InvalidDataError, match=r"board\.png: not an image"):
        set_shot_reference(store, project.id, "001", shot.id, b"not an image", "board.png")
    assert store.read_shot(project.id, "001", shot.id).reference is None
    folder = store.project_dir(project.id) / "references"
    assert not folder.exists() or not list(folder.iterdir())
