"""Workflows: the built-in graph, placeholders with their types, and the user's workflow files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from storyboard_core import BrokenFileError, NotFoundError, Shot, UnsafePathError
from storyboard_core.comfyui.workflows import (
    BUILTIN,
    IMAGE_PLACEHOLDERS,
    PLACEHOLDERS,
    VIDEO_PLACEHOLDERS,
    builtin_workflow,
    fill_workflow,
    list_workflows,
    load_workflow,
    placeholder_values,
    used_placeholders,
    workflows_dir,
)
from storyboard_core.takes import take_inputs

UI_FORMAT = {
    "last_node_id": 9,
    "nodes": [{"id": 3, "type": "KSampler"}],
    "links": [],
    "version": 0.4,
}


def a_shot(**generation: object) -> Shot:
    return Shot.model_validate(
        {
            "id": "shot-1",
            "prompt": "storm over the bay",
            "negative_prompt": "blurry",
            "generation": {
                "checkpoint": "sd15.safetensors",
                "steps": 12,
                "cfg_scale": 6,
                "sampler": "dpmpp_2m",
                "scheduler": "karras",
                "width": 512,
                "height": 320,
                "denoise": 1,
                **generation,
            },
        }
    )


def inputs_of(shot: Shot, *, seed: int) -> dict[str, object]:
    return take_inputs(shot, seed=seed, workflow=BUILTIN, server="")


def write(workspace: Path, name: str, content: str | object) -> Path:
    folder = workflows_dir(workspace)
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


# -- the built-in workflow --------------------------------------------------------------------------


def test_builtin_is_the_txt2img_chain_with_every_placeholder() -> None:
    graph = builtin_workflow()
    classes = {node["class_type"] for node in graph.values()}
    assert classes == {
        "CheckpointLoaderSimple",
        "CLIPTextEncode",
        "EmptyLatentImage",
        "KSampler",
        "VAEDecode",
        "SaveImage",
    }
    # Every placeholder but the images (text-to-image takes none in) and the clip's fps and frames.
    texts = [p for p in PLACEHOLDERS if p[2:-2] not in IMAGE_PLACEHOLDERS + VIDEO_PLACEHOLDERS]
    assert sorted(f"{{{{{n}}}}}" for n in used_placeholders(graph)) == sorted(texts)
    # Every link points at a node of the graph.
    for node in graph.values():
        for value in node["inputs"].values():
            if isinstance(value, list):
                assert value[0] in graph
    # A fresh copy each time: filling one never changes the next.
    graph["3"]["inputs"]["steps"] = 99
    assert builtin_workflow()["3"]["inputs"]["steps"] == "{{steps}}"


def test_builtin_filled_from_a_shot_has_typed_values() -> None:
    values = placeholder_values(inputs_of(a_shot(), seed=42), filename_prefix="storyboard/shot-1")
    graph = fill_workflow(builtin_workflow(), values)
    sampler = graph["3"]["inputs"]
    assert sampler["seed"] == 42 and type(sampler["seed"]) is int
    assert sampler["steps"] == 12 and type(sampler["steps"]) is int
    assert sampler["cfg"] == 6.0 and type(sampler["cfg"]) is float
    assert sampler["denoise"] == 1.0 and type(sampler["denoise"]) is float
    assert (sampler["sampler_name"], sampler["scheduler"]) == ("dpmpp_2m", "karras")
    assert graph["4"]["inputs"]["ckpt_name"] == "sd15.safetensors"
    assert graph["5"]["inputs"] == {"width": 512, "height": 320, "batch_size": 1}
    assert graph["6"]["inputs"]["text"] == "storm over the bay"
    assert graph["7"]["inputs"]["text"] == "blurry"
    assert graph["9"]["inputs"]["filename_prefix"] == "storyboard/shot-1"
    assert used_placeholders(graph) == set()


# -- fill_workflow ----------------------------------------------------------------------------------


def test_fill_replaces_only_exact_placeholders_at_any_depth() -> None:
    graph = {
        "1": {
            "class_type": "Custom",
            "inputs": {
                "steps": "{{steps}}",
                "text": "a photo of {{prompt}}",  # not exactly a placeholder: left alone
                "other": "{{not_a_placeholder}}",
                "spaced": "{{ steps }}",
                "nested": {"deep": ["{{width}}", ["{{cfg_scale}}"], "{{prompt}}"]},
                "link": ["2", 0],
            },
        }
    }
    original = copy.deepcopy(graph)
    filled = fill_workflow(graph, {"steps": 7, "width": 640, "cfg_scale": 4.5, "prompt": "fog"})
    inputs = filled["1"]["inputs"]
    assert inputs["steps"] == 7
    assert inputs["text"] == "a photo of {{prompt}}"
    assert inputs["other"] == "{{not_a_placeholder}}"
    assert inputs["spaced"] == "{{ steps }}"
    assert inputs["nested"] == {"deep": [640, [4.5], "fog"]}
    assert inputs["link"] == ["2", 0]
    assert graph == original  # a deep copy: the input is untouched


def test_fill_leaves_a_placeholder_without_a_value() -> None:
    graph = {"1": {"class_type": "X", "inputs": {"seed": "{{seed}}"}}}
    assert fill_workflow(graph, {}) == graph


def test_placeholder_values_types() -> None:
    values = placeholder_values(inputs_of(a_shot(), seed=2**63 - 1), filename_prefix="p")
    # The images are filled in by the renderer with the names the server gives their uploads, the
    # clip's fps and frames by ``video_values`` (test_frame_rule.py).
    assert set(values) == {p[2:-2] for p in PLACEHOLDERS} - set(
        IMAGE_PLACEHOLDERS + VIDEO_PLACEHOLDERS
    )
    for name in ("steps", "seed", "width", "height"):
        assert type(values[name]) is int, name
    for name in ("cfg_scale", "denoise"):
        assert type(values[name]) is float, name
    assert values["seed"] == 2**63 - 1


# -- the user's files -------------------------------------------------------------------------------


def test_no_workflows_folder_lists_nothing(workspace: Path) -> None:
    assert list_workflows(workspace) == []


def test_list_workflows_sorted_with_reasons(workspace: Path) -> None:
    write(workspace, "portrait.json", builtin_workflow())
    write(workspace, "Anime.json", builtin_workflow())
    write(workspace, "broken.json", '{"3": {"class_type": "KSampler",\n  "inputs": {,}}}')
    write(workspace, "ui.json", UI_FORMAT)
    write(workspace, "list.json", [1, 2])
    write(workspace, "noclass.json", {"3": {"inputs": {}}})
    write(workspace, "empty.json", {})
    write(workspace, "built-in.json", builtin_workflow())
    write(workspace, "notes.txt", "not a workflow")
    write(workspace, ".hidden.json", builtin_workflow())
    listed = {w.name: w for w in list_workflows(workspace)}
    assert [w.name for w in list_workflows(workspace)] == [
        "Anime",
        "broken",
        "built-in",
        "empty",
        "list",
        "noclass",
        "portrait",
        "ui",
    ]
    assert listed["portrait"].ok and listed["Anime"].ok
    assert listed["portrait"].path == workflows_dir(workspace) / "portrait.json"
    broken = listed["broken"].error or ""
    assert "broken.json" in broken and "invalid JSON" in broken and "line 2" in broken
    assert "Save (API)" in (listed["ui"].error or "")
    assert "ui.json" in (listed["ui"].error or "")
    assert "list" in (listed["list"].error or "")
    assert "class_type" in (listed["noclass"].error or "")
    assert "no nodes" in (listed["empty"].error or "")
    assert "reserved" in (listed["built-in"].error or "")


def test_load_builtin_and_a_file(workspace: Path) -> None:
    assert load_workflow(workspace, BUILTIN) == builtin_workflow()
    assert load_workflow(workspace, "") == builtin_workflow()
    mine = {"1": {"class_type": "EmptyImage", "inputs": {"width": "{{width}}"}}}
    write(workspace, "mine.json", mine)
    assert load_workflow(workspace, "mine") == mine


def test_load_missing_says_where_to_put_it(workspace: Path) -> None:
    with pytest.raises(NotFoundError) as caught:
        load_workflow(workspace, "nope")
    assert "nope" in str(caught.value) and "Save (API)" in str(caught.value)


@pytest.mark.parametrize("name", ["../secret", "a/b", "a\\b", "..", ".hidden", "a\x00b", " "])
def test_load_refuses_names_with_paths(workspace: Path, name: str) -> None:
    with pytest.raises(UnsafePathError):
        load_workflow(workspace, name)


def test_load_broken_json_gives_file_line_and_column(workspace: Path) -> None:
    write(workspace, "bad.json", '{\n  "3": {"class_type": "KSampler"\n  "inputs": {}}\n}')
    with pytest.raises(BrokenFileError) as caught:
        load_workflow(workspace, "bad")
    error = caught.value
    assert error.path.name == "bad.json"
    assert (error.line, error.column) == (3, 3)
    assert str(error).startswith("bad.json: invalid JSON")


def test_load_ui_format_says_to_export_the_api_format(workspace: Path) -> None:
    write(workspace, "ui.json", UI_FORMAT)
    with pytest.raises(BrokenFileError) as caught:
        load_workflow(workspace, "ui")
    assert str(caught.value).startswith("ui.json: not an API-format workflow")
    assert "Save (API)" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ([], "not list"),
        ({"1": "KSampler"}, "node '1' is not an object"),
        ({"1": {"inputs": {}}}, "node '1' has no \"class_type\""),
        ({"1": {"class_type": "X", "inputs": [1]}}, '"inputs" that are not an object'),
    ],
)
def test_load_not_api_format(workspace: Path, content: object, reason: str) -> None:
    write(workspace, "odd.json", content)
    with pytest.raises(BrokenFileError) as caught:
        load_workflow(workspace, "odd")
    assert "odd.json" in str(caught.value)
    assert reason in str(caught.value)
