"""Video workflows: the ``"storyboard"`` declaration of a workflow file, its frame rule, and the
``{{fps}}`` and ``{{frames}}`` of a shot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard_core.comfyui.frame_rule import (
    FrameRule,
    MalformedDeclaration,
    VideoSettings,
    parse_declaration,
    parse_rule,
)
from storyboard_core.comfyui.workflows import (
    BUILTIN,
    fill_workflow,
    list_workflows,
    load_workflow,
    load_workflow_file,
    used_placeholders,
    video_values,
    workflows_dir,
)
from storyboard_core.errors import BrokenFileError

I2V = {
    "storyboard": {"fps": 16, "frames": "4n+1", "max_frames": 81},
    "1": {"class_type": "LoadImage", "inputs": {"image": "{{init_image}}"}},
    "2": {
        "class_type": "WanImageToVideo",
        "inputs": {"start_image": ["1", 0], "length": "{{frames}}", "width": "{{width}}"},
    },
    "3": {"class_type": "CreateVideo", "inputs": {"images": ["2", 0], "fps": "{{fps}}"}},
    "4": {"class_type": "SaveVideo", "inputs": {"video": ["3", 0], "format": "auto"}},
}


def write(workspace: Path, name: str, content: object) -> Path:
    folder = workflows_dir(workspace)
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("4n+1", FrameRule(4, 1)),
        ("8n+1", FrameRule(8, 1)),
        (" 4 n + 1 ", FrameRule(4, 1)),
        ("n", FrameRule(1, 0)),
        ("n+1", FrameRule(1, 1)),
        ("16n", FrameRule(16, 0)),
    ],
)
def test_frame_rules(text: str, rule: FrameRule) -> None:
    assert parse_rule(text) == rule
    assert parse_rule(str(rule)) == rule


@pytest.mark.parametrize("text", ["4x+1", "4n-1", "0n+1", "n+", "4n+1.5", "", "4", "n4"])
def test_malformed_rules(text: str) -> None:
    with pytest.raises(MalformedDeclaration, match=r'write it as an\+b, like "4n\+1"'):
        parse_rule(text)


@pytest.mark.parametrize(
    ("rule", "count", "frames"),
    [
        ("4n+1", 80, 81),  # 5 s at 16 fps
        ("4n+1", 120, 121),  # 5 s at 24 fps
        ("4n+1", 3, 5),  # a tie (1 and 5 are 2 away) goes to the longer clip
        ("4n+1", 2.9, 1),
        ("4n+1", 0, 1),
        ("8n+1", 48, 49),
        ("8n+1", 44, 41),
        ("n", 0, 1),
        ("n", 36.5, 37),
        ("16n", 3, 16),  # never fewer than the rule allows
    ],
)
def test_snapping(rule: str, count: float, frames: int) -> None:
    assert parse_rule(rule).snap(count) == frames


def test_max_frames_caps_on_the_rule() -> None:
    assert parse_rule("4n+1").snap(200, maximum=81) == 81
    assert parse_rule("4n+1").snap(200, maximum=83) == 81
    assert parse_rule("8n+1").snap(1, maximum=9) == 1


def test_declaration_values() -> None:
    settings = parse_declaration({"fps": 16, "frames": "4n+1", "max_frames": 81})
    assert settings == VideoSettings(16.0, FrameRule(4, 1), 81)
    assert settings.placeholder_values(5.0) == {"fps": 16.0, "frames": 81}
    assert settings.placeholder_values(10.0) == {"fps": 16.0, "frames": 81}
    assert settings.frames_for(2.0) == 33
    assert parse_declaration({}) == VideoSettings()  # 24 fps, any count
    assert VideoSettings().placeholder_values(2.5) == {"fps": 24.0, "frames": 60}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "must be an object"),
        ({"fps": "16"}, "fps: '16' is not a number"),
        ({"fps": 0}, "fps: 0 is not a number"),
        ({"fps": True}, "fps: True is not a number"),
        ({"frames": "4x+1"}, r"frames: '4x\+1' is not a frame rule"),
        ({"frames": 5}, "frames: 5 is not a frame rule"),
        ({"frames": "4n+1", "max_frames": 0}, "max_frames: 0 is not a whole number of at least 1"),
        (
            {"frames": "8n", "max_frames": 4.5},
            "max_frames: 4.5 is not a whole number of at least 8",
        ),
        ({"fsp": 16}, "unknown key 'fsp'"),
    ],
)
def test_malformed_declarations(value: object, message: str) -> None:
    with pytest.raises(MalformedDeclaration, match=message):
        parse_declaration(value)


def test_the_declaration_is_read_and_taken_out_of_the_graph(workspace: Path) -> None:
    write(workspace, "wan-i2v", I2V)
    workflow = load_workflow_file(workspace, "wan-i2v")
    assert "storyboard" not in workflow.graph
    assert workflow.video == VideoSettings(16.0, FrameRule(4, 1), 81)
    assert load_workflow(workspace, "wan-i2v") == workflow.graph
    assert {"fps", "frames", "init_image", "width"} <= used_placeholders(workflow.graph)
    filled = fill_workflow(workflow.graph, video_values(workflow, 3.0))
    assert filled["2"]["inputs"]["length"] == 49 and type(filled["2"]["inputs"]["length"]) is int
    assert filled["3"]["inputs"]["fps"] == 16.0 and type(filled["3"]["inputs"]["fps"]) is float


def test_a_workflow_without_a_declaration_has_the_defaults(workspace: Path) -> None:
    plain = {k: v for k, v in I2V.items() if k != "storyboard"}
    write(workspace, "plain", plain)
    workflow = load_workflow_file(workspace, "plain")
    assert workflow.video is None and workflow.graph == plain
    assert video_values(workflow, 1.0) == {"fps": 24.0, "frames": 24}
    assert load_workflow_file(workspace, BUILTIN).video is None


def test_a_malformed_rule_is_refused_naming_the_workflow_file(workspace: Path) -> None:
    path = write(workspace, "bad-rule", {**I2V, "storyboard": {"frames": "4x+1"}})
    with pytest.raises(BrokenFileError) as caught:
        load_workflow(workspace, "bad-rule")
    assert caught.value.path == path
    assert str(caught.value) == (
        "bad-rule.json: its \"storyboard\" settings: frames: '4x+1' is not a frame rule; "
        'write it as an+b, like "4n+1", "8n+1" or "n"'
    )
    (listed,) = list_workflows(workspace)
    assert not listed.ok and "frames: '4x+1'" in str(listed.error)
